// diff, merge, discard, clean: bringing a worktree run's work back, or throwing it away safely.
import { parseDuration } from '../core/duration.js';
import { ExitCode } from '../core/errors.js';
import { refreshLiveness } from '../core/liveness.js';
import type { Meta } from '../core/meta.js';
import { resolveHome, workspace, type Workspace } from '../core/paths.js';
import { loadConfigOrNull } from '../core/runview.js';
import { readMeta, resolveRunId } from '../core/store.js';
import { type DiffForm, mergeRun, runDiff } from '../core/worktree.js';
import { cleanWorktrees, discardRun, type RemoveReport } from '../core/worktree-clean.js';

async function load(home: string | undefined, id: string): Promise<{ ws: Workspace; meta: Meta }> {
  const ws = workspace(resolveHome(home));
  const meta = await refreshLiveness(ws, loadConfigOrNull(ws), readMeta(ws, resolveRunId(ws, id)));
  return { ws, meta };
}

export async function diffCmd(o: { home?: string; id: string; stat?: boolean; nameOnly?: boolean }): Promise<void> {
  const { meta } = await load(o.home, o.id);
  const form: DiffForm = o.stat ? 'stat' : o.nameOnly ? 'name-only' : 'patch';
  process.stdout.write(await runDiff(meta, form));
}

export async function mergeCmd(o: { home?: string; id: string; squash?: boolean; json?: boolean }): Promise<void> {
  const { ws, meta } = await load(o.home, o.id);
  const r = await mergeRun(ws, meta, { squash: o.squash ?? false, env: process.env });
  if (o.json) {
    process.stdout.write(`${JSON.stringify(r)}\n`);
    return;
  }
  if (r.already_merged || !r.commit) {
    process.stdout.write(`nothing to merge: ${r.branch} is already in ${r.into}\n`);
    return;
  }
  process.stdout.write(`merged ${r.branch} into ${r.into}${r.squash ? ' (squashed)' : ''}: ${r.commit.slice(0, 10)}${r.diff_stat ? `, ${r.diff_stat}` : ''}\n`);
}

export async function discardCmd(o: { home?: string; id: string; force?: boolean; json?: boolean }): Promise<void> {
  const { ws, meta } = await load(o.home, o.id);
  const r = await discardRun(ws, meta, { force: o.force ?? false });
  if (o.json) process.stdout.write(`${JSON.stringify(r)}\n`);
  else {
    printReport(r, { dryRun: false, kept: false });
    if (!r.worktree_removed && !r.branch_deleted && !r.kept.length) process.stdout.write(`nothing to discard: run ${meta.run_id}'s worktree and branch are already gone\n`);
    for (const k of r.kept) process.stderr.write(`agentctl: ${k}\n`);
  }
  // something was kept to save work: not done as asked
  if (r.kept.length) throw new ExitCode(1);
}

export async function cleanCmd(o: { home?: string; olderThan?: string; force?: boolean; dryRun?: boolean; json?: boolean }): Promise<void> {
  const ws = workspace(resolveHome(o.home));
  const olderThanS = o.olderThan === undefined ? undefined : parseDuration(o.olderThan, '--older-than');
  const r = await cleanWorktrees(ws, { olderThanS, force: o.force ?? false, dryRun: o.dryRun ?? false });
  if (o.json) {
    process.stdout.write(`${JSON.stringify(r)}\n`);
    return;
  }
  for (const rep of r.removed) printReport(rep, { dryRun: o.dryRun ?? false, kept: true });
  for (const repo of r.pruned) process.stdout.write(`${o.dryRun ? 'would prune' : 'pruned'}  git worktree entries of ${repo} whose directories are gone\n`);
  if (!r.removed.length && !r.pruned.length) process.stdout.write('nothing to clean\n');
}

function printReport(r: RemoveReport, o: { dryRun: boolean; kept: boolean }): void {
  const would = o.dryRun ? 'would remove' : 'removed';
  const who = r.run_id ?? '-';
  const done = [r.worktree_removed ? `worktree ${r.path}` : '', r.branch_deleted ? `branch ${r.branch}` : ''].filter(Boolean);
  if (done.length) process.stdout.write(`${would}  ${who}  ${done.join(', ')}\n`);
  if (o.kept) for (const k of r.kept) process.stdout.write(`kept     ${who}  ${k}\n`);
}
