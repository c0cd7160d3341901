// Runs that continue other runs: resume (same agent session, or a fresh one carrying the
// parent's context), escalate, and --auto-escalate with `wait --follow`.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEnv, parseJsonLines, type RunResult, type TestEnv, writeConfig, suiteEnv } from '../helpers/harness.js';

let t: TestEnv;
let repo: string;

suiteEnv((env) => {
  t = env;
  repo = t.repo('proj');
});

/** `wait` on runs; returns the exit code and the parsed result lines. */
async function wait(ids: string[], flags: string[] = []): Promise<{ code: number; lines: any[] }> {
  const r = await t.run(['wait', '--timeout', '30', ...flags, ...ids]);
  expect(r.stderr).toBe('');
  return { code: r.code, lines: parseJsonLines(r.stdout) };
}

/** Start a run and wait for it; returns its id and result line. */
async function finished(args: string[], prompt: string): Promise<{ id: string; code: number; result: any }> {
  const id = await t.start(args, prompt);
  const { code, lines } = await wait([id]);
  return { id, code, result: lines[0] };
}

function prompt(id: string): string {
  return readFileSync(join(t.home, 'runs', id, 'prompt.md'), 'utf8');
}

function runDirs(): string[] {
  return readdirSync(join(t.home, 'runs')).filter((n) => !n.startsWith('.')).sort();
}

/** A command that must fail with one `agentctl:` line, creating no run. */
async function refused(args: string[], input?: string): Promise<RunResult> {
  const before = runDirs();
  const r = await t.run(args, { input });
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(/^agentctl: /);
  expect(runDirs()).toEqual(before);
  return r;
}

describe('resume', () => {
  it('codex: continues the same session', async () => {
    const parent = await finished(['--project', repo, '--profile', 'spark'], 'Add a --verbose flag\n');
    expect(parent.code).toBe(0);
    expect(parent.result.summary).toBe('codex turn 1: Add a --verbose flag');
    const p = t.meta(parent.id);
    expect(p.thread_id).toMatch(/^[0-9a-f-]{36}$/);

    const r = await t.run(['resume', '--parent-run-id', parent.id, '--json'], { input: 'Now document it\n' });
    expect(r.code, r.stderr).toBe(0);
    const started = JSON.parse(r.stdout);
    expect(started).toMatchObject({ mode: 'resume', parent_run_id: parent.id, profile: 'spark', agent: 'codex', project_dir: repo });
    const { code, lines } = await wait([started.run_id]);
    expect(code).toBe(0);
    expect(lines[0]).toMatchObject({ outcome: 'goal_met', summary: 'codex turn 2: Now document it', parent_run_id: parent.id });

    const child = t.meta(started.run_id);
    expect(child).toMatchObject({ mode: 'resume', parent_run_id: parent.id, thread_id: p.thread_id, escalated_from: null });
    expect(prompt(started.run_id)).toBe('Now document it\n');
    expect(t.meta(parent.id).escalated_to).toBeNull();
  });

  it("claude: runs in the parent's project dir, whatever the caller's cwd", async () => {
    const parent = await finished(['--project', repo, '--profile', 'claude'], 'Explain the layout\n');
    expect(parent.code).toBe(0);
    const elsewhere = t.dir('elsewhere');
    const r = await t.run(['resume', '--parent-run-id', parent.id], { input: 'And the tests?\n', cwd: elsewhere });
    expect(r.code, r.stderr).toBe(0);
    const id = r.stdout.trim();
    const { code, lines } = await wait([id]);
    expect(code, JSON.stringify(lines)).toBe(0);
    expect(lines[0].summary).toBe('claude turn 2: And the tests?');
    expect(t.meta(id)).toMatchObject({ mode: 'resume', agent: 'claude', project_dir: repo, thread_id: t.meta(parent.id).thread_id });
  });

  it('gemini: continues the same session', async () => {
    const parent = await finished(['--project', repo, '--profile', 'gemini'], 'List the modules\n');
    expect(parent.code).toBe(0);
    expect(parent.result.summary).toBe('gemini turn 1: List the modules');
    const r = await t.run(['resume', '--parent-run-id', parent.id], { input: 'Which is the largest?\n' });
    expect(r.code, r.stderr).toBe(0);
    const { code, lines } = await wait([r.stdout.trim()]);
    expect(code).toBe(0);
    expect(lines[0].summary).toBe('gemini turn 2: Which is the largest?');
    expect(t.meta(r.stdout.trim())).toMatchObject({ mode: 'resume', thread_id: t.meta(parent.id).thread_id });
  });

  it("another agent's profile: a fresh session carrying the parent's prompt, summary and follow-up", async () => {
    const task = 'Write the CSV parser\n@fake goal_met=false\n@fake summary=parser half done\n@fake followup=finish the quoting rules\n';
    const parent = await finished(['--project', repo, '--profile', 'spark'], task);
    expect(parent.code).toBe(1);
    const r = await t.run(['resume', '--parent-run-id', parent.id, '--profile', 'claude'], { input: 'Please complete it\n' });
    expect(r.code, r.stderr).toBe(0);
    const id = r.stdout.trim();
    const child = t.meta(id);
    expect(child).toMatchObject({ mode: 'fresh', agent: 'claude', profile: 'claude', parent_run_id: parent.id, project_dir: repo });

    const text = prompt(id);
    expect(text).toContain(task.trimEnd());
    expect(text).toContain('Its summary: parser half done');
    expect(text).toContain('Its suggested follow-up: finish the quoting rules');
    expect(text.indexOf('Please complete it')).toBeGreaterThan(text.indexOf('Its suggested follow-up'));

    await wait([id]);
    const ended = t.meta(id);
    expect(ended.status).toBe('finished');
    expect(ended.thread_id).toBeTruthy();
    expect(ended.thread_id).not.toBe(t.meta(parent.id).thread_id);
  });

  it('a run with no session id cannot be resumed', async () => {
    // the fake dies on an unknown directive before thread.started
    const broken = await finished(['--project', repo, '--profile', 'spark'], 'Do it\n@fake no-such-directive\n');
    expect(broken.code).toBe(3);
    expect(t.meta(broken.id).thread_id).toBeNull();
    const r = await refused(['resume', '--parent-run-id', broken.id], 'again\n');
    expect(r.stderr).toMatch(/has no recorded codex session id, so it cannot be resumed/);
    expect(r.stderr).toMatch(/start a new run/);

    const ok = await finished(['--project', repo, '--profile', 'spark'], 'Something\n');
    const metaPath = join(t.home, 'runs', ok.id, 'meta.json');
    writeFileSync(metaPath, JSON.stringify({ ...t.meta(ok.id), thread_id: null }));
    const r2 = await refused(['resume', '--parent-run-id', ok.id], 'more\n');
    expect(r2.stderr).toMatch(new RegExp(`run ${ok.id} has no recorded codex session id`));
  });

  it('a run still going cannot be resumed or escalated', async () => {
    const id = await t.start(['--project', repo, '--profile', 'spark'], 'Long job\n@fake hang\n');
    const r = await refused(['resume', '--parent-run-id', id], 'more\n');
    expect(r.stderr).toMatch(new RegExp(`run ${id} is still (pending|running): wait for it \\("agentctl wait ${id}"\\)`));
    const e = await refused(['escalate', id]);
    expect(e.stderr).toMatch(/is still (pending|running): wait for it/);
    expect((await t.run(['cancel', id])).code).toBe(0);
  });
});

describe('escalate', () => {
  const followup = 'Rewrite the cache layer and run its tests';
  let parent: string;
  let child: string;

  it('starts the profile\'s escalate_to profile with exactly the follow-up prompt', async () => {
    const p = await finished(['--project', repo, '--profile', 'spark'], `Fix the cache\n@fake goal_met=false\n@fake followup=${followup}\n`);
    expect(p.code).toBe(1);
    expect(p.result).toMatchObject({ outcome: 'goal_not_met', followup_prompt: followup, escalated_to: null });
    parent = p.id;

    const r = await t.run(['escalate', parent, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const started = JSON.parse(r.stdout);
    child = started.run_id;
    expect(started).toMatchObject({ profile: 'deep', agent: 'codex', mode: 'resume', parent_run_id: parent, escalated_from: parent });
    expect(prompt(child)).toBe(followup);
    expect(t.meta(parent).escalated_to).toBe(child);
    expect(t.meta(child)).toMatchObject({ escalated_from: parent, parent_run_id: parent, escalation_depth: 1, thread_id: t.meta(parent).thread_id });
    const notes = parseJsonLines(readFileSync(join(t.home, 'notify.log'), 'utf8'));
    expect(notes.filter((n) => n.event === 'escalate' && n.run_id === parent)).toEqual([expect.objectContaining({ escalated_to: child })]);

    const { code, lines } = await wait([child]);
    expect(code).toBe(0);
    expect(lines[0]).toMatchObject({ outcome: 'goal_met', summary: `codex turn 2: ${followup}`, parent_run_id: parent });
    const w = await wait([parent]);
    expect(w.lines[0].escalated_to).toBe(child);
  });

  it('twice is an error', async () => {
    const r = await refused(['escalate', parent]);
    expect(r.stderr).toMatch(new RegExp(`already escalated to ${child}: escalate that run instead`));
  });

  it('a run that met its goal is not escalated', async () => {
    const r = await refused(['escalate', child]);
    expect(r.stderr).toMatch(/met its goal: nothing to escalate/);
  });

  it('a profile without escalate_to: error saying how to fix, and --profile works', async () => {
    const p = await finished(['--project', repo, '--profile', 'deep'], 'Hard bug\n@fake goal_met=false\n@fake followup=try the other approach\n');
    expect(p.code).toBe(1);
    const r = await refused(['escalate', p.id]);
    expect(r.stderr).toMatch(/profile deep has no escalate_to: pass --profile, or set "escalate_to" for it in config\.json/);
    expect(t.meta(p.id).escalated_to).toBeNull();

    const unknown = await refused(['escalate', p.id, '--profile', 'nope']);
    expect(unknown.stderr).toMatch(/unknown profile "nope"/);

    const ok = await t.run(['escalate', p.id, '--profile', 'claude']);
    expect(ok.code, ok.stderr).toBe(0);
    const id = ok.stdout.trim();
    expect(t.meta(id)).toMatchObject({ profile: 'claude', mode: 'fresh', escalated_from: p.id });
    expect(prompt(id)).toMatch(/# Your task\ntry the other approach\n$/);
    expect(t.meta(p.id).escalated_to).toBe(id);
    await wait([id]);
  });
});

describe('--auto-escalate', () => {
  it('a run that misses its goal continues on escalate_to; wait and wait --follow report it', async () => {
    const followup = 'Use a lock around the counter';
    const id = await t.start(['--project', repo, '--profile', 'spark', '--auto-escalate'], `Fix the race\n@fake goal_met=false\n@fake followup=${followup}\n`);

    const w = await wait([id]);
    expect(w.code).toBe(1);
    expect(w.lines).toHaveLength(1);
    expect(w.lines[0]).toMatchObject({ run_id: id, outcome: 'goal_not_met' });
    const child = w.lines[0].escalated_to;
    expect(child).toBeTruthy();
    expect(t.meta(child)).toMatchObject({ profile: 'deep', escalated_from: id, parent_run_id: id, auto_escalate: true });
    expect(prompt(child)).toBe(followup);

    const f = await wait([id], ['--follow']);
    expect(f.code).toBe(0);
    expect(f.lines).toHaveLength(1);
    expect(f.lines[0]).toMatchObject({ run_id: child, outcome: 'goal_met', chain: [id, child], parent_run_id: id });

    // the moment wait returns, the finish line is already in the log
    const tail = parseJsonLines((await t.run(['tail', '--json', '--no-follow', '-n', '100'])).stdout);
    expect(tail.some((n) => n.event === 'finish' && n.run_id === child)).toBe(true);
    const notes = parseJsonLines(readFileSync(join(t.home, 'notify.log'), 'utf8'));
    expect(notes.filter((n) => n.event === 'escalate' && n.run_id === id)).toEqual([expect.objectContaining({ escalated_to: child })]);
    const finish = notes.find((n) => n.event === 'finish' && n.run_id === id);
    expect(finish.escalated_to).toBe(child);
  });

  it('a run that failed before its agent session started escalates to a fresh session with its context', async () => {
    // the fake dies on the unknown directive before thread.started: no session to continue
    const task = 'Port the build to esbuild\n@fake no-such-directive\n';
    const id = await t.start(['--project', repo, '--profile', 'spark', '--auto-escalate'], task);
    const f = await wait([id], ['--follow']);
    const parent = t.meta(id);
    expect(parent).toMatchObject({ outcome: 'agent_error', thread_id: null });
    expect(parent.errors.join('\n')).not.toMatch(/auto-escalation failed/);
    const child = parent.escalated_to;
    expect(child).toBeTruthy();
    expect(f.lines[0]).toMatchObject({ run_id: child, chain: [id, child] });
    expect(t.meta(child)).toMatchObject({ profile: 'deep', mode: 'fresh', escalated_from: id, parent_run_id: id });
    const text = prompt(child);
    expect(text).toContain('# Context from an earlier run');
    expect(text).toContain(task.trimEnd());
    expect(text).toMatch(/# Your task\nThe previous attempt \(run \S+\) failed with an error before it could finish/);
  });

  it('a run that meets its goal is not escalated', async () => {
    const id = await t.start(['--project', repo, '--profile', 'spark', '--auto-escalate'], 'Easy one\n');
    const f = await wait([id], ['--follow']);
    expect(f.code).toBe(0);
    expect(f.lines[0]).toMatchObject({ run_id: id, escalated_to: null, chain: [id] });
  });
});

describe('max_escalations', () => {
  let u: TestEnv;
  beforeAll(async () => {
    u = await makeEnv();
    expect((await u.run(['init'])).code).toBe(0);
  });
  afterAll(async () => {
    await u?.cleanup();
  });

  it('a cycle ping -> pong -> ping stops after max_escalations', async () => {
    const failing = ['sh', '-c', 'cat >/dev/null; echo still broken; exit 1'];
    writeConfig(u, {
      max_escalations: 2,
      profiles: {
        ping: { agent: 'shell', command: failing, escalate_to: 'pong' },
        pong: { agent: 'shell', command: failing, escalate_to: 'ping' },
      },
    });
    const root = await u.start(['--profile', 'ping', '--auto-escalate'], 'Make the check pass\n');
    const r = await u.run(['wait', '--follow', '--timeout', '30', root]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const [line] = parseJsonLines(r.stdout);
    expect(line.chain).toHaveLength(3);
    expect(line.chain[0]).toBe(root);
    expect(line).toMatchObject({ run_id: line.chain[2], outcome: 'goal_not_met', escalated_to: null, exit_code: 1 });
    expect(line.chain.map((id: string) => u.meta(id).profile)).toEqual(['ping', 'pong', 'ping']);
    expect(line.chain.map((id: string) => u.meta(id).escalation_depth)).toEqual([0, 1, 2]);
    const last = u.meta(line.chain[2]);
    expect(last.errors.join(' ')).not.toMatch(/auto-escalation failed/);

    // nothing else was started, and manual escalation refuses too
    const list = JSON.parse((await u.run(['list', '--json'])).stdout);
    expect(list).toHaveLength(3);
    const e = await u.run(['escalate', line.chain[2]]);
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/already 2 escalations deep \(max_escalations 2\)/);
    expect(existsSync(join(u.home, 'runs'))).toBe(true);
  });
});
