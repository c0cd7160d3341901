import * as z from 'zod';
import { WorkflowView } from '../../app/workflow-views.js';
import { waitForWorkflows, workflowStatus as status } from '../../app/workflows.js';
import { defineTool, READ } from './tool.js';

export const workflowStatus = defineTool({
  definition: (s) => ({
    name: 'workflow_status',
    title: 'Show or wait for a workflow',
    description: `A workflow's state: status, outcome, why it stopped, iteration, the step runs at work, open findings, cost, its branch and worktree, and its report so far (steps with their runs, findings opened and closed per iteration, files changed). With wait_s, first waits up to that many seconds (at most ${s.maxWaitS}) for it to end. Reading it also restarts the driver of a workflow whose driver died.`,
    input: { id: z.string().describe('workflow id (wf-...)'), wait_s: z.number().optional().describe('wait up to this many seconds for the workflow to end') },
    output: { ...WorkflowView.shape, report_so_far: z.unknown(), driver_alive: z.boolean() },
    annotations: READ,
  }),
  async run(a, { ctx, signal, settings }) {
    if (a.wait_s) await waitForWorkflows(ctx, { ids: [a.id], timeoutS: Math.min(a.wait_s, settings.maxWaitS), signal });
    const v = status(ctx, a.id);
    const { files: _files, ...data } = v;
    const text = `${v.workflow_id} (${v.name}): ${v.outcome ?? v.status}${v.stop_reason ? ` - ${v.stop_reason}` : ''}; iteration ${v.iteration}/${v.max_iterations}, ${v.open_findings} open findings${v.branch ? `, branch ${v.branch}` : ''}`;
    return { data, text };
  },
});
