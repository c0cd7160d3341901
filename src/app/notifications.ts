// Notifications (notify.log): one JSON line per start, finish, escalate, lost and cancel.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { format } from 'date-fns/format';
import { AppError } from '../core/sys/errors.js';
import { LineReader, onChanges } from '../core/sys/follow.js';
import type { Notification } from '../core/lifecycle/notify.js';
import { ensureWorkspace } from '../core/workspace/config.js';
import type { AppContext } from './context.js';
import type { NotificationBatch, NotificationView } from './views.js';

/** A notification line as a person reads it: time, event, run, state, title, outcome. */
export function renderNotification(line: string): string {
  let n: Notification;
  try {
    n = JSON.parse(line) as Notification;
  } catch {
    return line; // a line written by something else: show it as it is
  }
  const time = Number.isNaN(Date.parse(n.ts)) ? n.ts : format(new Date(n.ts), 'HH:mm:ss');
  const state = n.event === 'start' ? n.profile : (n.outcome ?? n.status);
  // an instance's line (core/instances/notify.ts) names the instance where a run's names the run
  const parts = [time, n.event.padEnd(8), n.run_id ?? (n as { instance?: string }).instance, state, JSON.stringify(n.title)];
  if (n.event !== 'start' && n.exit_code !== null && n.exit_code !== undefined) parts.push(`exit=${n.exit_code}`);
  if (n.escalated_to) parts.push(`-> ${n.escalated_to}`);
  if (n.event !== 'start' && n.summary) parts.push(`— ${n.summary}`);
  return parts.join('  ');
}

/**
 * Notification lines: without a cursor, the last `last` lines; with one, up to `max` lines
 * appended since it was made. The cursor is "<inode>:<byte offset>", so a replaced log is
 * noticed. `tail` prints the first batch this way; the MCP notifications tool pages with it.
 */
export function notificationsSince(ctx: AppContext, o: { cursor?: string; last: number; max?: number }): NotificationBatch {
  const { ws } = ensureWorkspace(ctx.home);
  let from: { ino: number; offset: number } | null = null;
  if (o.cursor !== undefined) {
    const m = /^(\d+):(\d+)$/.exec(o.cursor);
    if (!m) throw new AppError(`invalid cursor ${JSON.stringify(o.cursor)}`, { fix: 'pass the cursor the previous notifications call returned, or none for the latest lines' });
    from = { ino: Number(m[1]), offset: Number(m[2]) };
  }
  const fd = openSync(ws.notify, 'r');
  try {
    const st = fstatSync(fd);
    const reset = from !== null && (from.ino !== st.ino || from.offset > st.size);
    const start = from && !reset ? from.offset : 0;
    const buf = Buffer.alloc(st.size - start);
    const n = buf.length ? readSync(fd, buf, 0, buf.length, start) : 0;
    const text = buf.subarray(0, n).toString('utf8');
    // only complete lines: one being appended right now is read by the next call
    const complete = text.slice(0, text.lastIndexOf('\n') + 1);
    const all = complete.split('\n').slice(0, -1);
    if (!from) {
      const lines = all.filter((l) => l.trim());
      return { lines: o.last ? lines.slice(-o.last) : [], cursor: `${st.ino}:${start + Buffer.byteLength(complete)}`, more: false, reset: false };
    }
    const max = o.max ?? Infinity;
    const lines: string[] = [];
    let consumed = 0;
    for (const l of all) {
      if (lines.length >= max) break;
      consumed += Buffer.byteLength(l) + 1;
      if (l.trim()) lines.push(l);
    }
    return { lines, cursor: `${st.ino}:${start + consumed}`, more: start + consumed < start + Buffer.byteLength(complete), reset };
  } finally {
    closeSync(fd);
  }
}

/** Each notification appended after `cursor` (from notificationsSince), handed to `out` until `until` settles. */
export async function followNotifications(ctx: AppContext, cursor: string, out: (line: string) => void, until: Promise<void>): Promise<void> {
  const reader = new LineReader(ctx.ws.notify, Number(cursor.split(':')[1]));
  const watcher = onChanges([ctx.ws.notify], () => reader.read().forEach(out));
  await until;
  await watcher.stop();
}

/** A notification line as an object; a line that is not a JSON object comes as {line}. */
export function notificationObject(line: string): NotificationView {
  try {
    const v: unknown = JSON.parse(line);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as NotificationView) : { line };
  } catch {
    return { line };
  }
}
