// diff, merge, discard, clean: bringing a worktree run's work back, or throwing it away safely.
import { parseDuration } from '../core/sys/duration.js';
import { AppError } from '../core/sys/errors.js';
import { type Meta, isEnded } from '../core/runs/meta.js';
import { pruneRuns } from '../core/runs/prune.js';
import { type DiffForm, type MergeResult, mergeRun, runDiff } from '../core/git/worktree.js';
import { cleanWorktrees, discardRun, type RemoveReport } from '../core/git/worktree-clean.js';
import type { AppContext } from './context.js';
import { closeEndedPanes } from './panes.js';
import { openRun } from './runs.js';
import type { CleanDryRunView, CleanView } from './views.js';

export type { DiffForm } from '../core/git/worktree.js';

/**
 * A run's change (see runDiff), and the run; `empty` is the one line to show instead of an empty
 * diff (a run that changed nothing, or has not started), null when there is a diff.
 */
export async function diffWith(ctx: AppContext, o: { id: string; form: DiffForm }): Promise<{ meta: Meta; text: string; empty: string | null }> {
  const meta = await openRun(ctx, o.id);
  // a run still waiting for its pane took no snapshot yet: nothing to compare, which is no error
  const notStarted = meta.status === 'pending' && !meta.started_at;
  const text = notStarted && !meta.worktree && !meta.git?.start_tree ? '' : await runDiff(meta, o.form, ctx.env);
  if (text) return { meta, text, empty: null };
  const empty = notStarted ? `run ${meta.run_id} has not started yet: no changes so far`
    : isEnded(meta) ? `run ${meta.run_id} changed nothing` : `run ${meta.run_id} has changed nothing so far`;
  return { meta, text, empty };
}

/** Merge a run's branch into its project's current branch (see mergeRun). */
export async function mergeWith(ctx: AppContext, o: { id: string; squash?: boolean }): Promise<MergeResult> {
  const meta = await openRun(ctx, o.id);
  return mergeRun(ctx.ws, meta, { squash: o.squash ?? false, env: ctx.env });
}

/** `merge`'s one line about what happened. */
export function mergeLine(r: MergeResult): string {
  if (r.already_merged || !r.commit) return `nothing to merge: ${r.branch} is already in ${r.into}`;
  return `merged ${r.branch} into ${r.into}${r.squash ? ' (squashed)' : ''}: ${r.commit.slice(0, 10)}${r.diff_stat ? `, ${r.diff_stat}` : ''}`;
}

/** Remove a run's worktree and branch, keeping work unless forced; `kept` says what stayed and why. */
export async function discardWith(ctx: AppContext, o: { id: string; force?: boolean }): Promise<{ report: RemoveReport; lines: string[] }> {
  const meta = await openRun(ctx, o.id);
  const report = await discardRun(ctx.ws, meta, { force: o.force ?? false });
  const lines = reportLines(report, { dryRun: false, kept: false });
  if (!report.worktree_removed && !report.branch_deleted && !report.kept.length) lines.push(`nothing to discard: run ${meta.run_id}'s worktree and branch are already gone`);
  return { report, lines };
}

export interface CleanOptions {
  /** Only runs that ended longer ago than this: 90m, 12h, 7d. */
  olderThan?: string;
  force?: boolean;
  dryRun?: boolean;
  /** Also remove the records of runs that ended more than olderThan ago (see pruneRuns). */
  runs?: boolean;
  /** Also close the panes of ended runs kept for inspection (see closeEndedPanes). */
  panes?: boolean;
}

/**
 * Clean finished worktree runs (see cleanWorktrees), then with `runs` old run records (see
 * pruneRuns). A dry run's report names its entries would_remove, would_prune, ... instead.
 */
export async function cleanWith(ctx: AppContext, o: CleanOptions): Promise<{ report: CleanView | CleanDryRunView; lines: string[] }> {
  if (o.runs && o.olderThan === undefined) {
    throw new AppError('{opt:runs} needs {opt:olderThan}', { fix: 'say how long ago a run must have ended for its record to be removed (e.g. 7d)' });
  }
  const olderThanS = o.olderThan === undefined ? undefined : parseDuration(o.olderThan, '{opt:olderThan}');
  const dryRun = o.dryRun ?? false;
  const report: CleanView = await cleanWorktrees(ctx.ws, { olderThanS, force: o.force ?? false, dryRun });
  const lines = report.removed.flatMap((rep) => reportLines(rep, { dryRun, kept: true }));
  for (const repo of report.pruned) lines.push(`${dryRun ? 'would prune' : 'pruned'}  git worktree entries of ${repo} whose directories are gone`);
  let nothing = !report.removed.length && !report.pruned.length;
  if (o.runs && olderThanS !== undefined) {
    const gone = new Set(report.removed.filter((r) => r.worktree_removed).map((r) => r.path));
    const goneBranches = new Set(report.removed.flatMap((r) => (r.branch_deleted && r.branch ? [r.branch] : [])));
    const pruned = await pruneRuns(ctx.ws, ctx.configOrNull(), { olderThanS, dryRun, gone, goneBranches });
    Object.assign(report, pruned);
    const would = dryRun ? 'would remove' : 'removed';
    for (const id of pruned.runs_removed) lines.push(`${would}  ${id}  run record`);
    for (const k of pruned.runs_kept) lines.push(`kept     ${k.run_id}  ${k.reason}`);
    if (pruned.notify_lines_removed) lines.push(`${would}  ${pruned.notify_lines_removed} notify.log line${pruned.notify_lines_removed === 1 ? '' : 's'} older than ${o.olderThan}`);
    nothing &&= !pruned.runs_removed.length && !pruned.runs_kept.length && !pruned.notify_lines_removed;
  }
  if (o.panes) {
    report.panes_closed = await closeEndedPanes(ctx, { dryRun });
    for (const p of report.panes_closed) lines.push(`${dryRun ? 'would close' : 'closed'}  ${p.run_id}  pane ${p.pane}`);
    nothing &&= !report.panes_closed.length;
  }
  if (nothing) lines.push('nothing to clean');
  return { report: dryRun ? asDryRun(report) : report, lines };
}

function asDryRun(r: CleanView): CleanDryRunView {
  const { removed, pruned, runs_removed, runs_kept, notify_lines_removed } = r;
  const v: CleanDryRunView = { would_remove: removed, would_prune: pruned };
  if (runs_removed) Object.assign(v, { runs_would_remove: runs_removed, runs_kept, notify_lines_would_remove: notify_lines_removed });
  return v;
}

function reportLines(r: RemoveReport, o: { dryRun: boolean; kept: boolean }): string[] {
  const lines: string[] = [];
  const would = o.dryRun ? 'would remove' : 'removed';
  const who = r.run_id ?? '-';
  const done = [r.worktree_removed ? `worktree ${r.path}` : '', r.branch_deleted ? `branch ${r.branch}` : ''].filter(Boolean);
  if (done.length) lines.push(`${would}  ${who}  ${done.join(', ')}`);
  if (o.kept) for (const k of r.kept) lines.push(`kept     ${who}  ${k}`);
  return lines;
}
