// Event-driven waiting on run records: chokidar reports each atomic rewrite of a meta.json at
// once; a slow timer backs it up with liveness checks, so a dead worker is noticed in ~1 s.
import { watch, type FSWatcher } from 'chokidar';
import { join } from 'node:path';
import { closeWatcher } from '../sys/follow.js';
import { trace } from '../sys/trace.js';
import type { Workspace } from '../workspace/paths.js';

export const LIVENESS_INTERVAL_MS = 700;

export interface RunWatcher {
  add(runId: string): void;
  close(): Promise<void>;
}

/** Calls onChange(runId) when a run's directory changes, and every LIVENESS_INTERVAL_MS for all. */
export function watchRuns(ws: Workspace, ids: string[], onChange: (runId: string | null) => void): RunWatcher {
  const watcher: FSWatcher = watch(
    ids.map((id) => join(ws.runs, id)),
    {
      ignoreInitial: true,
      depth: 0,
      atomic: false,
      ignored: (p: string) => p.endsWith('.tmp') || p.endsWith('.lock'),
    },
  );
  const fire = (path: string) => {
    const rel = path.slice(ws.runs.length + 1);
    const id = rel.split('/')[0];
    if (id && rel.endsWith('meta.json')) onChange(id);
  };
  watcher.on('add', fire).on('change', fire);
  // a run may have ended while the watches were being set up
  watcher.on('ready', () => onChange(null));
  watcher.on('ready', () => trace('watching')); // tests wait for this before ending a run
  const timer = setInterval(() => onChange(null), LIVENESS_INTERVAL_MS);
  return {
    add: (id) => watcher.add(join(ws.runs, id)),
    close: async () => {
      clearInterval(timer);
      await closeWatcher(watcher);
    },
  };
}
