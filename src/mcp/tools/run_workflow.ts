import * as z from 'zod';
import { WorkflowView } from '../../app/workflow-views.js';
import { planFor, runWorkflow as start } from '../../app/workflows.js';
import { ACT, defineTool } from './tool.js';

export const runWorkflow = defineTool({
  definition: {
    name: 'run_workflow',
    title: 'Run a workflow',
    description:
      'Start a multi-step workflow on a task and return its id at once. Each step is an ordinary run (its own pane, record and result) of a profile; all steps work in one git worktree, in order, so a refine step sees what the implement step changed; reviewers answer with findings, and the review/refine loop repeats until no findings are left, a stop condition holds, or max_iterations. Built-ins: default (codex implements, gemini reviews, claude refines; 3 iterations), quick (codex implements), thorough (implement, review, security review, refine, review; 5), review-only (review, refine; 2), document (document, review; 2); or a workflows/NAME.yaml of the project or workspace. You are notified once when the workflow ends, not after each step: call workflow_status with wait_s for its result. dry_run returns the plan (steps, profiles, missing CLIs, budget) without starting anything.',
    input: {
      workflow: z.string().describe('default, quick, thorough, review-only, document, or a custom workflow name'),
      task: z.string().optional().describe('the task, as you would give it to one worker (required unless dry_run)'),
      project: z.string().optional().describe('registered project name or a directory (default: the server\'s working directory)'),
      max_iterations: z.number().int().optional().describe("override the workflow's max_iterations"),
      max_cost_usd: z.number().optional().describe('stop before a step that would go beyond this budget'),
      dry_run: z.boolean().optional(),
    },
    output: { workflow: WorkflowView.nullable(), plan: z.unknown().optional().describe('with dry_run: the plan') },
    annotations: ACT,
  },
  async run(a, { ctx }) {
    const o = { name: a.workflow, project: a.project, maxIterations: a.max_iterations, budgetUsd: a.max_cost_usd };
    if (a.dry_run) {
      const plan = planFor(ctx, o);
      const steps = plan.steps.map((s) => `${s.group + 1}. ${s.step}: ${s.kind} by ${s.profile}${s.missing ? ` (MISSING ${s.missing})` : ''}`);
      return { data: { workflow: null, plan }, text: `workflow ${plan.name}, at most ${plan.max_iterations} iterations:\n${steps.join('\n')}` };
    }
    const v = await start(ctx, o, () => a.task ?? '');
    return { data: { workflow: v }, text: `started workflow ${v.workflow_id} (${v.name}): call workflow_status with id "${v.workflow_id}" and wait_s to get its result` };
  },
});
