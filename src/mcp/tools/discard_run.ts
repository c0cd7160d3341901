import * as z from 'zod';
import { discardWith } from '../../app/worktree.js';
import { RemoveView } from '../../app/views.js';
import { defineTool, GIT_WRITE, runId } from './tool.js';

export const discardRun = defineTool({
  definition: {
    name: 'discard_run',
    title: "Discard a worktree run's work",
    description:
      "Remove the git worktree and the branch of a finished run that was started with worktree true (after merge_run, or when its work is not wanted). It never loses work unless force is true: a worktree with uncommitted changes is kept (with its branch), and a branch with commits that are merged nowhere is kept (the clean worktree is still removed); then the call is a tool error whose text says what was kept and why (\"--force\" in it means force true here), and the structured report says what was removed. With force true everything goes, unmerged work included. The run's record stays. Discarding again once all is gone does nothing.",
    input: {
      id: runId.describe('the worktree run to discard (it must have ended)'),
      force: z.boolean().optional().describe('delete unmerged commits and uncommitted changes too: the work is lost'),
    },
    output: RemoveView.shape,
    annotations: GIT_WRITE,
  },
  async run(a, { ctx }) {
    const { report, lines } = await discardWith(ctx, { id: a.id, force: a.force });
    return { data: report, text: [...report.kept, ...lines].join('\n'), error: report.kept.length > 0 };
  },
});
