// A workflow id given to `land` stands for the workflow's branch: every step of a workflow
// works in one worktree, so its newest step run is what lands (and what a fix resumes).
//
// MERGE POINT (H11a): this reads <home>/workflows/<id>/workflow.json with a lenient schema of
// the fields used, because src/core/workflows/ is not on this branch yet. Once it is, replace
// the read with `workflowBranch(ws, id)` (its `runs`, newest last) and `readWorkflow`'s status.
import { join } from 'node:path';
import * as z from 'zod';
import { AppError } from '../core/sys/errors.js';
import { readFileOrNull } from '../core/sys/fsutil.js';
import type { AppContext } from './context.js';

const WORKFLOW_ID = /^wf-[a-z0-9]{6}$/;

const WorkflowFields = z.looseObject({
  status: z.string(),
  worktree: z.looseObject({ branch: z.string() }).nullable(),
  iterations: z.array(z.looseObject({ runs: z.array(z.looseObject({ run_id: z.string() })) })),
});

export function isWorkflowId(id: string): boolean {
  return WORKFLOW_ID.test(id);
}

/** The run that stands for a workflow's branch: its newest step. */
export function workflowLandingRun(ctx: AppContext, id: string): string {
  const text = readFileOrNull(join(ctx.home, 'workflows', id, 'workflow.json'));
  if (text === null) throw new AppError(`no workflow ${id}`);
  let wf: z.infer<typeof WorkflowFields>;
  try {
    wf = WorkflowFields.parse(JSON.parse(text));
  } catch {
    throw new AppError(`workflow ${id}'s record cannot be read`);
  }
  if (wf.status !== 'finished') throw new AppError(`workflow ${id} has not finished (${wf.status})`);
  const runs = wf.iterations.flatMap((i) => i.runs.map((r) => r.run_id));
  if (!wf.worktree || !runs.length) throw new AppError(`workflow ${id} has no branch: no step of it worked in a worktree`);
  return runs[runs.length - 1]!;
}
