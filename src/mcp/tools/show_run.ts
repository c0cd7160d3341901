import { showRecord } from '../../app/runs.js';
import { RecordView } from '../../app/views.js';
import { compactResult } from '../../core/runs/result.js';
import { defineTool, READ, resultLine, runId } from './tool.js';

export const showRun = defineTool({
  definition: {
    name: 'show_run',
    title: 'Show a run',
    description:
      "Return a run's full record: its status and outcome, the worker's parsed answer (result) with summary and followup_prompt, title, project directory, profile, agent and model, timings, token usage and cost when the agent reports them (cost: the reported cost, else an estimate from the tokens and the workspace's price table, with estimated true; budget: the run's cost/token limits and, for outcome budget_exceeded, which it crossed), git diff stat and changed files, escalation links (parent_run_id, escalated_to), errors and schema validation errors, the paths of its files on disk (prompt, raw events, stderr), and for a run in its own git worktree the worktree record (worktree: path, branch, base commit, the commit made at its end, diff stat and changed files against the base, merged: where and when it was merged, removed_at and branch_deleted_at once discarded). Reading it also notices a worker that died and marks the run lost.",
    input: { id: runId },
    output: RecordView.shape,
    annotations: READ,
  },
  async run(a, { ctx }) {
    const r = await showRecord(ctx, a.id);
    return { data: r, text: `${resultLine(compactResult(r))}\n${JSON.stringify(r, null, 2)}` };
  },
});
