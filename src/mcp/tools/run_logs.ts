import * as z from 'zod';
import { recentLogs } from '../../app/logs.js';
import { LogsView } from '../../app/views.js';
import { defineTool, READ, runId } from './tool.js';

export const runLogs = defineTool({
  definition: {
    name: 'run_logs',
    title: "A run's recent activity",
    description:
      "Return the last `lines` events of a run rendered readably, one per line (the agent's messages, tool calls and commands, errors), to see what a worker is doing or why it failed. For a run that has ended, `footer` holds the end of the agent's stderr and its outcome. Set raw to get the agent CLI's own JSON event lines instead.",
    input: {
      id: runId,
      lines: z.number().int().min(0).optional().describe('how many of the latest events (default 50; 0: all)'),
      raw: z.boolean().optional().describe("the agent CLI's raw event lines instead of readable ones"),
    },
    output: LogsView.shape,
    annotations: READ,
  },
  async run(a, { ctx }) {
    const l = await recentLogs(ctx, { id: a.id, tail: a.lines ?? 50, raw: a.raw });
    const head = l.lines.length < l.total_lines ? [`(last ${l.lines.length} of ${l.total_lines} lines)`] : [];
    return { data: l, text: [...head, ...l.lines, ...l.footer].join('\n') || `${l.run_id}: no events yet (${l.status})` };
  },
});
