// diff, merge, discard, clean: bringing a worktree run's work back, or throwing it away safely.
// Each command is a data function (shared with the MCP tools) and a printer.
import { parseDuration } from '../../core/sys/duration.js';
import { ExitCode, AppError } from '../../core/sys/errors.js';
import { refreshLiveness } from '../../core/lifecycle/liveness.js';
import type { Meta } from '../../core/runs/meta.js';
import { resolveHome, workspace, type Workspace } from '../../core/workspace/paths.js';
import { type PruneReport, pruneRuns } from '../../core/runs/prune.js';
import { loadConfigOrNull } from '../../core/workspace/runview.js';
import { readMeta, resolveRunId } from '../../core/runs/store.js';
import { type DiffForm, type MergeResult, mergeRun, runDiff } from '../../core/git/worktree.js';
import { type CleanReport, cleanWorktrees, discardRun, type RemoveReport } from '../../core/git/worktree-clean.js';

/** The run an id names (prefix or suffix), its liveness checked: what diff, merge and discard act on. */
export async function loadRun(home: string | undefined, id: string): Promise<{ ws: Workspace; meta: Meta }> {
  const ws = workspace(resolveHome(home));
  const meta = await refreshLiveness(ws, loadConfigOrNull(ws), readMeta(ws, resolveRunId(ws, id)));
  return { ws, meta };
}

/** A run's change as `diff` prints it (see runDiff), and the run. */
export async function diffWith(o: { home?: string; id: string; form: DiffForm }): Promise<{ meta: Meta; text: string }> {
  const { meta } = await loadRun(o.home, o.id);
  return { meta, text: await runDiff(meta, o.form) };
}

export async function diffCmd(o: { home?: string; id: string; stat?: boolean; nameOnly?: boolean }): Promise<void> {
  const form: DiffForm = o.stat ? 'stat' : o.nameOnly ? 'name-only' : 'patch';
  process.stdout.write((await diffWith({ home: o.home, id: o.id, form })).text);
}

/** Merge a run's branch into its project's current branch (see mergeRun). */
export async function mergeWith(o: { home?: string; id: string; squash?: boolean; env: NodeJS.ProcessEnv }): Promise<MergeResult> {
  const { ws, meta } = await loadRun(o.home, o.id);
  return mergeRun(ws, meta, { squash: o.squash ?? false, env: o.env });
}

/** `merge`'s one line about what happened. */
export function mergeLine(r: MergeResult): string {
  if (r.already_merged || !r.commit) return `nothing to merge: ${r.branch} is already in ${r.into}`;
  return `merged ${r.branch} into ${r.into}${r.squash ? ' (squashed)' : ''}: ${r.commit.slice(0, 10)}${r.diff_stat ? `, ${r.diff_stat}` : ''}`;
}

export async function mergeCmd(o: { home?: string; id: string; squash?: boolean; json?: boolean }): Promise<void> {
  const r = await mergeWith({ ...o, env: process.env });
  process.stdout.write(o.json ? `${JSON.stringify(r)}\n` : `${mergeLine(r)}\n`);
}

/** Remove a run's worktree and branch, keeping work unless forced; `kept` says what stayed and why. */
export async function discardWith(o: { home?: string; id: string; force?: boolean }): Promise<{ report: RemoveReport; lines: string[] }> {
  const { ws, meta } = await loadRun(o.home, o.id);
  const report = await discardRun(ws, meta, { force: o.force ?? false });
  const lines = reportLines(report, { dryRun: false, kept: false });
  if (!report.worktree_removed && !report.branch_deleted && !report.kept.length) lines.push(`nothing to discard: run ${meta.run_id}'s worktree and branch are already gone`);
  return { report, lines };
}

export async function discardCmd(o: { home?: string; id: string; force?: boolean; json?: boolean }): Promise<void> {
  const { report, lines } = await discardWith(o);
  if (o.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else {
    for (const l of lines) process.stdout.write(`${l}\n`);
    for (const k of report.kept) process.stderr.write(`agentctl: ${k}\n`);
  }
  // something was kept to save work: not done as asked
  if (report.kept.length) throw new ExitCode(1);
}

export interface CleanOptions {
  home?: string;
  olderThan?: string;
  force?: boolean;
  dryRun?: boolean;
  /** Also remove the records of runs that ended more than olderThan ago (see pruneRuns). */
  runs?: boolean;
}

/**
 * Clean finished worktree runs (see cleanWorktrees), then with `runs` old run records (see
 * pruneRuns); `label` names the duration's option in errors, `runsLabel` the runs switch.
 */
export async function cleanWith(o: CleanOptions, label = '--older-than', runsLabel = '--runs'): Promise<{ report: CleanReport & Partial<PruneReport>; lines: string[] }> {
  const ws = workspace(resolveHome(o.home));
  if (o.runs && o.olderThan === undefined) {
    throw new AppError(`${runsLabel} needs ${label}: say how long ago a run must have ended for its record to be removed (e.g. 7d)`);
  }
  const olderThanS = o.olderThan === undefined ? undefined : parseDuration(o.olderThan, label);
  const dryRun = o.dryRun ?? false;
  const report: CleanReport & Partial<PruneReport> = await cleanWorktrees(ws, { olderThanS, force: o.force ?? false, dryRun });
  const lines = report.removed.flatMap((rep) => reportLines(rep, { dryRun, kept: true }));
  for (const repo of report.pruned) lines.push(`${dryRun ? 'would prune' : 'pruned'}  git worktree entries of ${repo} whose directories are gone`);
  let nothing = !report.removed.length && !report.pruned.length;
  if (o.runs && olderThanS !== undefined) {
    const gone = new Set(report.removed.filter((r) => r.worktree_removed).map((r) => r.path));
    const goneBranches = new Set(report.removed.flatMap((r) => (r.branch_deleted && r.branch ? [r.branch] : [])));
    const pruned = await pruneRuns(ws, loadConfigOrNull(ws), { olderThanS, dryRun, gone, goneBranches });
    Object.assign(report, pruned);
    const would = dryRun ? 'would remove' : 'removed';
    for (const id of pruned.runs_removed) lines.push(`${would}  ${id}  run record`);
    for (const k of pruned.runs_kept) lines.push(`kept     ${k.run_id}  ${k.reason}`);
    if (pruned.notify_lines_removed) lines.push(`${would}  ${pruned.notify_lines_removed} notify.log line${pruned.notify_lines_removed === 1 ? '' : 's'} older than ${o.olderThan}`);
    nothing &&= !pruned.runs_removed.length && !pruned.runs_kept.length && !pruned.notify_lines_removed;
  }
  if (nothing) lines.push('nothing to clean');
  return { report, lines };
}

export async function cleanCmd(o: CleanOptions & { json?: boolean }): Promise<void> {
  const { report, lines } = await cleanWith(o);
  process.stdout.write(o.json ? `${JSON.stringify(report)}\n` : lines.map((l) => `${l}\n`).join(''));
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
