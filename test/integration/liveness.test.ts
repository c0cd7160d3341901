// Runs whose worker dies under them: a killed pane, a killed supervisor, a killed tmux server.
// wait must not hang: it reports the run lost (exit 4) within a few seconds, and nothing the
// agent started is left running. show and list notice a dead run on their own too.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa, execaSync } from 'execa';
import { describe, expect, it } from 'vitest';
import { CLI, parseJsonLines, processGone, type TestEnv, traced, waitFor, suiteEnv } from '../helpers/harness.js';

/** Bounds that catch a wait that never notices, not a slow machine (liveness is checked every 0.7 s). */
const PROMPTLY_MS = 10_000;

let t: TestEnv;
let repo: string;

suiteEnv((env) => {
  t = env;
  repo = t.repo();
});


interface Hanging {
  id: string;
  pane: string;
  supervisor: number;
  agent: number;
  grandchild: number;
}

/** A run whose agent hangs and has started a grandchild; resolves once all of them are up. */
async function hangingRun(name: string, profile = 'spark'): Promise<Hanging> {
  const pidFile = join(t.root, `${name}.pid`);
  const id = await t.start(['--project', repo, '--profile', profile, '--title', name], `Hang (${name})\n@fake hang\n@fake child-pid=${pidFile}\n`);
  const m = await waitFor(() => {
    const meta = t.meta(id);
    return meta.status === 'running' && meta.pids.agent ? meta : null;
  }, 15_000, `${id} running`);
  const grandchild = Number(await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim(), 15_000, 'grandchild pid'));
  const h = { id, pane: m.tmux.pane, supervisor: m.pids.supervisor, agent: m.pids.agent, grandchild };
  for (const pid of [h.supervisor, h.agent, h.grandchild]) expect(processGone(pid), `pid ${pid} alive`).toBe(false);
  return h;
}

/** `wait <id>` started now, in the background; `watching` resolves once its watches are set. */
function waitInBackground(id: string) {
  const p = execa(process.execPath, [CLI, 'wait', id], { env: { ...t.env, AGENTCTL_TRACE: '1' }, extendEnv: false, cwd: t.root, reject: false, timeout: 30_000 });
  const watching = traced(p, 'watching');
  return {
    watching,
    async result() {
      const r = await p;
      return { code: r.exitCode, line: JSON.parse(String(r.stdout)), at: Date.now() };
    },
  };
}

async function expectTreeGone(h: Hanging, withinMs = PROMPTLY_MS): Promise<void> {
  await waitFor(() => processGone(h.agent) && processGone(h.grandchild), withinMs, `agent ${h.agent} and grandchild ${h.grandchild} gone`);
}

function notifications(id: string): any[] {
  return parseJsonLines(readFileSync(join(t.home, 'notify.log'), 'utf8')).filter((n) => n.run_id === id);
}

describe.concurrent('a run whose worker dies', () => {
  it('killing the worker pane: wait reports lost promptly, exit 4, the agent tree is killed', async () => {
    const h = await hangingRun('pane-killed');
    const w = waitInBackground(h.id);
    await w.watching;
    const killedAt = Date.now();
    t.tmux(['kill-pane', '-t', h.pane]);
    const r = await w.result();
    expect(r.code).toBe(4);
    expect(r.line).toMatchObject({ run_id: h.id, status: 'lost', outcome: 'lost', goal_met: false });
    expect(r.at - killedAt, 'ms from kill-pane to wait returning').toBeLessThan(PROMPTLY_MS);
    await expectTreeGone(h);
    expect(notifications(h.id).map((n) => n.event)).toContain('finish');
  });

  it('kill -9 of the supervisor: wait reports lost, exit 4, and kills the orphaned agent tree', async () => {
    const h = await hangingRun('supervisor-killed');
    const w = waitInBackground(h.id);
    await w.watching;
    const killedAt = Date.now();
    process.kill(h.supervisor, 'SIGKILL');
    const r = await w.result();
    expect(r.code).toBe(4);
    expect(r.line).toMatchObject({ run_id: h.id, status: 'lost', outcome: 'lost', goal_met: false });
    expect(r.line.error).toMatch(/supervisor process \d+ died/);
    expect(r.at - killedAt).toBeLessThan(PROMPTLY_MS);
    await expectTreeGone(h);
    // whoever noticed first (this wait, or a concurrent list) logs it once
    await waitFor(() => notifications(h.id).some((n) => n.event === 'lost'), PROMPTLY_MS, 'lost notification');
    expect(notifications(h.id).map((n) => n.event)).toEqual(['start', 'lost']);
  });

  it('show and list mark a dead run lost without wait, and stop its agent', async () => {
    const [a, b] = await Promise.all([hangingRun('seen-by-show', 'claude'), hangingRun('seen-by-list', 'gemini')]);
    process.kill(a.supervisor, 'SIGKILL');
    process.kill(b.supervisor, 'SIGKILL');
    await waitFor(() => processGone(a.supervisor) && processGone(b.supervisor), PROMPTLY_MS, 'supervisors dead');
    expect(t.meta(a.id).status).toBe('running'); // nobody has looked yet

    const show = await t.run(['show', a.id]);
    expect(show.code).toBe(0);
    expect(JSON.parse(show.stdout)).toMatchObject({ run_id: a.id, status: 'lost', outcome: 'lost', goal_met: false });
    expect(t.meta(a.id).status).toBe('lost');
    await expectTreeGone(a);

    const list = await t.run(['list', '--json', '--status', 'lost']);
    expect(list.code).toBe(0);
    const rows = JSON.parse(list.stdout);
    expect(rows.map((r: any) => r.run_id)).toEqual(expect.arrayContaining([a.id, b.id]));
    expect(rows.find((r: any) => r.run_id === b.id)).toMatchObject({ status: 'lost', outcome: 'lost' });
    expect(t.meta(b.id).status).toBe('lost');
    await expectTreeGone(b);

    // once recorded, the verdict stands: wait answers at once
    const before = Date.now();
    const w = await t.run(['wait', a.id, b.id]);
    expect(w.code).toBe(4);
    expect(parseJsonLines(w.stdout).map((l) => l.outcome)).toEqual(['lost', 'lost']);
    expect(Date.now() - before).toBeLessThan(PROMPTLY_MS);
  });
});

describe('the whole tmux server dies', () => {
  it('every running run is reported lost and its agent tree killed', async () => {
    const runs = await Promise.all([hangingRun('server-1'), hangingRun('server-2', 'claude')]);
    const waits = runs.map((h) => waitInBackground(h.id));
    await Promise.all(waits.map((w) => w.watching));
    const killedAt = Date.now();
    t.tmux(['kill-server']);
    for (const [i, w] of waits.entries()) {
      const r = await w.result();
      expect(r.code).toBe(4);
      expect(r.line).toMatchObject({ run_id: runs[i]!.id, status: 'lost', outcome: 'lost' });
      expect(r.at - killedAt).toBeLessThan(PROMPTLY_MS);
    }
    for (const h of runs) await expectTreeGone(h);
  });
});

describe('a supervisor that fails', () => {
  it('records the run lost with the reason at once, instead of leaving it running', async () => {
    // a finished run's files, made pending again under a new id, with its schema missing
    const id = await t.start(['--project', repo, '--profile', 'spark', '--title', 'template'], 'Template\n');
    expect((await t.run(['wait', id])).code).toBe(0);
    const broken = `${id}-broken`;
    const dir = join(t.home, 'runs', broken);
    execaSync('cp', ['-r', join(t.home, 'runs', id), dir]);
    const meta = { ...t.meta(id), run_id: broken, status: 'pending', outcome: null, ended_at: null, goal_met: null, summary: null };
    writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta));
    rmSync(join(dir, 'schema.json'));

    const r = await t.run(['_supervise', broken]);
    expect(r.code).toBe(70);
    expect(r.stderr).toMatch(/internal error: .*schema\.json/);
    expect(t.meta(broken)).toMatchObject({ status: 'lost', outcome: 'lost' });
    expect(t.meta(broken).errors.at(-1)).toMatch(/^supervisor failed: .*schema\.json/);
    expect(parseJsonLines(readFileSync(join(t.home, 'notify.log'), 'utf8')).filter((n) => n.run_id === broken).map((n) => n.event)).toEqual(['lost']);
  });
});
