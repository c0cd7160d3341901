// Finish notifications: a JSON line in notify.log (what `tail` follows), a tmux status-line
// flash, and agent-orc's wake-up line typed into the orchestrator's pane.
import type { LoadedConfig } from '../workspace/config.js';
import { appendUnderLock, readFileOrNull, storageProblem, withLock, writeFileAtomic } from '../sys/fsutil.js';
import type { Meta } from '../runs/meta.js';
import type { Workspace } from '../workspace/paths.js';
import type { Tmux } from '../tmux/tmux.js';
import { checkWakePane, inputBusy } from '../tmux/wake.js';

export type NotifyEvent = 'start' | 'finish' | 'escalate' | 'lost' | 'cancel' | 'wake_skipped' | 'workflow';

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
  /** wake_skipped: why the wake-up line was not typed. */
  reason?: string;
  /** workflow: the end of a workflow (run_id holds its id too, for readers that know only runs). */
  workflow_id?: string;
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
export function appendNotification(ws: Workspace, n: { event: string; reason?: string }): string | null {
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

/** All the tmux calls announcing one run's end, together: a wedged server cannot hang it. */
const NOTIFY_LIMIT_MS = 15_000;
/** How long a wake-up waits for the orchestrator's input line to be empty. */
const IDLE_WAIT_MS = 10_000;
const IDLE_POLL_MS = 250;

/**
 * Tell tmux about a run that ended. A missing or stale target is not an error: the log line
 * has already been written, which is what `tail` and `wait` rely on. A wake-up that could not
 * be typed says why in notify.log (wake_skipped).
 */
export async function tmuxNotify(ws: Workspace, cfg: LoadedConfig, server: Tmux, m: Meta, opts: { wake: boolean }): Promise<{ flashed: boolean; woke: boolean }> {
  return tmuxAnnounce(ws, cfg, server, {
    flash: flashText(m),
    wakeLine: wakeLine(m),
    buffer: `agentctl-${m.run_id}`,
    skipped: (reason) => void appendNotification(ws, { ...notification('wake_skipped', m), reason }),
  }, opts);
}

/** What to flash and type for one event (a run's end, an instance's turn end or question). */
export interface Announcement {
  flash: string;
  wakeLine: string;
  /** tmux paste buffer name, unique to the event's subject. */
  buffer: string;
  /** Records why the wake-up line was not typed. */
  skipped: (reason: string) => void;
}

/** The flash and the wake-up line of an announcement (see tmuxNotify). */
export async function tmuxAnnounce(ws: Workspace, cfg: LoadedConfig, server: Tmux, a: Announcement, opts: { wake: boolean }): Promise<{ flashed: boolean; woke: boolean }> {
  const tmux = server.within(NOTIFY_LIMIT_MS);
  let flashed = false;
  let woke = false;
  // without a flash target of its own, flash where the orchestrator is
  const flashTarget = cfg.tmux_notify_target ?? cfg.tmux_sendkeys_target;
  if (flashTarget) flashed = tmux.displayMessage(flashTarget, a.flash);
  const pane = cfg.tmux_sendkeys_target;
  if (opts.wake && pane) {
    const skipped = await wake(ws, cfg, tmux, a, pane);
    woke = skipped === null;
    if (skipped) a.skipped(skipped);
  }
  return { flashed, woke };
}

/**
 * Type the wake-up line once the recorded pane is still the one recorded and its input line
 * is empty, waiting up to IDLE_WAIT_MS for that; null when typed, else why not.
 */
async function wake(ws: Workspace, cfg: LoadedConfig, tmux: Tmux, a: Announcement, target: string): Promise<string | null> {
  const until = Date.now() + IDLE_WAIT_MS;
  for (;;) {
    const found = checkWakePane(tmux, target, cfg.tmux_sendkeys_identity);
    if ('problem' in found) return found.problem;
    let busy = inputBusy(tmux, found.state);
    if (!busy) {
      // One wake-up at a time: runs that end together would otherwise type into each other's
      // line; under the lock the input line is looked at again, just before typing.
      let locked = false;
      try {
        busy = withLock(`${ws.locks}/wake.lock`, () => {
          locked = true;
          const now = checkWakePane(tmux, target, cfg.tmux_sendkeys_identity);
          if ('problem' in now) return now.problem;
          const still = inputBusy(tmux, now.state);
          if (still) return still;
          return tmux.pasteLine(now.state.paneId, a.wakeLine, a.buffer) ? null : 'tmux could not type into the pane';
        }, IDLE_WAIT_MS);
      } catch (err) {
        if (locked) throw err;
        busy = 'other wake-ups held the lock'; // never typed without it: two lines would mix
      }
      if (!busy) return null;
    }
    if (tmux.timedOut) return 'tmux did not answer in time';
    if (Date.now() >= until) return `the orchestrator's input line stayed busy for ${IDLE_WAIT_MS / 1000} s (${busy})`;
    await new Promise((r) => setTimeout(r, IDLE_POLL_MS));
  }
}
