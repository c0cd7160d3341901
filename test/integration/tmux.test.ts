// agentctl and tmux, on a private server: where worker panes go (beside the orchestrator, then
// an overflow window) without ever taking focus, what their titles say, the wake-up line typed
// into the orchestrator's pane, stale notification targets, and which panes stay after a run.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEnv, parseJsonLines, processGone, type TestEnv, waitFor, writeConfig } from '../helpers/harness.js';

const RUN_ID = /^\d{8}-\d{6}-[a-z0-9]{4}$/;

let t: TestEnv;
let repo: string;
/** The orchestrator's pane: a shell loop that logs every line typed into it. */
let orch: string;
let orchWindow: string;
let received: string;

beforeAll(async () => {
  t = await makeEnv();
  repo = t.repo();
  expect((await t.run(['init'])).code).toBe(0);
  received = join(t.root, 'orchestrator-input.txt');
  const reader = `while IFS= read -r line; do printf '%s\\n' "$line" >> '${received}'; done`;
  orch = t.tmux(['new-session', '-d', '-s', 'orch', '-x', '200', '-y', '50', '-P', '-F', '#{pane_id}', 'sh', '-c', reader]).trim();
  orchWindow = t.tmux(['display-message', '-p', '-t', orch, '#{window_id}']).trim();
  writeConfig(t, { tmux_sendkeys_target: orch, max_panes_per_window: 4 });
});

afterAll(async () => {
  // supervisors still finishing up (notify.log, tmux) must not race the workspace's removal
  await t?.cleanup();
});

// ---------------------------------------------------------------- helpers

interface Pane {
  id: string;
  window: string;
  windowName: string;
  session: string;
  active: boolean;
  dead: boolean;
  title: string;
  command: string;
}

function panes(): Pane[] {
  const fmt = ['#{pane_id}', '#{window_id}', '#{window_name}', '#{session_name}', '#{pane_active}', '#{pane_dead}', '#{pane_title}', '#{pane_start_command}'].join('\t');
  return t
    .tmux(['list-panes', '-a', '-F', fmt])
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [id, window, windowName, session, active, dead, title, command] = l.split('\t') as string[];
      return { id: id!, window: window!, windowName: windowName!, session: session!, active: active === '1', dead: dead === '1', title: title!, command: command! };
    });
}

const pane = (id: string) => panes().find((p) => p.id === id);

/** Lines the orchestrator pane has received so far. */
function orchestratorInput(): string[] {
  return existsSync(received) ? readFileSync(received, 'utf8').split('\n').filter(Boolean) : [];
}

const wakeLine = (id: string, goalMet: boolean, exit: number) => `[AI_ORCH DONE run_id=${id} goal_met=${goalMet} exit=${exit}]`;

function start(prompt: string, args: string[] = []): Promise<string> {
  return t.start(['--project', repo, ...args], prompt);
}

async function waitAll(ids: string[]) {
  const r = await t.run(['wait', ...ids]);
  return { ...r, lines: parseJsonLines(r.stdout) };
}

/** Every run's supervisor has started (and read config.json); quick runs may have ended already. */
async function allStarted(ids: string[]): Promise<void> {
  await waitFor(() => ids.every((id) => t.meta(id).status !== 'pending'), 20_000, 'all supervisors started');
}

// ---------------------------------------------------------------- placement and wake-up

describe('beside an orchestrator pane', () => {
  it('ten parallel starts: distinct ids, 4 panes beside the orchestrator, the rest in agents windows, focus never moves', async () => {
    const profiles = ['spark', 'claude', 'gemini', 'spark', 'claude', 'gemini', 'spark', 'claude', 'gemini', 'deep'];
    const ids = await Promise.all(profiles.map((p, i) => start(`Parallel task ${i}\n@fake sleep=6\n`, ['--profile', p])));
    expect(ids.every((id) => RUN_ID.test(id)), ids.join(' ')).toBe(true);
    expect(new Set(ids).size).toBe(10);
    await allStarted(ids);

    const all = panes();
    const byId = new Map(all.map((p) => [p.id, p]));
    const workers = ids.map((id) => ({ id, meta: t.meta(id), pane: byId.get(t.meta(id).tmux.pane)! }));
    for (const w of workers) expect(w.pane, `pane of ${w.id}`).toBeDefined();

    // the orchestrator's window: itself and at most four workers
    const inOrchWindow = all.filter((p) => p.window === orchWindow);
    expect(inOrchWindow.length).toBeLessThanOrEqual(1 + 4);
    expect(workers.filter((w) => w.pane.window === orchWindow)).toHaveLength(4);
    expect(workers.filter((w) => w.meta.tmux.placement === 'split')).toHaveLength(4);
    // the rest overflow into windows named "agents", "agents-2" of the orchestrator's session, four at most each
    const overflow = workers.filter((w) => w.pane.window !== orchWindow);
    expect(overflow).toHaveLength(6);
    expect(new Set(overflow.map((w) => w.pane.windowName))).toEqual(new Set(['agents', 'agents-2']));
    for (const w of overflow) {
      expect(w.pane).toMatchObject({ windowName: expect.stringMatching(/^agents(-2)?$/), session: 'orch' });
      expect(w.meta.tmux.placement).toBe('agents-window');
      expect(all.filter((p) => p.window === w.pane.window).length).toBeLessThanOrEqual(4);
    }

    // focus stays with the orchestrator: its pane is the active one of the session's active window
    expect(t.tmux(['display-message', '-p', '-t', orch, '#{pane_active}#{window_active}']).trim()).toBe('11');
    expect(t.tmux(['display-message', '-p', '-t', 'orch', '#{pane_id}']).trim()).toBe(orch);
    // titles name the run and its profile (set by the supervisor as it starts)
    const titled = (w: (typeof workers)[number]) => {
      const title = pane(w.pane.id)?.title ?? '';
      return title.includes(w.id) && title.includes(` · ${w.meta.profile} · `);
    };
    await waitFor(() => workers.every(titled), 5000, 'pane titles');

    const done = await waitAll(ids);
    expect(done.code, done.stdout + done.stderr).toBe(0);
    expect(done.lines.map((l) => l.run_id).sort()).toEqual([...ids].sort());
    expect(done.lines.every((l) => l.goal_met === true && l.outcome === 'goal_met')).toBe(true);

    // notify.log: one whole JSON line per event, nothing interleaved
    const log = readFileSync(join(t.home, 'notify.log'), 'utf8');
    const events = log.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    for (const id of ids) {
      expect(events.filter((e) => e.run_id === id).map((e) => e.event).sort(), id).toEqual(['finish', 'start']);
    }

    // each finish typed exactly one whole line into the orchestrator
    await waitFor(() => ids.every((id) => orchestratorInput().includes(wakeLine(id, true, 0))), 10_000, 'ten wake-up lines');
    const input = orchestratorInput();
    for (const id of ids) expect(input.filter((l) => l.includes(id)), id).toEqual([wakeLine(id, true, 0)]);
    expect(input.every((l) => /^\[AI_ORCH DONE run_id=\S+ goal_met=(true|false) exit=\S+\]$/.test(l)), input.join('\n')).toBe(true);
    const screen = t.tmux(['capture-pane', '-p', '-J', '-S', '-', '-t', orch]);
    for (const id of ids) expect(screen).toContain(wakeLine(id, true, 0));
    expect(pane(orch)).toMatchObject({ dead: false, active: true });
  });

  it('the wake-up line is typed literally; a title with tmux key names and formats is shown as written', async () => {
    const marker = join(t.root, 'format-job-ran');
    const title = `C-c Enter #{pane_id} #(touch ${marker}) $(touch ${marker}) ; kill-server`;
    writeConfig(t, { tmux_notify_target: orch }); // the display-message flash carries the title too
    try {
      const miss = await start('Misses its goal\n@fake sleep=2\n@fake goal_met=false\n', ['--title', title]);
      const broken = await start('Fails\n@fake sleep=2\n@fake exit=1\n', ['--profile', 'claude', '--title', 'Escape C-d']);
      await allStarted([miss, broken]);
      const m = t.meta(miss);
      await waitFor(() => pane(m.tmux.pane)?.title === `${miss} · spark · ${title}`, 5000, 'worker pane title');

      const before = orchestratorInput().length;
      const done = await waitAll([miss, broken]);
      expect(done.code).toBe(3);
      await waitFor(() => orchestratorInput().length >= before + 2, 10_000, 'two wake-up lines');
      const input = orchestratorInput().slice(before);
      expect(input.sort()).toEqual([wakeLine(miss, false, 0), wakeLine(broken, false, 1)].sort());
      // nothing was interpreted: the orchestrator's reader still runs, the server is up, the title is intact
      expect(pane(orch)).toMatchObject({ dead: false, active: true });
      expect(JSON.parse((await t.run(['show', miss])).stdout).title).toBe(title);
      expect(pane(m.tmux.pane)).toMatchObject({ dead: true, title: `${miss} · spark · ${title}` }); // kept: it failed
      expect(existsSync(marker), 'a #() or $() in the title was run').toBe(false);
    } finally {
      writeConfig(t, { tmux_notify_target: null });
    }
  });
});

// ---------------------------------------------------------------- stale targets

describe('notification targets that do not exist', () => {
  it('a missing wake-up pane (%999) or display-message target is not an error', async () => {
    writeConfig(t, { tmux_sendkeys_target: '%999', tmux_notify_target: 'no-such-session:9' });
    try {
      const before = orchestratorInput().length;
      const id = await start('Finish anyway\n');
      const done = await waitAll([id]);
      expect(done.code, done.stderr).toBe(0);
      expect(done.lines[0]).toMatchObject({ run_id: id, outcome: 'goal_met', goal_met: true });
      expect(t.meta(id).errors).toEqual([]);
      expect(t.meta(id).tmux.session).toBe('ai'); // no orchestrator to sit beside
      // once the supervisor is gone nothing more can be typed; a marker typed after that arrives
      // after anything it had typed, so the lines up to the marker are all it sent
      await waitFor(() => processGone(t.meta(id).pids.supervisor), 10_000, 'supervisor exited');
      const marker = `marker-${id}`;
      t.tmux(['send-keys', '-t', orch, '-l', marker]);
      t.tmux(['send-keys', '-t', orch, 'Enter']);
      await waitFor(() => orchestratorInput().includes(marker), 10_000, 'the marker line');
      expect(orchestratorInput().slice(before)).toEqual([marker]);
    } finally {
      writeConfig(t, { tmux_sendkeys_target: orch, tmux_notify_target: null });
    }
  });
});

// ---------------------------------------------------------------- panes after a run

describe('worker panes after a run', () => {
  /** Start one run that meets its goal and one that fails; return their panes once both ended. */
  async function successAndFailure() {
    const ok = await start('Succeeds\n@fake sleep=0.5\n');
    const bad = await start('Fails\n@fake sleep=0.5\n@fake exit=2\n');
    const okPane = (await waitFor(() => t.meta(ok).tmux.pane, 5000)) as string;
    const badPane = (await waitFor(() => t.meta(bad).tmux.pane, 5000)) as string;
    await allStarted([ok, bad]); // their supervisors have read the config
    const done = await waitAll([ok, bad]);
    expect(done.lines.map((l) => l.outcome).sort()).toEqual(['agent_error', 'goal_met']);
    // the supervisor sets remain-on-exit just before it exits, and tmux removes a pane without
    // it a moment after its process ends: settled means gone, or dead with the option set
    const remains = (p: string) => t.tmux(['show-options', '-p', '-t', p, '-v', 'remain-on-exit']).trim() === 'on';
    await waitFor(() => [okPane, badPane].every((p) => !pane(p) || (pane(p)!.dead && remains(p))), 10_000, 'both panes settled');
    return { okPane: pane(okPane), badPane: pane(badPane) };
  }

  it('by default a successful run closes its pane and a failed one stays (remain-on-exit, pane_dead=1)', async () => {
    const { okPane, badPane } = await successAndFailure();
    expect(okPane).toBeUndefined();
    expect(badPane).toMatchObject({ dead: true });
    expect(t.tmux(['show-options', '-p', '-t', badPane!.id, '-v', 'remain-on-exit']).trim()).toBe('on');
    t.tmux(['kill-pane', '-t', badPane!.id]);
  });

  it('keep_pane_on_success / keep_pane_on_failure turn that around', async () => {
    writeConfig(t, { keep_pane_on_success: true, keep_pane_on_failure: false });
    try {
      const { okPane, badPane } = await successAndFailure();
      expect(okPane).toMatchObject({ dead: true });
      expect(badPane).toBeUndefined();
      t.tmux(['kill-pane', '-t', okPane!.id]);
    } finally {
      writeConfig(t, { keep_pane_on_success: false, keep_pane_on_failure: true });
    }
  });
});

// ---------------------------------------------------------------- placement without an orchestrator pane

describe('placement options', () => {
  let u: TestEnv;
  beforeAll(async () => {
    u = await makeEnv();
    expect((await u.run(['init', '--session', 'work'])).code).toBe(0);
  });
  afterAll(async () => {
    await u?.cleanup();
  });

  const windowsOf = (session: string) =>
    u.tmux(['list-windows', '-t', `=${session}`, '-F', '#{window_id}\t#{window_name}\t#{window_panes}']).split('\n').filter(Boolean).map((l) => l.split('\t'));
  const placed = async (args: string[], env?: Record<string, string | undefined>) => {
    const r = await u.run(['start', '--json', '--agent', 'shell', '--title', 'place', ...args, '--', 'sleep', '3'], { env });
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as { run_id: string; pane: string; session: string };
  };
  const info = (paneId: string, fmt: string) => u.tmux(['display-message', '-p', '-t', paneId, fmt]).trim();

  it('with no tmux session yet, a detached one named by tmux_session holds an agents window', async () => {
    const first = await placed([]);
    expect(first.session).toBe('work');
    expect(windowsOf('work').map((w) => w[1])).toEqual(['agents']);
    expect(u.meta(first.run_id).tmux.placement).toBe('new-session');
    const second = await placed([]);
    expect(info(second.pane, '#{window_name}')).toBe('agents');
    expect(u.meta(second.run_id).tmux.placement).toBe('agents-window');
  });

  it('--window puts the run in a window of its own, named after the run, without focusing it', async () => {
    const activeBefore = u.tmux(['display-message', '-p', '-t', 'work:', '#{window_id}']).trim();
    const own = await placed(['--window']);
    expect(info(own.pane, '#{window_name}')).toBe(`run-${own.run_id.slice(-8)}`);
    expect(info(own.pane, '#{window_panes}')).toBe('1');
    expect(u.meta(own.run_id).tmux.placement).toBe('own-window');
    expect(u.tmux(['display-message', '-p', '-t', 'work:', '#{window_id}']).trim()).toBe(activeBefore);
  });

  it("--target PANE splits that pane's window", async () => {
    const host = u.tmux(['new-window', '-d', '-t', 'work:', '-n', 'host', '-P', '-F', '#{pane_id}', 'sleep', '60']).trim();
    const r = await placed(['--target', host]);
    expect(info(r.pane, '#{window_id}')).toBe(info(host, '#{window_id}'));
    expect(u.meta(r.run_id).tmux.placement).toBe('split');
    expect(info(host, '#{pane_active}')).toBe('1');
  });

  it("a caller inside a pane of the same server gets workers beside it", async () => {
    const caller = u.tmux(['new-window', '-d', '-t', 'work:', '-n', 'caller', '-P', '-F', '#{pane_id}', 'sleep', '60']).trim();
    const socketPath = u.tmux(['display-message', '-p', '#{socket_path}']).trim();
    const r = await placed([], { TMUX: `${socketPath},1,0`, TMUX_PANE: caller });
    expect(info(r.pane, '#{window_id}')).toBe(info(caller, '#{window_id}'));
    // ...but a $TMUX_PANE of another server is ignored
    const other = await placed([], { TMUX: '/tmp/not-this-server,1,0', TMUX_PANE: caller });
    expect(info(other.pane, '#{window_id}')).not.toBe(info(caller, '#{window_id}'));
    await u.run(['wait', r.run_id, other.run_id]);
  });
});

describe('placement after the tmux layout changed under it', () => {
  // each start remembers where the next worker would go, so it can split at once; these
  // check that what it remembers never puts a worker in the wrong place
  let v: TestEnv;
  beforeAll(async () => {
    v = await makeEnv();
    expect((await v.run(['init', '--session', 'lay'])).code).toBe(0);
    writeConfig(v, { max_panes_per_window: 2 });
  });
  afterAll(async () => {
    await v?.cleanup();
  });

  const startHanging = async () => {
    const r = await v.run(['start', '--json', '--agent', 'shell', '--title', 'lay', '--', 'sleep', '30']);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as { run_id: string; pane: string };
  };
  const windowOf = (paneId: string) => v.tmux(['display-message', '-p', '-t', paneId, '#{window_id}\t#{window_name}\t#{window_panes}']).trim().split('\t');

  it('never overfills a window, and finds a place when the window or the whole server is gone', async () => {
    const a = await startHanging();
    const b = await startHanging();
    const c = await startHanging(); // the first agents window holds max_panes_per_window = 2
    expect(windowOf(a.pane)).toEqual([windowOf(b.pane)[0], 'agents', '2']);
    expect(windowOf(c.pane)[0]).not.toBe(windowOf(a.pane)[0]);
    expect(windowOf(c.pane)[1]).toBe('agents-2');

    // the window the next worker was meant for is closed
    v.tmux(['kill-window', '-t', windowOf(c.pane)[0]!]);
    const d = await startHanging();
    expect(windowOf(d.pane)[1]).toBe('agents-2');
    expect(Number(windowOf(d.pane)[2])).toBeLessThanOrEqual(2);

    // a new server: window and pane ids start over, so nothing learnt before may be used
    v.tmux(['kill-server']);
    const e = await startHanging();
    expect(v.meta(e.run_id).tmux.placement).toBe('new-session');
    expect(windowOf(e.pane).slice(1)).toEqual(['agents', '1']);
    const f = await startHanging();
    expect(windowOf(f.pane)).toEqual([windowOf(e.pane)[0], 'agents', '2']);
    for (const r of [e, f]) expect((await v.run(['cancel', r.run_id])).code).toBe(0);
  });
});

describe('status-line flash', () => {
  it('a finished run flashes on the client viewing the wake-up pane (no notify target set)', async () => {
    const u = await makeEnv();
    try {
      expect((await u.run(['init'])).code).toBe(0);
      const orchPane = u.tmux(['new-session', '-d', '-s', 'orch', '-x', '120', '-y', '40', '-P', '-F', '#{pane_id}', 'sleep', '60']).trim();
      writeConfig(u, { tmux_sendkeys_target: orchPane, tmux_notify_target: null });
      // a real client attached to the session, on a pseudo-terminal made by script(1)
      const client = execa('script', ['-qfc', `tmux -S '${u.socket}' attach -t orch`, '/dev/null'], { stdin: 'pipe', reject: false, env: u.env, extendEnv: false });
      await waitFor(() => u.tmux(['list-clients']).includes('orch'), 5000, 'client attached');
      const id = await u.start(['--agent', 'shell', '--title', 'flash #me', '--', 'true']);
      expect((await u.run(['wait', id])).code).toBe(0);
      const expected = `message: agentctl: ${id} done (shell) flash #me`;
      await waitFor(() => u.tmux(['show-messages']).includes(expected), 5000, 'flash in the message log');
      client.kill();
    } finally {
      await u.cleanup();
    }
  });
});
