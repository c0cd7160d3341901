// Ending runs, in-process and without tmux: the three ways a run ends (its supervisor finishes
// it, a liveness check finds its worker dead, cancel ends a run no supervisor holds) all write
// the same kind of record and exactly one notify.log line.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_RESULT_SCHEMA, ensureWorkspace, loadConfig, type LoadedConfig } from '../../src/core/workspace/config.js';
import { cancelRun } from '../../src/core/lifecycle/cancel.js';
import { endRun } from '../../src/core/lifecycle/end.js';
import { supervise } from '../../src/core/lifecycle/supervisor.js';
import { type Meta, newMeta } from '../../src/core/runs/meta.js';
import { openRun } from '../../src/core/runs/repository.js';
import { createRunDir, indexRun, readMeta, writeMeta } from '../../src/core/runs/store.js';
import { runFiles, type Workspace } from '../../src/core/workspace/paths.js';

let dir: string;
let ws: Workspace;
let cfg: LoadedConfig;

beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'agentctl-lifecycle-')));
  ws = ensureWorkspace(join(dir, 'ws')).ws;
  cfg = loadConfig(ws);
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

/** A run as start leaves it: record, prompt, schema, index line. */
function addRun(id: string, over: Partial<Meta> = {}): Meta {
  createRunDir(ws, id);
  const files = runFiles(ws.home, id);
  writeFileSync(files.prompt, '');
  writeFileSync(files.schema, JSON.stringify(DEFAULT_RESULT_SCHEMA));
  const m = newMeta({ run_id: id, title: `run ${id}`, project_dir: dir, profile: 'shell', agent: 'shell', created_at: new Date().toISOString(), ...over });
  writeMeta(ws, m);
  indexRun(ws, id, m.created_at);
  return m;
}

/** The notify.log lines about one run. */
function notes(id: string): { event: string; run_id: string; outcome: string }[] {
  return readFileSync(ws.notify, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .filter((n) => n.run_id === id);
}

/** The pid of a process that has exited: a dead supervisor. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' }).stdout.trim());
}

const ENDED_FIELDS = ['status', 'outcome', 'goal_met', 'ended_at', 'summary', 'errors'] as const;

describe('ending a run', () => {
  it('the supervisor, a liveness check and cancel each end a run with the same record shape and one notification', async () => {
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true); // the supervisor's pane output
    const env = { PATH: process.env.PATH, HOME: process.env.HOME };

    addRun('by-supervisor', { command: ['sh', '-c', 'echo done'] });
    expect(await supervise(ws.home, 'by-supervisor', env)).toBe(0);

    addRun('by-liveness', { status: 'running', pids: { supervisor: deadPid(), supervisor_start: null, agent: null, agent_start: null } });
    const lost = await openRun(ws, cfg, 'by-liveness');

    addRun('by-cancel');
    const cancelled = await cancelRun(ws, cfg, 'by-cancel');

    const finished = readMeta(ws, 'by-supervisor');
    expect(finished).toMatchObject({ status: 'finished', outcome: 'goal_met', goal_met: true, exit_code: 0, summary: '`sh -c \'echo done\'` exited with code 0: done' });
    expect(lost).toMatchObject({ status: 'lost', outcome: 'lost', goal_met: false });
    expect(lost.errors.at(-1)).toMatch(/^supervisor process \d+ died/);
    expect(lost.summary).toBe(`run lost: ${lost.errors.at(-1)}`);
    expect(cancelled).toMatchObject({ status: 'finished', outcome: 'cancelled', goal_met: false, summary: 'cancelled before it finished', errors: ['cancelled by agentctl cancel'] });
    expect(readMeta(ws, 'by-cancel')).toEqual(cancelled);

    for (const m of [finished, lost, cancelled]) {
      expect(Object.keys(m).sort()).toEqual(Object.keys(finished).sort());
      for (const f of ENDED_FIELDS) expect(m[f], `${m.run_id}.${f}`).not.toBeNull();
      expect(Date.parse(m.ended_at!)).toBeGreaterThanOrEqual(Date.parse(m.created_at));
    }
    expect(notes('by-supervisor').map((n) => [n.event, n.outcome])).toEqual([['finish', 'goal_met']]);
    expect(notes('by-liveness').map((n) => [n.event, n.outcome])).toEqual([['lost', 'lost']]);
    expect(notes('by-cancel').map((n) => [n.event, n.outcome])).toEqual([['cancel', 'cancelled']]);
  });

  it('a run that has ended is not ended again: no second record, no second notification', async () => {
    addRun('once');
    const first = await endRun(ws, cfg, 'once', { outcome: 'cancelled', reason: 'first' }, { events: ['cancel'], wake: false });
    const second = await endRun(ws, cfg, 'once', { outcome: 'lost', reason: 'second' }, { events: ['lost'], wake: false });
    expect(first.ended).toBe(true);
    expect(second).toEqual({ meta: first.meta, ended: false });
    expect(readMeta(ws, 'once')).toMatchObject({ outcome: 'cancelled', errors: ['first'] });
    expect(notes('once').map((n) => n.event)).toEqual(['cancel']);
    await expect(cancelRun(ws, cfg, 'once')).rejects.toThrow(/^run once already ended \(cancelled\): nothing to cancel$/);
    expect(notes('once')).toHaveLength(1);
  });

  it('a run whose record changed hands meanwhile is left to its new owner (mayEnd)', async () => {
    addRun('alive');
    const r = await endRun(ws, cfg, 'alive', { outcome: 'lost', reason: 'x' }, { events: ['lost'], wake: false, mayEnd: () => false });
    expect(r.ended).toBe(false);
    expect(readMeta(ws, 'alive').status).toBe('pending');
    expect(notes('alive')).toEqual([]);
  });
});
