import * as z from 'zod';
import { notificationObject, notificationsSince, renderNotification } from '../../app/notifications.js';
import { NotificationBatch, NotificationView } from '../../app/views.js';
import { defineTool, READ } from './tool.js';

export const notifications = defineTool({
  definition: {
    name: 'notifications',
    title: 'Notifications since last time',
    description:
      'Return the run notifications (start, finish, escalate, lost, cancel) that arrived since the previous call, oldest first, each with the run id, title, profile, outcome and summary. Pass the cursor the previous call returned to get only what is new; the first call (no cursor) returns the latest `lines` notifications and a cursor. Useful to learn about every run that ended, including runs started by others, without waiting on specific ids.',
    input: {
      cursor: z.string().optional().describe('the cursor the previous notifications call returned'),
      lines: z.number().int().min(0).optional().describe('first call only: how many of the latest notifications (default 20)'),
      max: z.number().int().min(1).optional().describe('with a cursor: at most this many (default 200); more says when there are others waiting'),
    },
    output: { notifications: z.array(NotificationView), ...NotificationBatch.omit({ lines: true }).shape },
    annotations: READ,
  },
  async run(a, { ctx }) {
    const b = notificationsSince(ctx, { cursor: a.cursor, last: a.lines ?? 20, max: a.max ?? 200 });
    const text = [...b.lines.map(renderNotification), b.lines.length ? '' : 'no new notifications', `cursor: ${b.cursor}${b.more ? ' (more waiting)' : ''}`].filter(Boolean).join('\n');
    return { data: { notifications: b.lines.map(notificationObject), cursor: b.cursor, more: b.more, reset: b.reset }, text };
  },
});
