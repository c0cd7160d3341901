// The runs as commands look at them: one run by the id a user gave, with its liveness checked,
// and every run newest first. store.ts keeps the files; this module decides how they are read.
import type { LoadedConfig } from '../workspace/config.js';
import { refreshLiveness } from '../lifecycle/liveness.js';
import type { Meta } from './meta.js';
import type { Workspace } from '../workspace/paths.js';
import { CorruptRun, readMeta, resolveRunId, runIdsNewestFirst } from './store.js';
import { sweepInterruptedStarts } from './draft.js';

/**
 * The run an id names (exact, or a unique prefix or suffix), read, and marked lost when its
 * worker died: what show, logs, wait, cancel and the worktree commands act on.
 */
export async function openRun(ws: Workspace, cfg: LoadedConfig | null, idOrPrefix: string): Promise<Meta> {
  sweepInterruptedStarts(ws);
  return refreshLiveness(ws, cfg, readMeta(ws, resolveRunId(ws, idOrPrefix)));
}

/** One run's record, or why it cannot be read. */
export type RunRecord = { runId: string; meta: Meta; corrupt?: undefined } | { runId: string; meta?: undefined; corrupt: CorruptRun };

/**
 * Every run's record, newest first, read only as the caller gets to it (list stops at its
 * limit); a record that cannot be parsed comes as `corrupt`, for callers that report it.
 */
export function* runRecords(ws: Workspace): Generator<RunRecord> {
  sweepInterruptedStarts(ws);
  for (const runId of runIdsNewestFirst(ws)) {
    let rec: RunRecord;
    try {
      rec = { runId, meta: readMeta(ws, runId) };
    } catch (err) {
      if (!(err instanceof CorruptRun)) throw err;
      rec = { runId, corrupt: err };
    }
    yield rec;
  }
}

/** The readable runs, newest first, read as the caller gets to them; unreadable ones are doctor's to report. */
export function* recentRuns(ws: Workspace): Generator<Meta> {
  sweepInterruptedStarts(ws);
  for (const runId of runIdsNewestFirst(ws)) {
    const m = tryReadMeta(ws, runId);
    if (m) yield m;
  }
}

/** A run's record; null when it is missing or cannot be read. */
export function tryReadMeta(ws: Workspace, runId: string): Meta | null {
  try {
    return readMeta(ws, runId);
  } catch {
    return null;
  }
}
