// Waiting on instances' turns: over for one when its current turn ended, when it needs
// permission (so the orchestrator never waits on a question it cannot see), or when it exited
// or was lost. Event-driven through the hooks' inbox; a slow re-check catches what no file
// tells (a process that died, a transcript that shows an interruption).
import { EXIT } from '../sys/errors.js';
import { waitForEvents } from './events.js';
import { instanceFiles } from './paths.js';
import { refreshStatus, turnReport, turnSettled, type DeriveOptions, type DerivedStatus } from './status.js';
import type { InstanceRecord, TurnReport } from './types.js';

/** How often liveness and the transcript are looked at again while waiting. */
const RECHECK_MS = 1000;

export interface TurnWait {
  records: InstanceRecord[];
  any?: boolean;
  /** null or absent: no limit. */
  timeoutMs?: number | null;
  signal?: AbortSignal;
  derive?: DeriveOptions;
  /** Told of each status change a wait records (a lost instance is announced). */
  onChange?: (record: InstanceRecord, d: DerivedStatus) => void;
}

export interface TurnWaitOutcome {
  /** In the order the instances were given: every one (with --any, the first settled only, unless time ran out). */
  reports: TurnReport[];
  timedOut: boolean;
  code: number;
}

export function exitCodeForReport(r: TurnReport): number {
  switch (r.outcome) {
    case 'completed':
      return EXIT.OK;
    case 'timeout':
      return EXIT.WAIT_TIMEOUT;
    case 'failed':
      return EXIT.RUN_FAILED;
    case 'needs_permission':
    case 'none':
      return EXIT.GOAL_NOT_MET;
    default:
      return EXIT.RUN_LOST; // interrupted, exited, lost, unknown
  }
}

export async function waitForTurns(home: string, w: TurnWait): Promise<TurnWaitOutcome> {
  const stop = new AbortController();
  const signal = w.signal ? AbortSignal.any([w.signal, stop.signal]) : stop.signal;
  const timeoutMs = w.timeoutMs ?? Infinity;
  const settled = new Map<string, TurnReport>();
  const waits = w.records.map(async (rec) => {
    const report = await waitForEvents(
      instanceFiles(home, rec.id),
      () => {
        const { record, status, changed } = refreshStatus(home, rec.id, w.derive);
        if (changed) w.onChange?.(record, status);
        return turnSettled(status) ? turnReport(record, status) : null;
      },
      timeoutMs,
      { recheckMs: RECHECK_MS, signal },
    );
    // --any: the first only, even when two end at once
    if (report && !(w.any && settled.size)) {
      settled.set(rec.id, report);
      if (w.any) stop.abort();
    }
  });
  await Promise.all(waits);
  let timedOut = false;
  const reports: TurnReport[] = [];
  for (const rec of w.records) {
    const r = settled.get(rec.id);
    if (r) reports.push(r);
    else if (!w.any || settled.size === 0) {
      timedOut = true;
      const { record, status } = refreshStatus(home, rec.id, w.derive);
      reports.push({ ...turnReport(record, status), outcome: 'timeout' });
    }
  }
  const codes = reports.map(exitCodeForReport);
  const code = w.any && !timedOut ? codes[0]! : Math.max(0, ...codes);
  return { reports, timedOut, code };
}
