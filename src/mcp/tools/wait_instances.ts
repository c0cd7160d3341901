import * as z from 'zod';
import { waitInstances as wait } from '../../app/instance-reads.js';
import { TurnReportView } from '../../app/instance-views.js';
import { defineTool, READ } from './tool.js';
import { boundedMs, instanceIds, reportText, stillWorking, timeoutInput } from './instance-tool.js';

export const waitInstances = defineTool({
  definition: ({ maxWaitS }) => ({
    name: 'wait_instances',
    title: 'Wait for instances',
    description: `Block until each instance's current turn ends, or it stops on a permission request, exits or is lost (mode "any": until the first one does), at most timeout_s (up to ${maxWaitS} s), and return one report per instance: outcome (completed, failed, interrupted, needs_permission with the request, exited, lost, or timeout when the wait ended first) and the reply. Event-driven and cheap: prefer it to polling get_instance_status. For runs, use wait_runs.`,
    input: {
      ids: instanceIds.describe('the instances to wait for'),
      mode: z.enum(['all', 'any']).optional().describe('all (default): until every one is done; any: until the first one is'),
      timeout_s: timeoutInput(maxWaitS),
    },
    output: {
      replies: z.array(TurnReportView).describe('one report per instance, in the order of ids'),
      still_working: z.array(z.string()).describe('instances whose turn had not ended when the wait did: wait for them again'),
    },
    annotations: READ,
  }),
  async run(a, { ctx, settings, signal }) {
    const replies = await wait(ctx, { ids: a.ids, any: a.mode === 'any', timeoutMs: boundedMs(a.timeout_s, settings), signal });
    return { data: { replies, still_working: stillWorking(replies) }, text: replies.map(reportText).join('\n\n') };
  },
});
