// `agentctl top` as a person sees it: piped, one snapshot; on a terminal (a real pane on the
// private tmux server, read with capture-pane and driven with send-keys), a live list that
// shows a run started after it opened, details, filters, a cancel that asks first, a jump to
// the worker's pane, help, quit, and an instance's permission request answered from the view
// (through the real permission hook process the agent would be blocked in).
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendEvent, permissionHookCommand } from '../../src/core/instances/events.js';
import { procStartTime } from '../../src/core/sys/proctree.js';
import { BIN, ROOT, suiteEnv, type TestEnv, waitFor } from '../helpers/harness.js';
import { terminalShot } from '../helpers/terminal-shot.js';
import { claude, fireHook, newInstance } from '../helpers/instances.js';

let t: TestEnv;
suiteEnv((env) => {
  t = env;
});

const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** `agentctl top` in a pane of its own (120x30) with the test's environment; returns the pane. */
function topPane(session: string, width = 120): string {
  const script = join(t.root, `${session}.sh`);
  const exports = Object.entries(t.env).map(([k, v]) => `export ${k}=${shq(v)}`);
  writeFileSync(script, `${exports.join('\n')}\nexec ${shq(BIN)} top\n`);
  return t.tmux(['new-session', '-d', '-s', session, '-x', String(width), '-y', '30', '-P', '-F', '#{pane_id}', 'sh', script]).trim();
}

/** q, and the pane's session gone with top. */
async function quit(pane: string, session: string): Promise<void> {
  t.tmux(['send-keys', '-t', pane, 'q']);
  const sessions = () => {
    try {
      return t.tmux(['list-sessions', '-F', '#{session_name}']).split('\n');
    } catch {
      return []; // its session was the server's last: the server is gone too
    }
  };
  await waitFor(() => !sessions().includes(session), 10_000, 'top to quit');
}

const screen = (pane: string) => t.tmux(['capture-pane', '-p', '-t', pane]);
const keys = (pane: string, ...k: string[]) => t.tmux(['send-keys', '-t', pane, ...k]);
const shows = (pane: string, text: string | RegExp, what = String(text)) =>
  waitFor(() => {
    const s = screen(pane);
    return (typeof text === 'string' ? s.includes(text) : text.test(s)) ? s : null;
  }, 15_000, `top to show ${what}`);

describe('top, piped', () => {
  it('prints one snapshot of the runs, newest first, with states and control characters made visible', async () => {
    const done = await t.start(['--agent', 'shell', '--title', 'first one', '--', 'true'], 'p');
    const failed = await t.start(['--agent', 'shell', '--title', 'bad \x1b[31mred\x1b[0m', '--', 'false'], 'p');
    await t.run(['wait', done, failed]);
    const r = await t.run(['top']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^\s+ID\s+STATE\s+AGE\s+TIME\s+WHO\s+PROJECT\s+COST\s+TITLE$/);
    expect(lines[1]).toContain(failed);
    expect(lines[1]).toContain('goal_not_met');
    expect(lines[2]).toContain(done);
    expect(lines[2]).toContain('goal_met');
    expect(r.stdout).not.toContain('\x1b');
    expect(r.stdout).toContain('bad \\e[31mred\\e[0m');
    const good = await t.run(['top', '--status', 'good']);
    expect(good.stdout).toContain(done);
    expect(good.stdout).not.toContain(failed);
  });
});

describe('top, on a terminal', () => {
  it('follows new runs live, shows details and help, filters, and quits', async () => {
    const pane = topPane('live');
    await shows(pane, 'agentctl top');
    // a run started after top opened shows up without a key press
    const id = await t.start(['--agent', 'shell', '--title', 'arrives later', '--', 'sleep', '30'], 'the prompt of the late run');
    // first pending, then running: the run's own record changing is followed too
    let s = await shows(pane, new RegExp(`> R\\s+${id}\\s+running`), 'the new run running');
    expect(s).toContain('1 working');

    keys(pane, 'Enter');
    s = await shows(pane, 'prompt:');
    expect(s).toContain(`run ${id}`);
    expect(s).toContain('the prompt of the late run');
    keys(pane, 'Escape');
    await shows(pane, /> R\s+\S+\s+running/, 'the list again');

    keys(pane, '?');
    await shows(pane, 'go to the worker');
    keys(pane, 'x');
    await shows(pane, /ID\s+STATE\s+AGE/, 'the list again');

    // only failed ones: the running run leaves the list
    keys(pane, 's');
    await shows(pane, 'status: working');
    keys(pane, 's');
    keys(pane, 's');
    keys(pane, 's');
    s = await shows(pane, 'status: failed');
    expect(s).not.toContain(id);
    keys(pane, 's');
    await shows(pane, id);

    // cancel asks first; "n" leaves the run alone, "y" cancels it
    keys(pane, 'c');
    await shows(pane, `cancel run ${id} "arrives later"? (y/n)`);
    keys(pane, 'n');
    await shows(pane, 'nothing done');
    expect(t.meta(id).status).toBe('running');
    keys(pane, 'c');
    await shows(pane, '(y/n)');
    keys(pane, 'y');
    await shows(pane, new RegExp(`${id}\\s+cancelled`), 'the run cancelled');
    expect(t.meta(id).outcome).toBe('cancelled');

    await quit(pane, 'live');
  });

  it('g brings the worker\'s pane to the front of its window', async () => {
    const id = await t.start(['--agent', 'shell', '--title', 'jump here', '--', 'sleep', '30'], 'p');
    const worker = t.meta(id).tmux.pane as string;
    const pane = topPane('jump');
    await shows(pane, id);
    // make another pane of the worker's window the active one, so the jump has something to do
    const other = t.tmux(['split-window', '-d', '-t', worker, '-P', '-F', '#{pane_id}', 'sleep', '30']).trim();
    t.tmux(['select-pane', '-t', other]);
    expect(t.tmux(['display-message', '-p', '-t', worker, '#{pane_active}']).trim()).toBe('0');
    keys(pane, 'g');
    await shows(pane, `went to pane ${worker}`);
    expect(t.tmux(['display-message', '-p', '-t', worker, '#{pane_active}']).trim()).toBe('1');
    await quit(pane, 'jump');
    expect((await t.run(['cancel', id])).code).toBe(0);
  });
});

describe('top and instances', () => {
  it('shows an instance asking permission with its question, and allows it through the hook after asking', async () => {
    // an instance whose supervisor and agent are this test process (alive), busy with a turn
    const id = 'i-top001';
    const f = newInstance(t.home, {
      id,
      name: 'dev',
      role: 'developer',
      supervisor_pid: process.pid,
      supervisor_start: procStartTime(process.pid),
      agent_pid: process.pid,
      agent_start: procStartTime(process.pid),
      tmux: { socket: t.socket, socket_name: null, session: null, pane: null },
    });
    appendEvent(f, { source: 'agentctl', kind: 'launched', life: 1 });
    fireHook(f, claude.base('SessionStart', { source: 'startup' }));
    const pane = topPane('asks', 200);
    await shows(pane, new RegExp(`I\\s+${id}\\s+idle`), 'the idle instance');

    appendEvent(f, { source: 'agentctl', kind: 'send', turn: 1, text: 'clean up' });
    fireHook(f, claude.base('UserPromptSubmit', { prompt: 'clean up' }));
    await shows(pane, new RegExp(`I\\s+${id}\\s+working`), 'the instance working');
    // the agent's PermissionRequest hook: agentctl's own, blocking until it is answered
    const hook = spawn('sh', ['-c', permissionHookCommand(t.home, id)], { env: t.env, stdio: ['pipe', 'pipe', 'ignore'] });
    let decision = '';
    hook.stdout!.on('data', (d) => (decision += d));
    const answered = new Promise((r) => hook.on('exit', r));
    hook.stdin!.end(JSON.stringify(claude.base('PermissionRequest', { tool_name: 'Bash', tool_input: { command: 'rm -rf build' }, permission_suggestions: [] })));

    let s = await shows(pane, 'needs_permission', 'the question');
    expect(s).toContain('1 needs you');
    // a picture of the view for people (test-artifacts/; the README's docs/img/top.png is one)
    await terminalShot(t.tmux(['capture-pane', '-e', '-p', '-t', pane]), join(ROOT, 'test-artifacts', 'top.png'), { columns: 150, rows: 8 });
    expect(s).toContain('dev [asks: Bash {"command":"rm -rf build"}]');
    keys(pane, 'a');
    s = await shows(pane, '(y/n)');
    expect(s).toContain(`ALLOW instance ${id} (dev)'s request: Bash {"command":"rm -rf build"}?`);
    keys(pane, 'y');
    await answered;
    expect(decision).toBe('{"hookSpecificOutput":{"hookEventName":"PermissionRequest","decision":{"behavior":"allow"}}}\n');
    await shows(pane, new RegExp(`I\\s+${id}\\s+working`), 'the instance working again');
    fireHook(f, claude.base('Stop', { last_assistant_message: 'cleaned' }));
    await shows(pane, new RegExp(`I\\s+${id}\\s+idle.*after turn 1`), 'the turn ended');
    await quit(pane, 'asks');
  });
});
