import * as z from 'zod';
import { WorkflowView } from '../../app/workflow-views.js';
import { listWorkflowViews } from '../../app/workflows.js';
import { defineTool, READ } from './tool.js';

export const listWorkflows = defineTool({
  definition: {
    name: 'list_workflows',
    title: 'List workflows',
    description: "Workflows, newest first, whoever started them (the CLI, this server, others sharing the workspace): id, name, task title, status and outcome with why it stopped, iteration of max_iterations, the step runs at work, open and total findings, cost so far, and the branch and worktree the steps worked in. A workflow whose driver died is given a new one as it is listed.",
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
