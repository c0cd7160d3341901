import { format } from 'date-fns/format';
import { ensureWorkspace } from '../core/config.js';
import { UserError } from '../core/errors.js';
import { LineReader, onChanges } from '../core/follow.js';
import { readFileOrNull } from '../core/fsutil.js';
import type { Notification } from '../core/notify.js';
import { resolveHome } from '../core/paths.js';

export interface TailOptions {
  home?: string;
  lines?: string;
  json?: boolean;
  follow?: boolean;
}

export function renderNotification(line: string): string {
  let n: Notification;
  try {
    n = JSON.parse(line) as Notification;
  } catch {
    return line; // a line written by something else: show it as it is
  }
  const time = Number.isNaN(Date.parse(n.ts)) ? n.ts : format(new Date(n.ts), 'HH:mm:ss');
  const state = n.event === 'start' ? n.profile : (n.outcome ?? n.status);
  const parts = [time, n.event.padEnd(8), n.run_id, state, JSON.stringify(n.title)];
  if (n.event !== 'start' && n.exit_code !== null && n.exit_code !== undefined) parts.push(`exit=${n.exit_code}`);
  if (n.escalated_to) parts.push(`-> ${n.escalated_to}`);
  if (n.event !== 'start' && n.summary) parts.push(`— ${n.summary}`);
  return parts.join('  ');
}

export async function tailCmd(o: TailOptions): Promise<void> {
  const { ws } = ensureWorkspace(resolveHome(o.home));
  const n = Number(o.lines ?? 10);
  if (!Number.isInteger(n) || n < 0) throw new UserError(`invalid -n ${JSON.stringify(o.lines)}: give a whole number`);
  const out = (line: string) => {
    if (line.trim()) process.stdout.write(`${o.json ? line : renderNotification(line)}\n`);
  };
  const text = readFileOrNull(ws.notify) ?? '';
  const lines = text.split('\n').filter(Boolean);
  for (const l of n ? lines.slice(-n) : []) out(l);
  if (o.follow === false) return;

  const reader = new LineReader(ws.notify, Buffer.byteLength(text));
  process.stdout.on('error', () => process.exit(0)); // reader went away (e.g. piped into head)
  const watcher = onChanges([ws.notify], () => reader.read().forEach(out));
  await new Promise<void>((resolve) => {
    const stop = () => void watcher.stop().then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
