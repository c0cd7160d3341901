import * as z from 'zod';
import { listEntry, listRuns as listRows } from '../../app/runs.js';
import { ListEntry } from '../../app/views.js';
import { defineTool, READ } from './tool.js';

export const listRuns = defineTool({
  definition: {
    name: 'list_runs',
    title: 'List runs',
    description:
      "List recent runs, newest first, with status, outcome, title, project, profile, agent, timings and escalation links; a worktree run also has its branch, whether that branch is merged into the project's current branch (merged, branch_state) and its worktree directory while it exists. Filter by status (pending, running, finished, lost) or outcome (goal_met, goal_not_met, invalid_output, agent_error, cancelled, timed_out, lost, budget_exceeded), and by registered project name. Includes runs started from the command line and from other agentctl servers: they all share the workspace on disk.",
    input: {
      status: z.string().optional().describe('only runs with this status or outcome'),
      project: z.string().optional().describe('only runs of this registered project'),
      limit: z.number().optional().describe('at most this many runs (default 20; 0: all)'),
    },
    output: { runs: z.array(ListEntry) },
    annotations: READ,
  },
  async run(a, { ctx }) {
    const runs = (await listRows(ctx, { status: a.status, project: a.project, limit: a.limit ?? 20 })).map(listEntry);
    const line = (r: ListEntry) =>
      r.error !== undefined ? `${r.run_id}: corrupt: ${r.error}` : `${r.run_id}  ${r.outcome ?? r.status}  ${r.profile}  ${r.project ?? '-'}${r.branch ? `  ${r.branch} (${r.branch_state ?? 'unknown'})` : ''}  ${r.title}`;
    return { data: { runs }, text: runs.length ? runs.map(line).join('\n') : 'no runs match' };
  },
});
