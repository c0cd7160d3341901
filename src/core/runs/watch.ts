// Event-driven waiting on run records: a watch on each run's directory reports each atomic
// rewrite of its meta.json at once; a slow timer backs it up with liveness checks, so a dead
// worker is noticed in ~1 s.
import { basename, dirname, join } from 'node:path';
import { onChanges } from '../sys/follow.js';
import { trace } from '../sys/trace.js';
import type { Workspace } from '../workspace/paths.js';

export const LIVENESS_INTERVAL_MS = 700;

export interface RunWatcher {
  add(runId: string): void;
  close(): Promise<void>;
}

/** Calls onChange(runId) when a run's directory changes, and every LIVENESS_INTERVAL_MS for all. */
export function watchRuns(ws: Workspace, ids: string[], onChange: (runId: string | null) => void): RunWatcher {
  const meta = (id: string) => join(ws.runs, id, 'meta.json');
  const changes = onChanges(ids.map(meta), (path) => onChange(basename(dirname(path))));
  // a run may have ended while the watches were being set up
  setImmediate(() => onChange(null));
  trace('watching'); // tests wait for this before ending a run
  const timer = setInterval(() => onChange(null), LIVENESS_INTERVAL_MS);
  return {
    add: (id) => changes.add(meta(id)),
    close: async () => {
      clearInterval(timer);
      await changes.stop();
    },
  };
}
