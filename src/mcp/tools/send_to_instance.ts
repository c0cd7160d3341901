import * as z from 'zod';
import { waitInstances } from '../../app/instance-reads.js';
import { sendToInstances } from '../../app/instances.js';
import { SentView, TurnReportView } from '../../app/instance-views.js';
import { ACT, defineTool } from './tool.js';
import { boundedMs, instanceIds, reportText, stillWorking, timeoutInput } from './instance-tool.js';

export const sendToInstance = defineTool({
  definition: ({ maxWaitS }) => ({
    name: 'send_to_instance',
    title: 'Send a message to instances',
    description: `Deliver a message to one or more idle instances as their next turn; delivery is confirmed by the agent's own hook before this returns. With wait true, also wait (at most timeout_s, up to ${maxWaitS} s) until each turn ends or stops on a permission request, and return each reply. An instance that is working refuses a new message (interrupt_instance it first, or queue: true for Claude, which runs it after the current turn). A message is delivered as text, even when it starts with "/" or "!". For different messages to several instances at once, use coordinate_instances.`,
    input: {
      ids: instanceIds.describe('the instances to send it to'),
      message: z.string().min(1).describe('the message: a task, a question, or new directions'),
      queue: z.boolean().optional().describe('Claude only: queue it behind a running turn instead of refusing'),
      wait: z.boolean().optional().describe('wait for the replies (default false: return once delivered)'),
      timeout_s: timeoutInput(maxWaitS),
    },
    output: {
      sent: z.array(SentView).describe('per instance, the turn the message started'),
      replies: z.array(TurnReportView).describe('with wait: one report per instance, in the order of ids; empty without wait'),
      still_working: z.array(z.string()).describe('with wait: instances whose turn had not ended when the wait did: call wait_instances with them'),
    },
    annotations: ACT,
  }),
  async run(a, { ctx, settings, signal }) {
    const sent = await sendToInstances(ctx, { ids: a.ids, message: a.message, queue: a.queue });
    const text = sent.map((s) => `delivered to ${s.name} (${s.instance}) as turn ${s.turn}`);
    if (!a.wait) return { data: { sent, replies: [], still_working: [] }, text: [...text, 'call wait_instances with their ids for the replies'].join('\n') };
    const replies = await waitInstances(ctx, { ids: sent.map((s) => s.instance), timeoutMs: boundedMs(a.timeout_s, settings), signal });
    return { data: { sent, replies, still_working: stillWorking(replies) }, text: replies.map(reportText).join('\n\n') };
  },
});
