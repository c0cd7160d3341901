import * as z from 'zod';
import { mergeLine, mergeWith } from '../../app/worktree.js';
import { MergeView } from '../../app/views.js';
import { defineTool, GIT_WRITE, runId } from './tool.js';

export const mergeRun = defineTool({
  definition: {
    name: 'merge_run',
    title: "Merge a worktree run's branch",
    description:
      "Merge the branch of a finished run that was started with worktree true into the branch the project's checkout has checked out (a merge commit; squash true makes one plain commit instead), and report the new commit, its diff stat and the files it changed. It refuses, changing nothing, when the run (or a resume of it) is still going, its worktree has uncommitted changes, the checkout has uncommitted changes or a detached HEAD, or the merge would conflict: then it is a tool error that names the files and says how to resolve it (typically: run the given git command in the run's worktree, then resume_run the run asking it to resolve the conflict markers in those files, wait for it, and merge_run again; or merge the runs in another order). Merging a run already merged does nothing and says so (already_merged true). Review the change with run_diff first.",
    input: {
      id: runId.describe('the worktree run whose branch to merge (it must have ended)'),
      squash: z.boolean().optional().describe("one plain commit with the run's title and summary as message, instead of a merge commit"),
    },
    output: MergeView.shape,
    annotations: GIT_WRITE,
  },
  async run(a, { ctx }) {
    const r = await mergeWith(ctx, { id: a.id, squash: a.squash });
    return { data: r, text: mergeLine(r) };
  },
});
