// The shape of a workflow as list, wait, show and the MCP tools give it (zod: the MCP tools'
// output schemas come from here).
import * as z from 'zod';

const nstr = z.string().nullable();

export const WorkflowView = z.object({
  workflow_id: z.string().describe('wf- and 6 characters'),
  name: z.string().describe('the workflow: default, quick, thorough, review-only, document, or a workflows/NAME.yaml'),
  title: z.string(),
  project: nstr,
  status: z.enum(['running', 'finished']),
  outcome: z.enum(['goal_met', 'goal_not_met', 'step_failed', 'budget_exceeded', 'cancelled']).nullable(),
  goal_met: z.boolean(),
  stop_reason: nstr.describe('why it stopped, in words'),
  iteration: z.number().int(),
  max_iterations: z.number().int(),
  steps_run: z.number().int().describe('step runs started so far (each an ordinary run)'),
  running: z.array(z.string()).describe('run ids of the steps at work now'),
  open_findings: z.number().int(),
  findings: z.number().int().describe('findings reported by reviews, open and closed'),
  cost_usd: z.number().nullable(),
  branch: nstr.describe("the branch every step worked on (merge it, or land it)"),
  worktree: nstr,
  created_at: z.string(),
  ended_at: nstr,
  exit_code: z.number().int().nullable().describe('what `agentctl wait` exits with: 0 goal met, 1 not met, 3 a step failed, 4 cancelled or over budget'),
  report: nstr.describe('report.md, once it ended'),
});
export type WorkflowView = z.infer<typeof WorkflowView>;
