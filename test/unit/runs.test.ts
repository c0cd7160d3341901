// The run repository (reading runs newest first, opening one by id with its liveness checked)
// and the JSON file helper behind config.json, projects.json and meta.json.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as z from 'zod';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliWording } from '../../src/cli/wording.js';
import { mcpWording } from '../../src/mcp/wording.js';
import { ensureWorkspace, loadConfig } from '../../src/core/workspace/config.js';
import { AppError } from '../../src/core/sys/errors.js';
import { parseJson, readJsonFile } from '../../src/core/sys/jsonfile.js';
import { type Meta, newMeta } from '../../src/core/runs/meta.js';
import { openRun, recentRuns, runRecords, tryReadMeta } from '../../src/core/runs/repository.js';
import { createRunDir, CorruptRun, indexRun, readMeta, writeMeta } from '../../src/core/runs/store.js';
import type { Workspace } from '../../src/core/workspace/paths.js';

let dir: string;
let ws: Workspace;

beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'agentctl-runs-')));
  ws = ensureWorkspace(join(dir, 'ws')).ws;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function addRun(id: string, createdAt: string, over: Partial<Meta> = {}): Meta {
  createRunDir(ws, id);
  const m = newMeta({ run_id: id, title: `run ${id}`, project_dir: dir, profile: 'spark', agent: 'codex', created_at: createdAt, ...over });
  writeMeta(ws, m);
  indexRun(ws, id, createdAt);
  return m;
}

function corrupt(id: string, createdAt: string, text: string): void {
  createRunDir(ws, id);
  indexRun(ws, id, createdAt);
  writeFileSync(join(ws.runs, id, 'meta.json'), text);
}

/** An error as the CLI prints it. */
function cliText(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err.render(cliWording);
    throw err;
  }
  throw new Error('no error');
}

describe('run repository', () => {
  beforeEach(() => {
    addRun('a-old', '2026-01-01T00:00:00.000Z');
    corrupt('b-broken', '2026-01-02T00:00:00.000Z', '{"version": 1, "run_id": "b-broken"');
    addRun('c-mid', '2026-01-03T00:00:00.000Z');
    corrupt('d-invalid', '2026-01-04T00:00:00.000Z', JSON.stringify({ ...newMeta({ run_id: 'd-invalid', title: 't', project_dir: dir, profile: 'p', agent: 'codex', created_at: '' }), status: 'sideways' }));
    addRun('e-new', '2026-01-05T00:00:00.000Z');
  });

  it('runRecords: every run newest first, the unreadable ones as corrupt with the reason', () => {
    const recs = [...runRecords(ws)];
    expect(recs.map((r) => [r.runId, r.meta ? 'ok' : 'corrupt'])).toEqual([
      ['e-new', 'ok'],
      ['d-invalid', 'corrupt'],
      ['c-mid', 'ok'],
      ['b-broken', 'corrupt'],
      ['a-old', 'ok'],
    ]);
    expect(recs[1]!.corrupt).toBeInstanceOf(CorruptRun);
    expect(recs[1]!.corrupt!.message).toBe("run d-invalid: meta.json is unreadable (status: Invalid option: expected one of \"pending\"|\"running\"|\"finished\"|\"lost\"): inspect or remove d-invalid's directory under runs/");
    expect(recs[3]!.corrupt!.message).toMatch(/^run b-broken: meta\.json is unreadable \(not JSON: /);
  });

  it('recentRuns: the readable runs newest first, corrupt ones skipped; a caller may stop early', () => {
    expect([...recentRuns(ws)].map((m) => m.run_id)).toEqual(['e-new', 'c-mid', 'a-old']);
    const firstTwo: string[] = [];
    for (const m of recentRuns(ws)) {
      firstTwo.push(m.run_id);
      if (firstTwo.length === 2) break;
    }
    expect(firstTwo).toEqual(['e-new', 'c-mid']);
    expect(tryReadMeta(ws, 'b-broken')).toBeNull();
    expect(tryReadMeta(ws, 'no-such-run')).toBeNull();
    expect(tryReadMeta(ws, 'c-mid')?.run_id).toBe('c-mid');
  });

  it('openRun resolves a prefix or suffix, and marks a run whose supervisor died lost', async () => {
    const dead = Number(spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' }).stdout.trim());
    addRun('f-running', new Date().toISOString(), { status: 'running', pids: { supervisor: dead, supervisor_start: null, agent: null, agent_start: null } });
    addRun('g-alive', new Date().toISOString(), { status: 'running', pids: { supervisor: process.pid, supervisor_start: null, agent: null, agent_start: null } });

    const lost = await openRun(ws, null, 'f-run');
    expect(lost).toMatchObject({ run_id: 'f-running', status: 'lost', outcome: 'lost', goal_met: false });
    expect(lost.errors).toEqual([`supervisor process ${dead} died (killed, or its pane or tmux server went away)`]);
    expect(readMeta(ws, 'f-running')).toEqual(lost);

    expect(await openRun(ws, null, 'alive')).toMatchObject({ run_id: 'g-alive', status: 'running' });
    addRun('h-pending', new Date().toISOString());
    expect(await openRun(ws, null, 'h-pending')).toMatchObject({ status: 'pending' }); // just started: its pane is not judged yet
    expect(await openRun(ws, null, 'c-mid')).toMatchObject({ status: 'lost', errors: ['the supervisor never started in the worker pane'] });
    await expect(openRun(ws, null, 'zzz')).rejects.toThrow(/^no run matches "zzz": see "agentctl list" for run ids$/);
    await expect(openRun(ws, null, 'b-broken')).rejects.toThrow(/^run b-broken: meta\.json is unreadable \(not JSON/);
  });
});

describe('JSON files', () => {
  const Schema = z.looseObject({ name: z.string(), size: z.number().default(1) });
  const opts = { syntaxFix: 'fix it, or run "{cmd:init}"', invalidFix: 'fix that entry or drop {opt:olderThan}' };

  it('reads and validates, with the schema defaults; a missing file is its default or an error', () => {
    const file = join(dir, 'x.json');
    writeFileSync(file, '{"name": "a"}');
    expect(readJsonFile(file, Schema, opts)).toEqual({ name: 'a', size: 1 });
    expect(readJsonFile(join(dir, 'none.json'), Schema, { ...opts, missing: () => ({ name: 'dflt', size: 0 }) })).toEqual({ name: 'dflt', size: 0 });
    expect(cliText(() => readJsonFile(join(dir, 'none.json'), Schema, opts))).toBe(`${join(dir, 'none.json')} does not exist: fix it, or run "agentctl init"`);
  });

  it('a file that is not JSON, or that the schema refuses, is an error naming the file, the first problem and the fix', () => {
    const file = join(dir, 'x.json');
    writeFileSync(file, '{"name": ');
    expect(cliText(() => readJsonFile(file, Schema, opts))).toMatch(new RegExp(`^${file.replace(/\./g, '\\.')} is not valid JSON \\(.+\\): fix it, or run "agentctl init"$`));
    writeFileSync(file, '{"name": 3, "size": "big"}');
    expect(cliText(() => readJsonFile(file, Schema, opts))).toBe(`${file}: name: Invalid input: expected string, received number: fix that entry or drop --older-than`);
    writeFileSync(file, '[]');
    expect(cliText(() => readJsonFile(file, Schema, opts))).toBe(`${file}: (top level): Invalid input: expected object, received array: fix that entry or drop --older-than`);
    try {
      readJsonFile(file, Schema, opts);
    } catch (err) {
      expect((err as AppError).render(mcpWording)).toBe(`${file}: (top level): Invalid input: expected object, received array: fix that entry or drop older_than`);
    }
  });

  it('parseJson says what is wrong without throwing (the run records word it themselves)', () => {
    expect(parseJson(null, Schema)).toEqual({ ok: false, problem: { kind: 'missing' } });
    expect(parseJson('nope', Schema)).toMatchObject({ ok: false, problem: { kind: 'syntax' } });
    expect(parseJson('{}', Schema)).toEqual({ ok: false, problem: { kind: 'invalid', path: 'name', detail: 'Invalid input: expected string, received undefined' } });
  });

  it('config.json: its errors name the file and the fix as before', () => {
    writeFileSync(ws.config, '{ "tmux_session": ');
    expect(cliText(() => loadConfig(ws))).toMatch(/config\.json is not valid JSON \(.*\): fix it, or move it aside and run "agentctl init"$/);
    writeFileSync(ws.config, JSON.stringify({ max_panes_per_window: 'four' }));
    expect(cliText(() => loadConfig(ws))).toBe(`${ws.config}: max_panes_per_window: Invalid input: expected number, received string: fix that setting or remove it to get the default`);
  });
});
