// Ending a run. Three parties end runs: the supervisor when its agent is done, a liveness check
// that finds the worker dead, and cancel when no supervisor is left to do it. All of them end it
// here, so every ended record has the same shape and every end is announced the same way.
import type { LoadedConfig } from '../workspace/config.js';
import { type Meta, type Outcome, isEnded } from '../runs/meta.js';
import { appendNotification, notification, type NotifyEvent, tmuxNotify } from './notify.js';
import type { Workspace } from '../workspace/paths.js';
import { updateMeta } from '../runs/store.js';
import { tmuxFor } from '../tmux/tmux.js';

export interface RunEnd {
  outcome: Outcome;
  /** Why agentctl ended the run (a stop, a dead worker): its last error. null: the agent ended by itself. */
  reason: string | null;
  /** The summary of a run that has none of its own. */
  summary?: string;
  /** What the supervisor learnt from the agent (answer, usage, git, errors), laid over the record first. */
  facts?: Partial<Meta>;
}

/** The ended record: status, outcome, goal, end time, last error and summary, set alike for every end. */
export function endedRecord(m: Meta, end: RunEnd, at = new Date()): Meta {
  const r: Meta = { ...m, ...end.facts };
  return {
    ...r,
    status: end.outcome === 'lost' ? 'lost' : 'finished',
    outcome: end.outcome,
    goal_met: end.outcome === 'goal_met',
    ended_at: at.toISOString(),
    errors: end.reason === null ? r.errors : [...r.errors, end.reason],
    summary: r.summary ?? end.summary ?? null,
  };
}

export interface EndOptions {
  /** The notify.log lines, in order: finish (then escalate or cancel) from the supervisor, lost, cancel. */
  events: NotifyEvent[];
  /** Type the wake-up line into the orchestrator's pane (the flash goes in any case). */
  wake: boolean;
  /** Whether the record, read under its lock, is still this caller's to end (besides not having ended). */
  mayEnd?: (current: Meta) => boolean;
  /** Stop what is left of the run once its record says it ended, before tmux hears of it. */
  stopRemains?: (ended: Meta) => Promise<void>;
}

/**
 * End a run: under its lock, re-read the record and, unless it ended meanwhile (or mayEnd says
 * it is not ours), append its notify.log lines and write the ended record; the lines come first,
 * so whoever `wait` wakes can already `tail` them. Then stop what is left and tell tmux (without
 * a config, tmux is not told). Returns the record as it now is, and whether this call ended it.
 */
export async function endRun(ws: Workspace, cfg: LoadedConfig | null, runId: string, end: RunEnd, o: EndOptions): Promise<{ meta: Meta; ended: boolean }> {
  let ended = false;
  const meta = updateMeta(ws, runId, (cur) => {
    if (isEnded(cur) || (o.mayEnd && !o.mayEnd(cur))) return cur;
    const next = endedRecord(cur, end);
    for (const event of o.events) {
      // the run's result stands even when no one could be told of it
      const failed = appendNotification(ws, notification(event, next));
      if (failed) next.errors = [...next.errors, failed];
    }
    ended = true;
    return next;
  });
  if (!ended) return { meta, ended };
  if (o.stopRemains) await o.stopRemains(meta);
  // a workflow's step (a run of it without a parent: resumes of one are someone's own) wakes no
  // one: the workflow announces its own end
  const step = meta.workflow_id && !meta.parent_run_id;
  if (cfg) await tmuxNotify(ws, cfg, tmuxFor(meta), meta, { wake: o.wake && !step });
  return { meta, ended };
}
