// Nothing that finishes a run may hang it, and no duration or date may make a run or a wait
// end early or never: long timeouts are honoured, absurd ones refused, every phase after the
// agent (validating its answer, git) is bounded, and a record dated in the future ends a wait.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa, execaSync } from 'execa';
import { describe, expect, it } from 'vitest';
import { CLI, type TestEnv, traced, suiteEnv } from '../helpers/harness.js';

let t: TestEnv;
let repo: string;

suiteEnv((env) => {
  t = env;
  repo = t.repo('bounded');
});

/** A shell run that works until `gate` exists, then answers goal met. */
async function gatedRun(gate: string, extra: string[] = []): Promise<string> {
  const script = `while [ ! -e '${gate}' ]; do sleep 0.1; done`;
  return t.start(['--project', repo, '--agent', 'shell', '--title', 'gated', ...extra, '--', 'sh', '-c', script]);
}

describe.concurrent('durations', () => {
  it('a --timeout over 2^31 ms (25d) does not time the run out at once', async () => {
    const gate = join(t.root, 'gate-25d');
    const id = await gatedRun(gate, ['--timeout', '25d']);
    expect(t.meta(id).timeout_s).toBe(25 * 86400);
    // the run is working (not ended by an overflowed timer) before it is let go
    const w = await t.run(['wait', id, '--timeout', '2s']);
    expect(JSON.parse(w.stdout)).toMatchObject({ run_id: id, status: 'running' });
    writeFileSync(gate, '');
    const r = await t.run(['wait', id]);
    expect(JSON.parse(r.stdout)).toMatchObject({ run_id: id, outcome: 'goal_met' });
    expect(r.code).toBe(0);
  });

  it('wait --timeout 30d waits for the run, without a TimeoutOverflowWarning', async () => {
    const gate = join(t.root, 'gate-30d');
    const id = await gatedRun(gate);
    const p = execa(process.execPath, [CLI, 'wait', id, '--timeout', '30d'], { env: { ...t.env, AGENTCTL_TRACE: '1' }, extendEnv: false, cwd: t.root, reject: false, timeout: 30_000 });
    await traced(p, 'watching');
    writeFileSync(gate, '');
    const r = await p;
    expect(String(r.stderr)).not.toMatch(/TimeoutOverflowWarning/);
    expect(JSON.parse(String(r.stdout))).toMatchObject({ run_id: id, outcome: 'goal_met' });
    expect(r.exitCode).toBe(0);
  });

  it.each([
    ['start', ['start', '--agent', 'shell', '--timeout', '400d', '--', 'true']],
    ['start, a 300-digit number', ['start', '--agent', 'shell', '--timeout', '9'.repeat(300), '--', 'true']],
    ['wait', ['wait', 'nope', '--timeout', '366d']],
  ])('%s refuses a duration beyond 365d with exit 2, in one line naming the maximum', async (_what, args) => {
    const r = await t.run(args, { cwd: repo });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')[0]).toMatch(/^agentctl: invalid (timeout|--timeout) "[^"]{1,40}": the maximum is 365d$/);
    expect(r.stderr.length).toBeLessThan(300);
  });
});

describe.concurrent('the result schema', () => {
  it('an answer on which the schema\'s pattern backtracks catastrophically ends the run as invalid_output, saying why', async () => {
    const schema = join(t.root, 'backtracking.json');
    writeFileSync(schema, JSON.stringify({ type: 'object', properties: { a: { type: 'string', pattern: '^(a+)+$' } } }));
    const answer = JSON.stringify({ a: `${'a'.repeat(36)}!` });
    const id = await t.start(['--project', repo, '--agent', 'shell', '--schema', schema, '--title', 'backtrack', '--', 'sh', '-c', `printf '%s' '${answer}' > "$AGENTCTL_RESULT_FILE"`]);
    const r = await t.run(['wait', id], { timeoutMs: 60_000 });
    const line = JSON.parse(r.stdout);
    const why = 'validating the answer took over 10s and was stopped: the schema\'s pattern "^(a+)+$" backtracks catastrophically on it';
    expect(line).toMatchObject({ run_id: id, status: 'finished', outcome: 'invalid_output', error: why, summary: `invalid output: ${why}` });
    expect(r.code).toBe(3);
    expect(t.meta(id).validation_errors).toEqual([why]);
  }, 90_000);

  it.each([
    ['self-referential', { $ref: '#' }, /^agentctl: schema \S+ refers to itself without end \(a "\$ref" cycle that checks the same value again\): fix the schema$/],
    ['not compilable', { type: 'object', properties: { a: { type: 'strin' } } }, /^agentctl: schema \S+ is not a valid JSON Schema \(.+\): fix the schema$/],
    ['200 KB', { type: 'object', description: 'x'.repeat(200 * 1024) }, /^agentctl: schema \S+ is 201 KB as compact JSON, over the limit of 100 KB \(agents get the schema on their command line\): make it smaller$/],
    ['6 MB', { type: 'object', description: 'x'.repeat(6 * 1024 * 1024) }, /^agentctl: cannot read schema file \S+: larger than 1 MB \(6 MB\): make it smaller \(agents get the schema on their command line: at most 100 KB as compact JSON\)$/],
  ])('start refuses a %s schema with exit 2 and one line', async (name, schema, message) => {
    const file = join(t.root, `${name.replace(/\W/g, '-')}.json`);
    writeFileSync(file, JSON.stringify(schema));
    const r = await t.run(['start', '--project', repo, '--agent', 'claude', '--schema', file, '--title', name], { input: 'hello\n' });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('git after the agent', () => {
  it('a post-commit hook that blocks: the worktree commit is stopped, recorded as timed out, and the run still ends and is announced', async () => {
    const hooked = t.repo('hooked');
    const marker = join(t.root, 'hook-ran');
    // the hook is shared by the run's worktree (hooks live in the common git dir)
    writeFileSync(join(hooked, '.git', 'hooks', 'post-commit'), `#!/bin/sh\necho started > '${marker}'\nsleep 600\n`, { mode: 0o755 });
    const id = await t.start(['--project', hooked, '--agent', 'shell', '--worktree', '--title', 'hooked', '--', 'sh', '-c', 'echo change > file.txt'], undefined, { env: { AGENTCTL_GIT_TIMEOUT: '2s' } });
    const r = await t.run(['wait', id], { timeoutMs: 60_000 });
    expect(JSON.parse(r.stdout)).toMatchObject({ run_id: id, status: 'finished' });
    const meta = t.meta(id);
    expect(meta.errors).toEqual([expect.stringMatching(/^committing the run's changes failed \(git commit took over 2s and was stopped \(a hook or another process may be blocking it\)\)/)]);
    expect(existsSync(marker)).toBe(true);
    const events = readFileSync(join(t.home, 'notify.log'), 'utf8').split('\n').filter((l) => l.includes(id));
    expect(events.some((l) => JSON.parse(l).event === 'finish')).toBe(true);
  }, 90_000);
});

describe('a record dated in the future', () => {
  const FUTURE = '2099-06-01T12:00:00.000Z';

  /** A finished run's files under a new id, its record changed by `change`. */
  async function fabricated(name: string, change: (m: Record<string, any>) => Record<string, unknown>): Promise<string> {
    const template = await t.start(['--project', repo, '--agent', 'shell', '--title', name, '--', 'true']);
    expect((await t.run(['wait', template])).code).toBe(0);
    const id = `${template}-${name}`;
    execaSync('cp', ['-r', join(t.home, 'runs', template), join(t.home, 'runs', id)]);
    const meta = { ...t.meta(template), run_id: id, ...change(t.meta(template)) };
    writeFileSync(join(t.home, 'runs', id, 'meta.json'), JSON.stringify(meta));
    return id;
  }

  it('a pending run created "in 2099" whose pane is gone: wait reports it lost promptly', async () => {
    const id = await fabricated('future-pending', (m) => ({
      status: 'pending', outcome: null, ended_at: null, started_at: null, goal_met: null, summary: null, exit_code: null,
      created_at: FUTURE, tmux: { ...m.tmux, pane: '%99999' },
      pids: { supervisor: null, supervisor_start: null, agent: null, agent_start: null },
    }));
    const started = Date.now();
    const r = await t.run(['wait', id, '--timeout', '20s']);
    expect(JSON.parse(r.stdout)).toMatchObject({ run_id: id, status: 'lost', outcome: 'lost' });
    expect(r.code).toBe(4);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('a running run started "in 2099" whose supervisor is dead, and one ended "in 2099": wait returns at once', async () => {
    const running = await fabricated('future-running', () => ({
      status: 'running', outcome: null, ended_at: null, goal_met: null, summary: null, exit_code: null, created_at: FUTURE, started_at: FUTURE,
      pids: { supervisor: 999_999_999, supervisor_start: '1', agent: null, agent_start: null },
    }));
    const ended = await fabricated('future-ended', () => ({ created_at: FUTURE, started_at: FUTURE, ended_at: FUTURE }));
    const r = await t.run(['wait', running, ended, '--timeout', '20s']);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual(expect.arrayContaining([expect.objectContaining({ run_id: running, outcome: 'lost' }), expect.objectContaining({ run_id: ended, outcome: 'goal_met' })]));
    expect(r.code).toBe(4);
  });
});
