import * as z from 'zod';
import { cleanWith } from '../../app/worktree.js';
import { CleanDryRunView, CleanView } from '../../app/views.js';
import { defineTool, GIT_WRITE } from './tool.js';

export const cleanWorktrees = defineTool({
  definition: {
    name: 'clean_worktrees',
    title: 'Clean up worktrees and old runs',
    description:
      "Tidy up after worktree runs: remove the worktrees and branches of every finished worktree run (only those that ended more than older_than ago, when given), as discard_run does, then worktrees left behind by runs that are gone, and git's records of worktrees whose directories were deleted. Unmerged commits and uncommitted changes are kept unless force is true; each kept item comes back in removed[].kept with the reason (\"--force\" in it means force true here). With runs true (needs older_than), also remove the records of runs that ended more than older_than ago (runs_removed), their index lines, and notify.log lines older than that (notify_lines_removed); never a run not ended, one a run still going continues, nor a worktree run whose worktree still exists (runs_kept says why: worktree runs go once their worktree is removed). dry_run true reports what would be removed without touching anything, under would_remove, would_prune, runs_would_remove and notify_lines_would_remove: call it that way first. Runs still going are left alone.",
    input: {
      older_than: z.union([z.string(), z.number()]).optional().describe('only runs that ended longer ago than this: seconds, or "90s", "15m", "2h", "1d"'),
      runs: z.boolean().optional().describe('also remove old run records and notification lines; needs older_than'),
      panes: z.boolean().optional().describe('also close the tmux panes of ended runs kept for inspection (panes_closed); never a pane of a run still going, nor one agentctl did not make'),
      force: z.boolean().optional().describe('remove unmerged and uncommitted work too: it is lost'),
      dry_run: z.boolean().optional().describe('only report what would be removed'),
    },
    // a dry run reports would_remove, would_prune, ...; a real one removed, pruned, ...
    output: { ...CleanView.partial().shape, ...CleanDryRunView.partial().shape, dry_run: z.boolean() },
    annotations: GIT_WRITE,
  },
  async run(a, { ctx }) {
    const olderThan = a.older_than === undefined ? undefined : String(a.older_than);
    const { report, lines } = await cleanWith(ctx, { olderThan, runs: a.runs, panes: a.panes, force: a.force, dryRun: a.dry_run });
    return { data: { ...report, dry_run: a.dry_run ?? false }, text: lines.join('\n') };
  },
});
