// Waiting for runs to end, event-driven: a rewrite of a watched record is seen at once, and a
// liveness timer notices a worker that died without writing one.
import { type Meta, isEnded } from '../core/runs/meta.js';
import { compactResult, exitCodeFor } from '../core/runs/result.js';
import { readMeta } from '../core/runs/store.js';
import { setLongTimeout } from '../core/sys/duration.js';
import type { RunWatcher } from '../core/runs/watch.js';
import { isInstanceRef } from '../core/instances/resolve.js';
import { AppError } from '../core/sys/errors.js';
import { isWorkflowId } from '../core/workflows/types.js';
import type { AppContext } from './context.js';
import { openRun } from './runs.js';
import type { WaitLine } from './views.js';

export interface WaitRequest {
  ids: string[];
  /** Give up after this many seconds; null: never. */
  timeoutS: number | null;
  any?: boolean;
  follow?: boolean;
  /** Stop waiting early (an MCP client cancelled the call): like a timeout. */
  signal?: AbortSignal;
}

export interface WaitOutcome {
  /** One per run ended (and, after a timeout, per run still going, as it stands), in the order the ids were given. */
  lines: WaitLine[];
  /** `wait`'s exit code. */
  code: number;
  /** The timeout (or the signal) ended the wait before the runs did. */
  timedOut: boolean;
  /** Runs (the current end of each chain) that have not ended: with --any, the others too. */
  pending: string[];
}

/** wait's dispatch: true when the ids name instances (app/instance-reads.ts waits on those); runs and instances together are refused. */
export function waitsOnInstances(ctx: AppContext, ids: string[]): boolean {
  const instances = ids.filter((id) => isInstanceRef(ctx.home, id));
  if (!instances.length) return false;
  if (instances.length < ids.length) {
    throw new AppError(`wait takes runs or instances, not both (${instances.join(', ')}: ${instances.length > 1 ? 'instances' : 'an instance'})`, { fix: 'wait for the runs and for the instances in two calls' });
  }
  return true;
}

interface Tracked {
  current: string;
  chain: string[];
  done: Meta | null;
}

/**
 * Wait for runs to end, event-driven; then onLine gets each line, in the order the ids were
 * given (not the order the runs ended), so a caller can pair lines with its ids. Shared by
 * `agentctl wait` and the MCP wait_runs tool.
 */
export async function waitForRuns(ctx: AppContext, o: WaitRequest, onLine: (line: WaitLine) => void = () => {}): Promise<WaitOutcome> {
  if (o.ids.some(isWorkflowId)) {
    // workflows have lines of their own (workflow_id, outcome, stop_reason ...), printed alike
    const w = await (await import('./workflows.js')).waitForWorkflows(ctx, o);
    const lines = w.lines as unknown as WaitLine[];
    lines.forEach((line) => onLine(line));
    return { ...w, lines };
  }
  const ws = ctx.ws;
  const ids: string[] = [];
  for (const q of o.ids) ids.push((await openRun(ctx, q)).run_id);
  const tracked: Tracked[] = [...new Set(ids)].map((id) => ({ current: id, chain: [id], done: null }));
  const codes: number[] = [];
  const ended = new Map<Tracked, WaitLine>();
  let timedOut = false;

  const emit = (t: Tracked, m: Meta) => {
    ended.set(t, o.follow ? { ...compactResult(m), chain: [...t.chain] } : compactResult(m));
    codes.push(exitCodeFor(m));
  };
  const finished = () => (o.any ? tracked.some((t) => t.done) : tracked.every((t) => t.done));

  let watcher: RunWatcher | null = null;
  /** Advance every run that ended; returns true when waiting is over. */
  const check = async (changed: string | null): Promise<boolean> => {
    for (const t of tracked) {
      while (!t.done && (changed === null || changed === t.current)) {
        const m = await openRun(ctx, t.current);
        if (!isEnded(m)) break;
        if (o.follow && m.escalated_to) {
          t.current = m.escalated_to;
          t.chain.push(m.escalated_to);
          watcher?.add(m.escalated_to);
          changed = null;
          continue;
        }
        t.done = m;
        emit(t, m);
        if (o.any) return true;
      }
    }
    return finished();
  };

  if (!(await check(null))) {
    const { watchRuns } = await import('../core/runs/watch.js');
    await new Promise<void>((resolve, reject) => {
      let busy = false;
      let again = false;
      let cancelTimer: (() => void) | undefined;
      let over = false;
      const end = (timeUp: boolean) => {
        if (over) return;
        over = true;
        cancelTimer?.();
        o.signal?.removeEventListener('abort', abort);
        try {
          if (timeUp) {
            timedOut = true;
            for (const t of tracked) if (!t.done) emit(t, readMeta(ws, t.current));
          }
        } catch (err) {
          void watcher!.close();
          reject(err); // a record gone unreadable meanwhile: an error, never an uncaught one
          return;
        }
        void watcher!.close().then(resolve, reject);
      };
      const abort = () => end(true);
      const run = async (changed: string | null) => {
        if (over) return;
        if (busy) {
          again = true;
          return;
        }
        busy = true;
        try {
          let done = await check(changed);
          while (!done && again) {
            again = false;
            done = await check(null);
          }
          if (done) end(false);
        } catch (err) {
          over = true;
          cancelTimer?.();
          o.signal?.removeEventListener('abort', abort);
          void watcher!.close();
          reject(err);
        } finally {
          busy = false;
        }
      };
      watcher = watchRuns(
        ws,
        tracked.map((t) => t.current),
        (id) => void run(id),
      );
      if (o.timeoutS !== null) cancelTimer = setLongTimeout(() => end(true), o.timeoutS * 1000);
      if (o.signal?.aborted) end(true);
      else o.signal?.addEventListener('abort', abort, { once: true });
    });
  }
  const code = o.any ? (codes[0] ?? 0) : Math.max(0, ...codes);
  const lines = tracked.flatMap((t) => (ended.has(t) ? [ended.get(t)!] : []));
  lines.forEach((line) => onLine(line));
  return { lines, code, timedOut, pending: tracked.filter((t) => !t.done).map((t) => t.current) };
}
