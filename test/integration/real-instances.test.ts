// Instances of the claude and codex TUIs, the real ones and their fakes, end to end through the app calls the CLI and MCP
// use: spawn, turns (multi-line, non-ASCII, a leading "/"), a send refused while working and
// one queued, interrupt and continue with the context kept, permission requests answered allow
// and deny, an API error, stop, and revive after the tmux server died. The agents talk only to
// the scripted model server on 127.0.0.1 (test/helpers/model-server.mjs), with the proxy
// variables pointing there too. The real binaries are skipped without $AGENTCTL_REAL_CLIS (bash
// .ci/run sets it); the fakes (test/fakes/interactive) always run.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppContext, createContext } from '../../src/app/context.js';
import { answerPermission, askInstance, interruptInstances, reviveInstances, sendToInstances, spawnInstance, stopInstances } from '../../src/app/instances.js';
import { waitInstances } from '../../src/app/instance-reads.js';
import { instanceNow } from '../../src/core/instances/until.js';
import { makeEnv, processGone, ROOT, type TestEnv, waitFor } from '../helpers/harness.js';
import { type ModelServer, offlineCodexConfig, startModelServer } from '../helpers/model-server.mjs';
import { offlineAgentEnv, REAL_CLIS, whyNoRealCli } from '../helpers/real-clis.js';
import { contextText, Turns } from '../helpers/turns.js';

type Agent = 'claude' | 'codex';

/** A message with everything a paste must carry exactly: lines, quotes, $, backquotes, backslashes, non-ASCII. */
const MESSAGE = 'Première ligne: «ça va?» — 日本語 🚀\nsecond line with "quotes", $HOME, `ticks` and a \\ backslash\n\nlast line';

/** The fake TUIs (test/fakes/interactive) follow the recorded hook contract: the fast variant of every scenario. */
const FAKE_TUIS = join(ROOT, 'test', 'fakes', 'interactive');
const variants = (['claude', 'codex'] as const).flatMap((agent) => [
  { agent, kind: 'fake', bin: FAKE_TUIS, why: existsSync(join(FAKE_TUIS, agent)) ? undefined : `no fake ${agent} TUI in test/fakes/interactive` },
  { agent, kind: 'real', bin: REAL_CLIS ?? '', why: whyNoRealCli(agent) },
]);

for (const { agent, kind, bin, why } of variants) {
  const suite = why ? describe.skip : describe;
  suite(`a ${kind} ${agent} instance${why ? ` (skipped: ${why})` : ''}`, () => {
    let t: TestEnv;
    let server: ModelServer;
    let turns: Turns;
    let ctx: AppContext;
    let repo: string;
    let id = '';
    /** The instance's session: revive must resume this one. */
    let session = '';

    beforeAll(async () => {
      t = await makeEnv();
      repo = t.repo();
      expect((await t.run(['init'])).code).toBe(0);
      server = await startModelServer();
      turns = new Turns(server, agent === 'claude' ? 'anthropic' : 'openai');
      mkdirSync(t.env.CODEX_HOME!, { recursive: true });
      // without the notice codex switches gpt-5.5 to its successor on its own, and a resume with
      // the model named compacts the context first (a model request of its own)
      writeFileSync(join(t.env.CODEX_HOME!, 'config.toml'), `${offlineCodexConfig(server.url)}\n[notice.model_migrations]\n"gpt-5.5" = "gpt-6-sol"\n`);
      const env: NodeJS.ProcessEnv = {
        ...t.env,
        PATH: `${bin}:${t.env.PATH}`,
        TMPDIR: t.dir('tmp'),
        ...offlineAgentEnv(server.url),
      };
      ctx = createContext({ home: t.home, env, cwd: repo });
    }, 60_000);

    afterAll(async () => {
      if (id) await stopInstances(ctx, { ids: [id] }).catch(() => {});
      await server?.close();
      await t?.cleanup();
    }, 60_000);

    const status = () => instanceNow(t.home, id).status;

    it('spawns and returns once the agent is ready for input', async () => {
      const v = await spawnInstance(ctx, { agent, name: `${agent}-one`, permissions: 'ask', context: 'You are a careful test agent.', ...(agent === 'codex' ? { model: 'gpt-5.5' } : {}) });
      id = v.id;
      expect(v).toMatchObject({ name: `${agent}-one`, agent, status: 'idle' });
      expect(v.pane).toMatch(/^%\d+$/);
      const now = instanceNow(t.home, id);
      expect(now.record.agent_pid).toBeGreaterThan(0);
      if (agent === 'claude') expect(now.events.some((e) => e.hook === 'SessionStart')).toBe(true);
      else expect(now.status.source).toBe('process'); // codex gives no ready signal
    }, 120_000);

    it('takes several turns; multi-line, non-ASCII text arrives exactly and the reply comes back', async () => {
      const first = askInstance(ctx, { id, message: MESSAGE, timeoutMs: 60_000 });
      const req = await turns.reply({ text: 'Réponse un: ✓' });
      expect(req.prompt).toContain(MESSAGE);
      expect(await first).toMatchObject({ instance: id, turn: 1, outcome: 'completed', reply: 'Réponse un: ✓' });
      const second = askInstance(ctx, { id, message: 'and a second turn', timeoutMs: 60_000 });
      const req2 = await turns.reply({ text: 'Réponse deux', usage: { input: 1200, output: 34 } });
      expect(contextText(req2)).toContain('Réponse un');
      const report = await second;
      expect(report).toMatchObject({ turn: 2, outcome: 'completed', reply: 'Réponse deux' });
      // the turn's tokens come from the agent's own rollout (the real codex has written it by its
      // Stop hook; claude writes its transcript's last entry after Stop, so its wait may not know yet)
      if (kind === 'real' && agent === 'codex') expect(report.usage).toMatchObject({ input_tokens: 1200, output_tokens: 34 });
      session = instanceNow(t.home, id).record.session_id!;
      expect(session).toMatch(/^[0-9a-f-]{36}$/);
    }, 120_000);

    it('delivers a message starting with "/" as text, not as a command', async () => {
      const ask = askInstance(ctx, { id, message: '/help is not a command here', timeoutMs: 60_000 });
      const req = await turns.reply({ text: 'took it as text' });
      expect(req.prompt).toContain('/help is not a command here');
      expect(await ask).toMatchObject({ outcome: 'completed', reply: 'took it as text' });
    }, 120_000);

    it('refuses a send while a turn runs; claude queues it when asked', async () => {
      const [sent] = await sendToInstances(ctx, { ids: [id], message: 'a long task' });
      const held = await turns.next();
      expect(status().status).toBe('working');
      await expect(sendToInstances(ctx, { ids: [id], message: 'too early' })).rejects.toThrow(/is working on turn/);
      if (agent === 'codex') {
        await expect(sendToInstances(ctx, { ids: [id], message: 'queued?', queue: true })).rejects.toThrow(/would steer that turn/);
        held.answer({ text: 'long task done' });
        expect((await waitInstances(ctx, { ids: [id], timeoutMs: 60_000 }))[0]).toMatchObject({ turn: sent!.turn, outcome: 'completed' });
        return;
      }
      const [queued] = await sendToInstances(ctx, { ids: [id], message: 'the queued one', queue: true });
      expect(queued!.turn).toBe(sent!.turn + 1);
      held.answer({ text: 'long task done' });
      const next = await turns.next();
      expect(next.request.prompt).toContain('the queued one');
      next.answer({ text: 'queued one done' });
      await waitFor(() => status().turn === queued!.turn && status().status === 'idle', 60_000, 'the queued turn to end');
    }, 120_000);

    it('interrupts a turn and continues with the context kept', async () => {
      await sendToInstances(ctx, { ids: [id], message: 'start something slow' });
      await turns.next(); // held: never answered
      const [v] = await interruptInstances(ctx, { ids: [id] });
      expect(v!.status).toBe('idle');
      const ask = askInstance(ctx, { id, message: 'what did I ask before?', timeoutMs: 60_000 });
      const req = await turns.reply({ text: 'you asked for something slow' });
      expect(req.prompt).toContain('what did I ask before?');
      expect(contextText(req)).toContain('Réponse deux');
      expect(await ask).toMatchObject({ outcome: 'completed', reply: 'you asked for something slow' });
    }, 120_000);

    it('asks for permission; allow runs the tool, deny does not', async () => {
      for (const decision of ['allow', 'deny'] as const) {
        const file = join(repo, `${decision}.txt`);
        await sendToInstances(ctx, { ids: [id], message: `create ${decision}.txt` });
        const held = await turns.next();
        held.answer({ toolCalls: [shellCall(agent, `touch ${file}`)] });
        const [asked] = await waitInstances(ctx, { ids: [id], timeoutMs: 60_000 });
        expect(asked).toMatchObject({ outcome: 'needs_permission', status: 'needs_permission' });
        expect(JSON.stringify(asked!.permission!.input)).toContain(`${decision}.txt`);
        const answered = answerPermission(ctx, { id, decision, ...(decision === 'deny' ? { message: 'not now' } : {}) });
        await answered;
        await turns.reply({ text: `${decision} seen` });
        const [done] = await waitInstances(ctx, { ids: [id], timeoutMs: 60_000 });
        expect(done).toMatchObject({ outcome: 'completed', reply: `${decision} seen` });
        expect(existsSync(file)).toBe(decision === 'allow');
      }
    }, 180_000);

    it('reports an API error as a failed turn', async () => {
      await sendToInstances(ctx, { ids: [id], message: 'this one fails' });
      await turns.reply({ status: 500, error: 'scripted overload' });
      const [r] = await waitInstances(ctx, { ids: [id], timeoutMs: 60_000 });
      expect(r).toMatchObject({ outcome: 'failed' });
      expect(status().status).toBe('idle');
    }, 120_000);

    it('is lost when the tmux server dies, and revives into the same session with its context', async () => {
      const before = instanceNow(t.home, id).record;
      t.tmux(['kill-server']);
      await waitFor(() => processGone(before.agent_pid!) && processGone(before.supervisor_pid!), 20_000, 'the agent to die with its pane');
      expect(['lost', 'exited']).toContain(status().status);
      const [v] = await reviveInstances(ctx, { ids: [id] });
      expect(v).toMatchObject({ id, status: 'idle', session_id: session });
      expect(instanceNow(t.home, id).record.lives).toBe(2);
      const ask = askInstance(ctx, { id, message: 'do you remember?', timeoutMs: 60_000 });
      const req = await turns.reply({ text: 'yes' });
      expect(contextText(req)).toContain('Réponse un');
      expect(await ask).toMatchObject({ outcome: 'completed', reply: 'yes' });
    }, 180_000);

    it('stops: the agent exits, the record says when, the session stays resumable', async () => {
      const pid = instanceNow(t.home, id).record.agent_pid!;
      const [v] = await stopInstances(ctx, { ids: [id] });
      expect(v!.status).toBe('exited');
      expect(processGone(pid)).toBe(true);
      expect(instanceNow(t.home, id).record.stopped_at).not.toBeNull();
      // codex fetches an announcement file at each start (no setting turns it off): refused by the proxy
      expect(server.proxyAttempts.filter((a) => !a.target.startsWith('raw.githubusercontent.com'))).toEqual([]);
      expect(turns.pending).toBe(0);
    }, 60_000);
  });
}

/**
 * A tool call that runs `command` in the agent's shell tool: claude's Bash (asked about under
 * ask), codex's exec_command asking to leave the sandbox (on-request asks only for that).
 */
function shellCall(agent: Agent, command: string): { name: string; arguments: Record<string, unknown> } {
  if (agent === 'claude') return { name: 'Bash', arguments: { command, description: 'create a file' } };
  return { name: 'exec_command', arguments: { cmd: command, sandbox_permissions: 'require_escalated', justification: 'the test needs the file' } };
}
