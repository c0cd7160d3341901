// The wake-up line, on a private tmux server: typed only into the pane init recorded (not into
// whatever took its id after a tmux restart), only onto an empty input line, and a wedged tmux
// server cannot hang a run's end. A line that could not be typed says why in notify.log.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseJsonLines, processGone, suiteEnv, type TestEnv, waitFor } from '../helpers/harness.js';

let t: TestEnv;
suiteEnv((env) => {
  t = env;
});

/** A pane in a new session that logs every line typed into it to file; returns its id. */
function readerPane(session: string, file: string): string {
  const reader = `while IFS= read -r line; do printf '%s\\n' "$line" >> '${file}'; done`;
  return t.tmux(['new-session', '-d', '-s', session, '-x', '160', '-y', '40', '-P', '-F', '#{pane_id}', 'sh', '-c', reader]).trim();
}

/** Stop the server, and wait until its process is gone. */
async function killServer(): Promise<void> {
  const pid = Number(t.tmux(['display-message', '-p', '#{pid}']).trim());
  t.tmux(['kill-server']);
  await waitFor(() => processGone(pid), 5000, 'tmux server gone');
}

const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);
const notes = () => parseJsonLines(readFileSync(join(t.home, 'notify.log'), 'utf8'));
const skipped = (id: string) => notes().find((n) => n.event === 'wake_skipped' && n.run_id === id);
const wakeLine = (id: string) => `[AI_ORCH DONE run_id=${id} goal_met=true exit=0]`;
const doctorCheck = async (name: string) => JSON.parse((await t.run(['doctor', '--json'])).stdout).checks.find((c: any) => c.name === name);

async function quickRun(): Promise<string> {
  const id = await t.start(['--agent', 'shell', '--window', '--title', 'wake', '--', 'true']);
  expect((await t.run(['wait', id])).code).toBe(0);
  return id;
}

describe('which pane', () => {
  it('init --wake-pane refuses a pane that does not exist, and changes nothing', async () => {
    readerPane('first', join(t.root, 'first.txt'));
    const before = readFileSync(join(t.home, 'config.json'), 'utf8');
    const r = await t.run(['init', '--wake-pane', '%77']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^agentctl: tmux pane %77 does not exist on the tmux server agentctl uses .*--wake-here/);
    expect(readFileSync(join(t.home, 'config.json'), 'utf8')).toBe(before);
    await killServer();
  });

  it('after a tmux restart the reused pane id gets no wake-up line, and doctor says why', async () => {
    const mine = join(t.root, 'orchestrator.txt');
    const orch = readerPane('orch', mine);
    expect((await t.run(['init', '--wake-pane', orch])).code).toBe(0);
    expect((await doctorCheck('tmux_sendkeys_target')).level).toBe('ok');

    await killServer();
    const other = join(t.root, 'unrelated.txt');
    expect(readerPane('other', other)).toBe(orch); // a new server hands the same id out again
    const id = await quickRun();
    const note = await waitFor(() => skipped(id), 10_000, 'wake_skipped line');
    expect(note.reason).toMatch(/tmux server was restarted/);
    expect(lines(other)).toEqual([]);
    // nor is a worker placed beside it, as if it were the orchestrator
    const beside = await t.start(['--agent', 'shell', '--title', 'placed', '--', 'true']);
    expect(t.meta(beside).tmux.placement).not.toBe('split');
    expect((await t.run(['wait', beside])).code).toBe(0);
    expect(await doctorCheck('tmux_sendkeys_target')).toMatchObject({ level: 'warn', detail: expect.stringMatching(/restarted/) });
    await killServer();
  });
});

describe('when', () => {
  let orch: string;
  let input: string;
  beforeAll(async () => {
    input = join(t.root, 'typed.txt');
    orch = readerPane('orch', input);
    expect((await t.run(['init', '--wake-pane', orch])).code).toBe(0);
  });

  it('a line the person is half-way through typing is never glued to: the wake-up waits, then is skipped and logged', async () => {
    t.tmux(['send-keys', '-t', orch, '-l', 'half-typed']);
    const id = await quickRun();
    const note = await waitFor(() => skipped(id), 20_000, 'wake_skipped line');
    expect(note.reason).toMatch(/input line stayed busy for 10 s/);
    t.tmux(['send-keys', '-t', orch, 'Enter']);
    await waitFor(() => lines(input).length, 5000, 'the person\'s line');
    expect(lines(input)).toEqual(['half-typed']);
  });

  it('the wake-up is typed once the input line is empty again', async () => {
    t.tmux(['send-keys', '-t', orch, '-l', 'second']);
    const id = await quickRun();
    t.tmux(['send-keys', '-t', orch, 'Enter']);
    await waitFor(() => lines(input).length >= 3, 15_000, 'the wake-up line');
    expect(lines(input)).toEqual(['half-typed', 'second', wakeLine(id)]);
    expect(skipped(id)).toBeUndefined();
  });

  it('a full-screen TUI (hidden cursor, like Claude Code): typed when its prompt holds only a dim placeholder, not when it holds text', async () => {
    const tui = async (prompt: string, file: string) => {
      // draws a boxed input line, hides the cursor, then takes input without echoing it
      const draw = `printf '\\033[?25l╭────────────╮\\n│ > ${prompt} │\\n╰────────────╯\\n'; stty -echo; exec cat >> '${file}'`;
      const pane = t.tmux(['new-window', '-d', '-t', 'orch:', '-P', '-F', '#{pane_id}', 'sh', '-c', draw]).trim();
      await waitFor(() => t.tmux(['capture-pane', '-p', '-t', pane]).includes('╰'), 5000, 'TUI drawn');
      expect((await t.run(['init', '--wake-pane', pane])).code).toBe(0);
      return pane;
    };
    const empty = join(t.root, 'tui-empty.txt');
    await tui('\\033[2mTry "fix lint errors"\\033[0m', empty);
    const id = await quickRun();
    await waitFor(() => lines(empty).length, 10_000, 'wake-up typed into the TUI');
    expect(lines(empty)).toEqual([expect.stringContaining(wakeLine(id))]);

    const busy = join(t.root, 'tui-busy.txt');
    await tui('fix the bug', busy);
    const other = await quickRun();
    expect((await waitFor(() => skipped(other), 20_000, 'wake_skipped line')).reason).toMatch(/input line stayed busy/);
    expect(lines(busy)).toEqual([]);
    expect((await t.run(['init', '--wake-pane', orch])).code).toBe(0);
  });

  it('a wedged tmux server cannot hang the end of a run: each tmux call has a time limit', async () => {
    const serverPid = Number(t.tmux(['display-message', '-p', '#{pid}']).trim());
    const id = await t.start(['--agent', 'shell', '--window', '--title', 'wedged', '--', 'sh', '-c', 'read x < /dev/null; sleep 1']);
    await waitFor(() => t.meta(id).status === 'running', 10_000, 'run started');
    process.kill(serverPid, 'SIGSTOP');
    try {
      await waitFor(() => t.meta(id).status !== 'running', 15_000, 'run ended');
      const ended = Date.now();
      await waitFor(() => processGone(t.meta(id).pids.supervisor), 15_000, 'supervisor exited');
      // one call runs into the limit (5 s); the ones after it are not made
      expect(Date.now() - ended).toBeLessThan(8000);
      expect(skipped(id)?.reason).toMatch(/tmux did not answer in time/);
    } finally {
      process.kill(serverPid, 'SIGCONT');
    }
  });
});
