// The instance lifecycle around the turns (real-instances.test.ts has the turns): what spawn
// refuses before anything is made (limits, models, names), and with a claude TUI on a
// private tmux server: a worktree of its own, a parent recorded and its subtree stopped
// children first, a prompt a person types at the pane, a message to several instances, the
// idle stop, spawn --no-wait, revive --all, and `start --interactive`. The agent is the real claude when
// $AGENTCTL_REAL_CLIS has it (bash .ci/run sets it), else its fake (test/fakes/interactive); it
// talks only to the scripted loopback model server.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { execaSync } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppContext, createContext } from '../../src/app/context.js';
import { answerPermission, reviveInstances, sendToInstances, spawnInstance, stopInstances } from '../../src/app/instances.js';
import { waitInstances } from '../../src/app/instance-reads.js';
import { instanceNow, until } from '../../src/core/instances/until.js';
import { makeEnv, processGone, ROOT, type TestEnv, waitFor, writeConfig } from '../helpers/harness.js';
import { newInstance } from '../helpers/instances.js';
import { type ModelServer, startModelServer } from '../helpers/model-server.mjs';
import { offlineAgentEnv, REAL_CLIS, whyNoRealCli } from '../helpers/real-clis.js';
import { Turns } from '../helpers/turns.js';

/** The real claude when $AGENTCTL_REAL_CLIS has it, else the fake TUI that follows its hook contract. */
const FAKE_TUIS = join(ROOT, 'test', 'fakes', 'interactive');
const claudeBin = !whyNoRealCli('claude') ? REAL_CLIS! : existsSync(join(FAKE_TUIS, 'claude')) ? FAKE_TUIS : null;
const whyNoClaude = claudeBin ? undefined : `${whyNoRealCli('claude')}, and no fake claude TUI in test/fakes/interactive`;

describe('spawn refuses before it makes anything', () => {
  let t: TestEnv;
  let ctx: AppContext;
  beforeAll(async () => {
    t = await makeEnv();
    expect((await t.run(['init'])).code).toBe(0);
    // a claude on PATH that is never started: every spawn here fails its checks first
    ctx = createContext({ home: t.home, env: t.env, cwd: t.dir('proj') });
  });
  afterAll(async () => t?.cleanup());

  const instanceDirs = () => (existsSync(join(t.home, 'instances')) ? readdirSync(join(t.home, 'instances')) : []);

  it('a model outside allowed_models, or none when the list is set', async () => {
    writeConfig(t, { allowed_models: ['sonnet'] });
    const fresh = createContext({ home: t.home, env: t.env, cwd: ctx.cwd });
    await expect(spawnInstance(fresh, { agent: 'claude', model: 'opus' })).rejects.toThrow('model opus is not allowed for instances (allowed_models in config.json)');
    await expect(spawnInstance(fresh, { agent: 'claude' })).rejects.toThrow('config.json allows instances only some models (allowed_models)');
    expect(instanceDirs()).toEqual([]);
    writeConfig(t, { allowed_models: null });
  });

  it('more than max_instances running', async () => {
    writeConfig(t, { max_instances: 1 });
    newInstance(t.home, { id: 'i-aaaaaa', name: 'busy' });
    const fresh = createContext({ home: t.home, env: t.env, cwd: ctx.cwd });
    await expect(spawnInstance(fresh, { agent: 'claude' })).rejects.toThrow('1 of at most 1 instances are running (max_instances in config.json)');
    expect(instanceDirs()).toEqual(['i-aaaaaa']);
    writeConfig(t, { max_instances: 8 });
  });

  it('a name taken by an instance not stopped, or one shaped like an instance id', async () => {
    await expect(spawnInstance(ctx, { agent: 'claude', name: 'busy' })).rejects.toThrow('an instance named busy exists already');
    await expect(spawnInstance(ctx, { agent: 'claude', name: 'i-abcdef' })).rejects.toThrow(/invalid instance name "i-abcdef"/);
    await expect(spawnInstance(ctx, { agent: 'claude', name: '2fast' })).rejects.toThrow(/invalid instance name "2fast"/);
    expect(instanceDirs()).toEqual(['i-aaaaaa']);
  });

  it('an agent not on PATH', async () => {
    const bare = createContext({ home: t.home, env: { ...t.env, PATH: '/nonexistent' }, cwd: ctx.cwd });
    await expect(spawnInstance(bare, { agent: 'codex', name: 'nocodex' })).rejects.toThrow('codex not found on PATH');
    expect(instanceDirs()).toEqual(['i-aaaaaa']);
  });
});

const suite = whyNoClaude ? describe.skip : describe;
suite(`claude instances around their turns (${claudeBin === REAL_CLIS ? 'real' : 'fake'} TUI)${whyNoClaude ? ` (skipped: ${whyNoClaude})` : ''}`, () => {
  let t: TestEnv;
  let server: ModelServer;
  let turns: Turns;
  let ctx: AppContext;
  let repo: string;

  beforeAll(async () => {
    t = await makeEnv();
    repo = t.repo();
    expect((await t.run(['init'])).code).toBe(0);
    server = await startModelServer();
    turns = new Turns(server, 'anthropic');
    ctx = createContext({
      home: t.home,
      cwd: repo,
      env: {
        ...t.env,
        PATH: `${claudeBin}:${t.env.PATH}`,
        TMPDIR: t.dir('tmp'),
        ...offlineAgentEnv(server.url),
      },
    });
  }, 60_000);

  afterAll(async () => {
    const ids = readdirSync(join(t.home, 'instances'));
    await stopInstances(ctx, { ids }).catch(() => {});
    await server?.close();
    await t?.cleanup();
  }, 60_000);

  it('spawn --worktree: the agent works on branch agentctl/<id> in a worktree of its own', async () => {
    const v = await spawnInstance(ctx, { agent: 'claude', name: 'builder', worktree: true });
    const rec = instanceNow(t.home, v.id).record;
    expect(rec.worktree).toMatchObject({ branch: `agentctl/${v.id}` });
    expect(v.cwd).toBe(rec.worktree!.path);
    expect(v.cwd.startsWith(join(t.home, 'worktrees'))).toBe(true);
    const branch = String(execaSync('git', ['-C', v.cwd, 'rev-parse', '--abbrev-ref', 'HEAD']).stdout);
    expect(branch).toBe(`agentctl/${v.id}`);
    const started = instanceNow(t.home, v.id).events.find((e) => e.hook === 'SessionStart');
    expect(started?.transcript_path).toContain(v.cwd.replace(/[/.]/g, '-'));
  }, 60_000);

  it('a parent is recorded, and stop --tree ends its children first', async () => {
    const parent = await spawnInstance(ctx, { agent: 'claude', name: 'chief' });
    // the agent's own `agentctl spawn` carries AGENTCTL_INSTANCE: the parent is implicit
    const fromInside = createContext({ home: t.home, cwd: repo, env: { ...ctx.env, AGENTCTL_INSTANCE: parent.id } });
    const child = await spawnInstance(fromInside, { agent: 'claude', name: 'helper' });
    const grandchild = await spawnInstance(ctx, { agent: 'claude', name: 'helper-2', parent: 'helper' });
    expect(child.parent).toBe(parent.id);
    expect(grandchild.parent).toBe(child.id);
    const pids = [parent, child, grandchild].map((v) => instanceNow(t.home, v.id).record.agent_pid!);
    const views = await stopInstances(ctx, { ids: ['chief'], tree: true });
    expect(views.map((v) => [v.name, v.status])).toEqual([['helper-2', 'exited'], ['helper', 'exited'], ['chief', 'exited']]);
    expect(pids.every(processGone)).toBe(true);
    const stoppedAt = [grandchild, child, parent].map((v) => instanceNow(t.home, v.id).record.stopped_at!);
    expect([...stoppedAt].sort()).toEqual(stoppedAt);
  }, 90_000);

  it('a prompt typed at the pane is a turn by a person; a message to two instances goes to both', async () => {
    const a = await spawnInstance(ctx, { agent: 'claude', name: 'left' });
    const b = await spawnInstance(ctx, { agent: 'claude', name: 'right' });
    t.tmux(['send-keys', '-t', a.pane!, '-l', 'typed by hand']);
    t.tmux(['send-keys', '-t', a.pane!, 'Enter']);
    const typed = await turns.next();
    expect(typed.request.prompt).toContain('typed by hand');
    typed.answer({ text: 'hello person' });
    const [byHand] = await waitInstances(ctx, { ids: [a.id], timeoutMs: 30_000 });
    expect(byHand).toMatchObject({ turn: 1, outcome: 'completed', reply: 'hello person' });
    expect(instanceNow(t.home, a.id).status.last?.by).toBe('person');

    const sent = await sendToInstances(ctx, { ids: ['left', 'right'], message: 'both of you' });
    expect(sent.map((s) => [s.name, s.turn])).toEqual([['left', 2], ['right', 1]]);
    for (let i = 0; i < 2; i++) await turns.reply({ text: 'done' });
    const reports = await waitInstances(ctx, { ids: [a.id, b.id], timeoutMs: 30_000 });
    expect(reports.map((r) => r.outcome)).toEqual(['completed', 'completed']);
    expect(instanceNow(t.home, b.id).status.last?.by).toBe('agentctl');
    await stopInstances(ctx, { ids: [a.id, b.id] });
  }, 90_000);

  it('revive --all brings back what died, not what was stopped; answer refuses with nothing pending', async () => {
    const died = await spawnInstance(ctx, { agent: 'claude', name: 'crashy' });
    const quit = await spawnInstance(ctx, { agent: 'claude', name: 'quitter' });
    await stopInstances(ctx, { ids: [quit.id] });
    const pid = instanceNow(t.home, died.id).record.agent_pid!;
    t.tmux(['kill-pane', '-t', died.pane!]);
    await waitFor(() => processGone(pid) && ['exited', 'lost'].includes(instanceNow(t.home, died.id).status.status), 10_000, 'the agent to die with its pane');
    const revived = await reviveInstances(ctx, { all: true });
    expect(revived.map((v) => [v.name, v.status])).toEqual([['crashy', 'idle']]);
    expect(revived[0]!.pane).not.toBe(died.pane);
    expect(instanceNow(t.home, quit.id).status.status).toBe('exited');
    await expect(answerPermission(ctx, { id: 'crashy', decision: 'allow' })).rejects.toThrow(/has no pending permission request/);
    await stopInstances(ctx, { ids: ['crashy'] });
  }, 90_000);

  it('start --interactive: a run whose worker is the TUI; its reply is the answer, checked as any run\'s', async () => {
    const answer = { goal_met: true, summary: 'answered in the TUI', followup_prompt: '', notes: '' };
    const id = await t.start(['--interactive', '--agent', 'claude', '--project', repo], 'Report on the project.\n', { env: ctx.env as Record<string, string> });
    const req = await turns.reply({ text: JSON.stringify(answer) });
    expect(req.prompt).toContain('Report on the project.');
    expect(req.prompt).toContain('reply with ONLY a JSON object');
    const wait = await t.run(['wait', id], { timeoutMs: 60_000 });
    expect(wait.code).toBe(0);
    expect(JSON.parse(wait.stdout)).toMatchObject({ run_id: id, outcome: 'goal_met', summary: 'answered in the TUI' });
    const inst = readdirSync(join(t.home, 'instances')).map((i) => instanceNow(t.home, i).record).find((r) => r.name === `run-${id}`)!;
    // the session is the run's thread: a resume continues it
    expect(t.meta(id)).toMatchObject({ interactive: true, goal_met: true, thread_id: inst.session_id, validation_errors: [] });
    expect(inst.stopped_at).not.toBeNull();
    expect(processGone(inst.agent_pid!)).toBe(true);
    const refused = await t.run(['start', '--interactive', '--agent', 'gemini', '--project', repo], { input: 'x\n' });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--interactive runs claude or codex in its own TUI, not gemini');
  }, 90_000);

  it('spawn --no-wait returns at once (starting); an instance idle past instance_idle_stop is stopped, resumable', async () => {
    writeConfig(t, { instance_idle_stop: '2s' });
    const idle = createContext({ home: t.home, cwd: repo, env: ctx.env });
    const v = await spawnInstance(idle, { agent: 'claude', name: 'sleepy', wait: false });
    expect(v.status).toBe('starting');
    await until(t.home, v.id, (n) => (n.status.status === 'idle' ? true : undefined), { timeoutMs: 30_000, what: 'become ready' });
    const stopped = await until(t.home, v.id, (n) => n.events.find((e) => e.kind === 'stopped'), { timeoutMs: 30_000, what: 'be stopped for idling' });
    expect(stopped.why).toBe('idle for 2s');
    await waitFor(() => instanceNow(t.home, v.id).status.status === 'exited', 10_000, 'the idle instance to exit');
    expect(instanceNow(t.home, v.id).record.session_id).toMatch(/^[0-9a-f-]{36}$/);
    writeConfig(t, { instance_idle_stop: null });
  }, 90_000);
});
