import type { AppContext } from '../../app/context.js';
import { followNotifications, notificationsSince, renderNotification } from '../../app/notifications.js';
import { AppError } from '../../core/sys/errors.js';
import { visible } from '../terminal.js';

export async function tailCmd(ctx: AppContext, o: { lines?: string; json?: boolean; follow?: boolean }): Promise<void> {
  const n = Number(o.lines ?? 10);
  if (!Number.isInteger(n) || n < 0) throw new AppError(`invalid -n ${JSON.stringify(o.lines)}: give a whole number`);
  const out = (line: string) => {
    if (line.trim()) ctx.stdout.write(`${o.json ? line : visible(renderNotification(line), { oneLine: true })}\n`);
  };
  const first = notificationsSince(ctx, { last: n });
  first.lines.forEach(out);
  if (o.follow === false) return;

  ctx.stdout.on('error', () => process.exit(0)); // reader went away (e.g. piped into head)
  const interrupted = new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await followNotifications(ctx, first.cursor, out, interrupted);
}
