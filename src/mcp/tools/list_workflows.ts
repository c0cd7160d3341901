import * as z from 'zod';
import { WorkflowView } from '../../app/workflow-views.js';
import { listWorkflowViews } from '../../app/workflows.js';
import { defineTool, READ } from './tool.js';

export const listWorkflows = defineTool({
  definition: {
    name: 'list_workflows',
    title: 'List workflows',
    description: 'Workflows, newest first: id, name, state, iteration, open findings, cost, branch.',
    input: { limit: z.number().optional().describe('at most this many (default 20; 0: all)') },
    output: { workflows: z.array(WorkflowView) },
    annotations: READ,
  },
  async run(a, { ctx }) {
    const workflows = listWorkflowViews(ctx, { limit: a.limit ?? 20 });
    const line = (v: WorkflowView) => `${v.workflow_id}  ${v.outcome ?? v.status}  ${v.iteration}/${v.max_iterations}  ${v.name}  ${v.title}`;
    return { data: { workflows }, text: workflows.length ? workflows.map(line).join('\n') : 'no workflows yet' };
  },
});
