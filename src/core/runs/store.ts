import { appendFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { AppError } from '../sys/errors.js';
import { appendUnderLock, FileTooBig, LOCK_WAIT_MS, readFileBounded, readFileOrNull, withLock, writeFileAtomic, writeJsonAtomic } from '../sys/fsutil.js';
import { parseJson, type JsonProblem } from '../sys/jsonfile.js';
import { isValidRunId } from './ids.js';
import { type Meta, MetaSchema } from './meta.js';
import { runFiles, type Workspace } from '../workspace/paths.js';
import { listInstanceRecords } from '../instances/record.js';
import { INSTANCE_ID_RE } from '../instances/types.js';

/** A run directory whose meta.json cannot be read: reported, never fatal for other runs. */
export class CorruptRun extends AppError {
  constructor(
    readonly runId: string,
    reason: string,
  ) {
    super(`run ${runId}: meta.json is unreadable (${reason}): inspect or remove ${runId}'s directory under runs/`);
  }
}

/** Why a record cannot be used, as CorruptRun words it. */
function corruptReason(p: JsonProblem): string {
  if (p.kind === 'missing') return 'missing';
  if (p.kind === 'syntax') return `not JSON: ${p.detail}`;
  return `${p.path}: ${p.detail}`;
}

export function parseMeta(runId: string, text: string | null): Meta {
  const r = parseJson(text, MetaSchema);
  if (!r.ok) throw new CorruptRun(runId, corruptReason(r.problem));
  // a record copied or edited by hand into another run's directory is not followed
  if (r.value.run_id !== runId) throw new CorruptRun(runId, `its run_id is ${JSON.stringify(r.value.run_id)}, not the directory's name`);
  return r.value;
}

/** A record is a few KB: one far bigger is damaged, and reading it would stall every listing. */
export const META_MAX_BYTES = 1024 * 1024;

/** meta.json's text (null: none), unread when it is over META_MAX_BYTES. */
function readMetaText(ws: Workspace, runId: string): string | null {
  try {
    return readFileBounded(runFiles(ws.home, runId).meta, META_MAX_BYTES);
  } catch (err) {
    if (err instanceof FileTooBig) throw new CorruptRun(runId, `${err.size} bytes, over the ${META_MAX_BYTES}-byte limit for a record`);
    throw err;
  }
}

export function readMeta(ws: Workspace, runId: string): Meta {
  return parseMeta(runId, readMetaText(ws, runId));
}

export function writeMeta(ws: Workspace, meta: Meta): void {
  writeMetaAt(runFiles(ws.home, meta.run_id).meta, meta);
}

/** Write a record to this file (a run's draft directory: see draft.ts); private, as prompts and answers may be. */
export function writeMetaAt(path: string, meta: Meta): void {
  writeJsonAtomic(path, MetaSchema.parse(meta), 0o600);
}

/** Read-modify-write of one run's record under that run's lock: no lost update. */
export function updateMeta(ws: Workspace, runId: string, change: (m: Meta) => Meta | void): Meta {
  const files = runFiles(ws.home, runId);
  try {
    // the lock lives in the run's directory: a run removed meanwhile is not brought back empty
    return withLock(files.lock, () => {
      const current = readMeta(ws, runId);
      const next = change(current) ?? current;
      writeMeta(ws, next);
      return next;
    }, LOCK_WAIT_MS, { makeDir: false });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !existsSync(files.dir)) throw new CorruptRun(runId, 'missing');
    throw err;
  }
}

/** Create the run's directory; the directory is the claim on the id. */
export function createRunDir(ws: Workspace, runId: string): void {
  try {
    mkdirSync(runFiles(ws.home, runId).dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new AppError(`run id ${runId} is already taken`, { fix: 'choose another {opt:runId}, or omit it to get a generated one' });
    }
    throw err;
  }
}

export function removeRunDir(ws: Workspace, runId: string): void {
  rmSync(runFiles(ws.home, runId).dir, { recursive: true, force: true });
}

/** The lock a start holds on its run until the run is complete (see draft.ts). */
export function startLockPath(ws: Workspace, runId: string): string {
  return `${ws.locks}/start-${runId}.lock`;
}

/** The lock every writer of runs/.index takes: appends, and clean's rewrite. */
function indexLock(ws: Workspace): string {
  return `${ws.locks}/index.lock`;
}

/**
 * Append to the creation-order index that lets `list` avoid reading every record, safe from
 * `clean --runs`' rewrite (a run missing from the index would still be listed, by its record).
 */
export function indexRun(ws: Workspace, runId: string, createdAt: string): void {
  appendUnderLock(ws.index, indexLock(ws), `${createdAt}\t${runId}\n`);
}

/** Rewrite the index without these runs (atomically, under the index lock); returns how many lines went. */
export function unindexRuns(ws: Workspace, runIds: ReadonlySet<string>): number {
  if (!runIds.size) return 0;
  return withLock(indexLock(ws), () => {
    const text = readFileOrNull(ws.index);
    if (text === null) return 0;
    const lines = text.split('\n').filter((l) => l !== '');
    const kept = lines.filter((l) => !runIds.has(l.slice(l.indexOf('\t') + 1)));
    if (kept.length !== lines.length) writeFileAtomic(ws.index, kept.map((l) => `${l}\n`).join(''));
    return lines.length - kept.length;
  });
}

export function listRunIds(ws: Workspace): string[] {
  try {
    return readdirSync(ws.runs).filter((n) => !n.startsWith('.') && isValidRunId(n));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** Resolve an exact id, or a unique prefix or suffix of one. */
export function resolveRunId(ws: Workspace, query: string): string {
  if (!query || /[/\\\0]/.test(query) || query.includes('..')) {
    throw new AppError(`invalid run id ${JSON.stringify(query)}`, { fix: 'give a run id, or a unique prefix or suffix of one (see "{cmd:list}")' });
  }
  // existence only: the caller reads the record next, once
  if (isValidRunId(query) && existsSync(runFiles(ws.home, query).meta)) return query;
  const ids = listRunIds(ws);
  const matches = ids.filter((id) => id.startsWith(query) || id.endsWith(query));
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0 && isInstance(ws.home, query)) {
    throw new AppError(`${query} is an instance, not a run`, { fix: `use "{cmd:read ${query}}", "{cmd:send ${query}}" or "{cmd:stop ${query}}" (see "{cmd:instances}")` });
  }
  if (matches.length === 0 && INSTANCE_ID_RE.test(query)) throw new AppError(`${query} is an instance id, not a run`, { fix: 'see the instances with "{cmd:instances}"' });
  if (matches.length === 0) throw new AppError(`no run matches "${query}"`, { fix: 'see "{cmd:list}" for run ids' });
  const shown = matches.sort().slice(0, 5).join(', ');
  throw new AppError(`"${query}" matches ${matches.length} runs (${shown}${matches.length > 5 ? ', ...' : ''}): give more of the id`);
}

/** Whether an id or name that matches no run names an instance: every run command finds its run through resolveRunId. */
function isInstance(home: string, query: string): boolean {
  return listInstanceRecords(home).some((r) => r.id === query || r.name === query);
}

/** Run ids newest first: the index gives the order; directories it lacks are placed by their record. */
export function runIdsNewestFirst(ws: Workspace): string[] {
  const dirs = new Set(listRunIds(ws));
  const created = new Map<string, string>();
  const index = readFileOrNull(ws.index) ?? '';
  for (const line of index.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab < 0) continue;
    const id = line.slice(tab + 1);
    if (dirs.has(id)) created.set(id, line.slice(0, tab));
  }
  const repaired: string[] = [];
  for (const id of dirs) {
    if (created.has(id)) continue;
    let at = '';
    try {
      at = (JSON.parse(readMetaText(ws, id) ?? '') as { created_at?: string }).created_at ?? '';
    } catch {
      // corrupt record: sorts last, list shows it as such
    }
    created.set(id, at);
    // a start still at work adds its own line (see draft.ts)
    if (at && !existsSync(startLockPath(ws, id))) repaired.push(`${at}\t${id}\n`);
  }
  // runs the index lacks (a workspace copied from agent-orc, restored from a backup) are read
  // once: their lines are added, so the next listing reads no record it does not show
  if (repaired.length) {
    try {
      withLock(indexLock(ws), () => {
        // another listing may have repaired it meanwhile
        const now = readFileOrNull(ws.index) ?? '';
        const missing = repaired.filter((l) => !now.includes(l.slice(l.indexOf('\t'))));
        if (missing.length) appendFileSync(ws.index, `${now && !now.endsWith('\n') ? '\n' : ''}${missing.sort().join('')}`);
      }, 1_000);
    } catch {
      // a read-only workspace, a busy index: read them again next time
    }
  }
  return [...created.entries()].sort((a, b) => (a[1] < b[1] ? 1 : a[1] > b[1] ? -1 : a[0] < b[0] ? 1 : -1)).map(([id]) => id);
}
