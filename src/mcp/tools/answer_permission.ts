import * as z from 'zod';
import { waitInstances } from '../../app/instance-reads.js';
import { answerPermission as answer } from '../../app/instances.js';
import { InstanceView, TurnReportView } from '../../app/instance-views.js';
import { defineTool } from './tool.js';
import { boundedMs, instanceId, instanceText, reportText, timeoutInput } from './instance-tool.js';

export const answerPermission = defineTool({
  definition: ({ maxWaitS }) => ({
    name: 'answer_permission',
    title: "Answer an instance's permission request",
    description: `Allow or deny the tool use an instance is waiting on (its status needs_permission; the request, with the tool and its input, is in get_instance_status, list_instances and the reports of wait_instances and send_to_instance). A deny can carry a message telling the agent why or what to do instead; its turn goes on either way. With wait true, then wait (at most timeout_s, up to ${maxWaitS} s) for the turn to end or ask again, and return the report.`,
    input: {
      id: instanceId,
      decision: z.enum(['allow', 'deny']),
      message: z.string().optional().describe('deny: why, or what to do instead'),
      wait: z.boolean().optional().describe('then wait for the turn to end (default false)'),
      timeout_s: timeoutInput(maxWaitS),
    },
    output: { ...InstanceView.shape, reply: TurnReportView.optional().describe("with wait: the turn's report") },
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  }),
  async run(a, { ctx, settings, signal }) {
    const v = await answer(ctx, { id: a.id, decision: a.decision, message: a.message });
    const text = `${a.decision === 'allow' ? 'allowed' : 'denied'}: ${instanceText(v)}`;
    if (!a.wait) return { data: v, text };
    const [reply] = await waitInstances(ctx, { ids: [v.id], timeoutMs: boundedMs(a.timeout_s, settings), signal });
    return { data: { ...v, reply }, text: `${text}\n${reply ? reportText(reply) : ''}`.trimEnd() };
  },
});
