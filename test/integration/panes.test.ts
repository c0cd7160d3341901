// Panes over many runs, on a private tmux server: overflow windows are told apart by name, the
// orchestrator's pane keeps its width as workers open beside it, and `clean --panes` closes
// what ended runs left on screen, never a pane of a run still going nor one agentctl did not make.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { suiteEnv, type TestEnv, waitFor, writeConfig } from '../helpers/harness.js';

let t: TestEnv;
suiteEnv((env) => {
  t = env;
});

const info = (pane: string, fmt: string) => t.tmux(['display-message', '-p', '-t', pane, fmt]).trim();
const paneIds = () => t.tmux(['list-panes', '-a', '-F', '#{pane_id}']).split('\n').filter(Boolean);

async function hanging(title = 'hang'): Promise<{ run_id: string; pane: string }> {
  const r = await t.run(['start', '--json', '--agent', 'shell', '--title', title, '--', 'sleep', '60']);
  expect(r.code, r.stderr).toBe(0);
  const started = JSON.parse(r.stdout) as { run_id: string; pane: string };
  // the supervisor sets the pane's title and layout as it starts: wait for that to be done
  await waitFor(() => info(started.pane, '#{pane_title}').includes(started.run_id), 10_000, 'pane decorated');
  return started;
}

async function cancelAll(ids: string[]): Promise<void> {
  for (const id of ids) expect((await t.run(['cancel', id])).code).toBe(0);
}

describe('overflow windows', () => {
  it('are named agents, agents-2, agents-3, ... so they can be told apart', async () => {
    writeConfig(t, { tmux_session: 'names', max_panes_per_window: 2 });
    const runs: { run_id: string; pane: string }[] = [];
    for (let i = 0; i < 5; i++) runs.push(await hanging());
    const names = runs.map((r) => info(r.pane, '#{window_name}'));
    expect(names).toEqual(['agents', 'agents', 'agents-2', 'agents-2', 'agents-3']);
    await cancelAll(runs.map((r) => r.run_id));
    writeConfig(t, { tmux_session: 'ai', max_panes_per_window: 4 });
  });
});

describe("the orchestrator's width", () => {
  const orchestrator = (session: string, width: number) =>
    t.tmux(['new-session', '-d', '-s', session, '-x', String(width), '-y', '50', '-P', '-F', '#{pane_id}', 'sleep', '300']).trim();

  it('workers open in a column beside it that leaves it its configured minimum, and further workers never narrow it', async () => {
    const orch = orchestrator('wide', 200);
    writeConfig(t, { tmux_sendkeys_target: orch, orchestrator_min_width: 150 });
    const runs = [await hanging()];
    expect(Number(info(orch, '#{pane_width}'))).toBe(150);
    for (let i = 0; i < 3; i++) {
      runs.push(await hanging());
      expect(Number(info(orch, '#{pane_width}'))).toBe(150);
    }
    expect(runs.every((r) => info(r.pane, '#{window_id}') === info(orch, '#{window_id}'))).toBe(true);
    await cancelAll(runs.map((r) => r.run_id));
  });

  it('by default it keeps 120 columns, and when that leaves no room the worker goes to an agents window', async () => {
    const wide = orchestrator('default', 200);
    const config = join(t.home, 'config.json');
    const { orchestrator_min_width: _, ...rest } = JSON.parse(readFileSync(config, 'utf8'));
    writeFileSync(config, JSON.stringify({ ...rest, tmux_sendkeys_target: wide }));
    const beside = await hanging();
    expect(Number(info(wide, '#{pane_width}'))).toBe(120);

    const narrow = orchestrator('narrow', 130);
    writeConfig(t, { tmux_sendkeys_target: narrow });
    const away = await hanging();
    expect(Number(info(narrow, '#{pane_width}'))).toBe(130);
    expect(info(away.pane, '#{window_name}')).toBe('agents');
    await cancelAll([beside.run_id, away.run_id]);
    writeConfig(t, { tmux_sendkeys_target: null });
  });
});

describe('clean --panes', () => {
  it("closes the kept panes of ended runs, never a running run's pane nor a pane agentctl did not make", async () => {
    writeConfig(t, { tmux_session: 'kept' });
    const failed: { id: string; pane: string }[] = [];
    for (let i = 0; i < 2; i++) {
      const id = await t.start(['--agent', 'shell', '--title', 'fails', '--', 'sh', '-c', 'exit 3']);
      expect((await t.run(['wait', id])).code).not.toBe(0);
      failed.push({ id, pane: t.meta(id).tmux.pane as string });
    }
    // kept for inspection: the pane stays, dead, once the supervisor has set remain-on-exit
    await waitFor(() => failed.every((f) => paneIds().includes(f.pane) && info(f.pane, '#{pane_dead}') === '1'), 10_000, 'failed panes kept');
    const running = await hanging('still going');
    // someone else's pane, kept after its program ended
    const foreign = t.tmux(['new-window', '-d', '-t', 'kept:', '-P', '-F', '#{pane_id}', 'cat']).trim();
    t.tmux(['set-option', '-p', '-t', foreign, 'remain-on-exit', 'on']);
    t.tmux(['send-keys', '-t', foreign, 'C-d']);
    await waitFor(() => info(foreign, '#{pane_dead}') === '1', 5000, 'foreign pane dead');

    const dry = await t.run(['clean', '--panes', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    for (const f of failed) expect(dry.stdout).toContain(`would close  ${f.id}  pane ${f.pane}`);
    expect(failed.every((f) => paneIds().includes(f.pane))).toBe(true);

    const r = await t.run(['clean', '--panes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const closed = JSON.parse(r.stdout).panes_closed as { run_id: string; pane: string }[];
    // the failed runs' panes, and any kept by runs cancelled in the tests before: ended runs all
    expect(closed.map((c) => c.run_id)).toEqual(expect.arrayContaining(failed.map((f) => f.id)));
    for (const c of closed) expect(t.meta(c.run_id).status).not.toBe('running');
    const left = paneIds();
    for (const f of failed) expect(left).not.toContain(f.pane);
    expect(left).toContain(running.pane);
    expect(left).toContain(foreign);
    expect(t.meta(running.run_id).status).toBe('running');
    expect((await t.run(['clean', '--panes'])).stdout).toBe('nothing to clean');
    await cancelAll([running.run_id]);
  });
});
