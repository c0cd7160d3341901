// Records that are huge, copied into the wrong directory, or a notify.log whose last line was
// cut short: one bad file is reported as such, and never takes the others (or later lines) down.
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureWorkspace, loadConfig } from '../../src/core/workspace/config.js';
import { appendNotification, notification } from '../../src/core/lifecycle/notify.js';
import { newMeta } from '../../src/core/runs/meta.js';
import { runRecords } from '../../src/core/runs/repository.js';
import { createRunDir, indexRun, runIdsNewestFirst, writeMeta } from '../../src/core/runs/store.js';
import { runFiles, type Workspace } from '../../src/core/workspace/paths.js';

let dir: string;
let ws: Workspace;

beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'agentctl-records-')));
  ws = ensureWorkspace(join(dir, 'ws')).ws;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function addRun(id: string, summary: string | null = null) {
  createRunDir(ws, id);
  const m = newMeta({ run_id: id, title: `run ${id}`, project_dir: dir, profile: 'shell', agent: 'shell', command: ['true'], created_at: new Date().toISOString(), summary });
  writeMeta(ws, m);
  indexRun(ws, id, m.created_at);
  return m;
}

function records() {
  return [...runRecords(ws)].map((r) => ({ id: r.runId, ok: !!r.meta, why: r.corrupt?.message ?? '' }));
}

describe('records', () => {
  it('a record over 1 MB is flagged with its size, unread, and the others are listed', () => {
    addRun('good-0001');
    addRun('huge-0002', 'x'.repeat(2 * 1024 * 1024)); // valid JSON, but no record is that big
    const recs = records();
    expect(recs.find((r) => r.id === 'good-0001')).toMatchObject({ ok: true });
    expect(recs.find((r) => r.id === 'huge-0002')).toMatchObject({ ok: false, why: expect.stringMatching(/\d{7} bytes, over the 1048576-byte limit/) });
  });

  it("a record whose run_id is not its directory's is flagged, not followed", () => {
    const m = addRun('real-0001');
    createRunDir(ws, 'copy-0002');
    writeFileSync(runFiles(ws.home, 'copy-0002').meta, JSON.stringify(m)); // copied by hand
    indexRun(ws, 'copy-0002', m.created_at);
    const recs = records();
    expect(recs.find((r) => r.id === 'real-0001')).toMatchObject({ ok: true });
    expect(recs.find((r) => r.id === 'copy-0002')).toMatchObject({ ok: false, why: expect.stringContaining('"real-0001"') });
  });

  it('notify.log: an append after a partial last line starts on a fresh line', () => {
    const m = addRun('note-0001');
    appendFileSync(ws.notify, '{"ts":"2026-01-01T00:00:00Z","event":"sta'); // a writer killed mid-line
    appendNotification(ws, notification('finish', m));
    const lines = readFileSync(ws.notify, 'utf8').split('\n');
    expect(lines[lines.length - 1]).toBe('');
    expect(JSON.parse(lines[lines.length - 2]!)).toMatchObject({ event: 'finish', run_id: 'note-0001' });
  });

  it('a config.json being rewritten in place (torn for a moment) is read once whole', async () => {
    const whole = `${JSON.stringify({ default_profile: 'shell', max_panes_per_window: 3 }, null, 2)}\n`;
    const half = whole.slice(0, 20);
    // an editor writing the file in two goes, 150 ms apart
    const writer = spawn(process.execPath, ['-e', `const fs = require('fs'); fs.writeFileSync(process.argv[1], process.argv[2]); setTimeout(() => fs.appendFileSync(process.argv[1], process.argv[3]), 150)`, ws.config, half, whole.slice(20)]);
    const exited = new Promise((ok) => writer.on('exit', ok));
    while (readFileSync(ws.config, 'utf8') !== half) await new Promise((r) => setTimeout(r, 2));
    expect(loadConfig(ws).max_panes_per_window).toBe(3);
    await exited;
  });

  it('a config.json that stays broken is one error naming the file', () => {
    writeFileSync(ws.config, '{"default_profile": ');
    expect(() => loadConfig(ws)).toThrow(/config\.json is not valid JSON .*: fix it/);
  });

  it('an index missing runs (copied from agent-orc, restored from a backup) is repaired once', () => {
    for (const id of ['a-0001', 'b-0002', 'c-0003']) addRun(id);
    writeFileSync(ws.index, readFileSync(ws.index, 'utf8').split('\n')[0] + '\n'); // only the first run's line left
    const order = runIdsNewestFirst(ws);
    expect(order).toHaveLength(3);
    const lines = readFileSync(ws.index, 'utf8').trim().split('\n');
    expect(lines.map((l) => l.split('\t')[1]).sort()).toEqual(['a-0001', 'b-0002', 'c-0003']);
    expect(runIdsNewestFirst(ws)).toEqual(order);
    expect(readFileSync(ws.index, 'utf8').trim().split('\n')).toHaveLength(3); // not added twice
  });
});
