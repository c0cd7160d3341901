// Finish notifications: a JSON line in notify.log (what `tail` follows), a tmux status-line
// flash, and agent-orc's wake-up line typed into the orchestrator's pane.
import type { LoadedConfig } from '../workspace/config.js';
import { appendUnderLock, readFileOrNull, storageProblem, withLock, writeFileAtomic } from '../sys/fsutil.js';
import type { Meta } from '../runs/meta.js';
import type { Workspace } from '../workspace/paths.js';
import type { Tmux } from '../tmux/tmux.js';

export type NotifyEvent = 'start' | 'finish' | 'escalate' | 'lost' | 'cancel';

export interface Notification {
  ts: string;
  event: NotifyEvent;
  run_id: string;
  title: string;
  profile: string;
  project: string | null;
  status: string;
  outcome: string | null;
  goal_met: boolean | null;
  exit_code: number | null;
  summary?: string | null;
  escalated_to?: string | null;
  parent_run_id?: string | null;
}

const SUMMARY_MAX = 400; // keeps a line well under PIPE_BUF, so concurrent appends never interleave

export function notification(event: NotifyEvent, m: Meta): Notification {
  const n: Notification = {
    ts: new Date().toISOString(),
    event,
    run_id: m.run_id,
    title: m.title,
    profile: m.profile,
    project: m.project,
    status: m.status,
    outcome: m.outcome,
    goal_met: m.goal_met,
    exit_code: m.exit_code,
  };
  if (m.summary) n.summary = m.summary.length > SUMMARY_MAX ? `${m.summary.slice(0, SUMMARY_MAX)}…` : m.summary;
  if (m.escalated_to) n.escalated_to = m.escalated_to;
  if (m.parent_run_id) n.parent_run_id = m.parent_run_id;
  return n;
}

/** The lock every writer of notify.log takes: appends, and clean's trim. */
function notifyLock(ws: Workspace): string {
  return `${ws.locks}/notify.lock`;
}

/**
 * One line onto notify.log (`tail` and `wait` rely on it), safe from `clean --runs`' trim.
 * A notify.log that cannot be written (full disk, read-only, permissions) does not stop the
 * run: returns why, for the run's record; null when the line was written.
 */
export function appendNotification(ws: Workspace, n: Notification): string | null {
  try {
    appendUnderLock(ws.notify, notifyLock(ws), `${JSON.stringify(n)}\n`);
    return null;
  } catch (err) {
    const problem = storageProblem(err);
    if (!problem) throw err;
    return `the ${n.event} notification could not be written to notify.log: ${problem.message}`;
  }
}

/**
 * Drop the notification lines older than `cutoffMs` (by their ts); lines whose time cannot be
 * read are kept. Rewritten atomically under the notify lock; dryRun only counts. Returns how
 * many lines went (or would go).
 */
export function trimNotifications(ws: Workspace, cutoffMs: number, dryRun: boolean): number {
  const trim = () => {
    const text = readFileOrNull(ws.notify);
    if (text === null) return 0;
    // an unterminated last line is being written: keep it as it is
    const cut = text.lastIndexOf('\n') + 1;
    const lines = text.slice(0, cut).split('\n').slice(0, -1);
    const kept = lines.filter((l) => {
      let ts = Number.NaN;
      try {
        ts = Date.parse((JSON.parse(l) as { ts?: unknown }).ts as string);
      } catch {
        // not JSON: kept
      }
      return Number.isNaN(ts) || ts >= cutoffMs;
    });
    const removed = lines.length - kept.length;
    if (removed && !dryRun) writeFileAtomic(ws.notify, kept.map((l) => `${l}\n`).join('') + text.slice(cut), 0o644);
    return removed;
  };
  return dryRun ? trim() : withLock(notifyLock(ws), trim);
}

/** agent-orc's wake-up line; orchestrator prompts match on it. */
export function wakeLine(m: Meta): string {
  return `[AI_ORCH DONE run_id=${m.run_id} goal_met=${m.goal_met === true} exit=${m.exit_code ?? 'none'}]`;
}

export function flashText(m: Meta): string {
  const mark = m.outcome === 'goal_met' ? 'done' : (m.outcome ?? m.status);
  return `agentctl: ${m.run_id} ${mark} (${m.profile}) ${m.title}`.slice(0, 200);
}

/**
 * Tell tmux about a run that ended. A missing or stale target is not an error: the log line
 * has already been written, which is what `tail` and `wait` rely on.
 */
export async function tmuxNotify(ws: Workspace, cfg: LoadedConfig, tmux: Tmux, m: Meta, opts: { wake: boolean }): Promise<{ flashed: boolean; woke: boolean }> {
  let flashed = false;
  let woke = false;
  // without a flash target of its own, flash where the orchestrator is
  const flashTarget = cfg.tmux_notify_target ?? cfg.tmux_sendkeys_target;
  if (flashTarget) flashed = tmux.displayMessage(flashTarget, flashText(m));
  const pane = cfg.tmux_sendkeys_target;
  if (opts.wake && pane) {
    const info = tmux.paneInfo(pane);
    if (info && !info.dead) {
      // One wake-up at a time: runs that end together would otherwise paste their lines before
      // either Enter, and the orchestrator would get them glued into one line.
      const paste = () => tmux.pasteLine(info.paneId, wakeLine(m), `agentctl-${m.run_id}`);
      let locked = false;
      try {
        woke = withLock(`${ws.locks}/wake.lock`, () => {
          locked = true;
          return paste();
        });
      } catch (err) {
        if (locked) throw err;
        woke = paste(); // the lock stayed busy: a glued line beats a lost one
      }
    }
  }
  return { flashed, woke };
}
