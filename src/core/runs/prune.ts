// `clean --runs`: removing the records of runs that ended long ago, and the index and
// notification lines that point at them. A record is what protects a worktree run's work
// (discard, merge and clean find the worktree and branch through it), so worktree runs are
// pruned only once their worktree and branch are gone.
import { existsSync } from 'node:fs';
import type { LoadedConfig } from '../workspace/config.js';
import { withLock } from '../sys/fsutil.js';
import { branchExists } from '../git/git.js';
import { refreshLiveness } from '../lifecycle/liveness.js';
import { type Meta, isEnded } from './meta.js';
import { trimNotifications } from '../lifecycle/notify.js';
import { runFiles, type Workspace } from '../workspace/paths.js';
import { recentRuns, tryReadMeta } from './repository.js';
import { removeRunDir, unindexRuns } from './store.js';

export interface PruneReport {
  /** Runs whose records were (or, dry run, would be) removed. */
  runs_removed: string[];
  /** Runs old enough to go that were kept, and why. */
  runs_kept: { run_id: string; reason: string }[];
  /** Lines of notify.log older than the cutoff that were (or would be) removed. */
  notify_lines_removed: number;
}

/**
 * Remove the records of runs that ended more than olderThanS ago, unless a run not yet ended
 * refers to one as its parent or escalation source, or its worktree or branch still exists
 * (`gone`, `goneBranches`: what a dry run of clean would have removed, counted as gone). Then rewrite the
 * index without them and trim notify.log to lines newer than the cutoff. git runs in o.env
 * (default: this process's).
 */
export async function pruneRuns(
  ws: Workspace,
  cfg: LoadedConfig | null,
  o: { olderThanS: number; dryRun: boolean; now?: number; gone?: ReadonlySet<string>; goneBranches?: ReadonlySet<string>; env?: NodeJS.ProcessEnv },
): Promise<PruneReport> {
  const env = o.env ?? process.env;
  const cutoff = (o.now ?? Date.now()) - o.olderThanS * 1000;
  const metas: Meta[] = [];
  // unreadable records are never removed here: doctor reports them
  for (const m of recentRuns(ws)) {
    try {
      // liveness as list checks it: a run whose supervisor died is marked lost (ended now)
      metas.push(await refreshLiveness(ws, cfg, m));
    } catch {
      // its liveness cannot be settled now: kept
    }
  }
  const referencedByLive = new Set<string>();
  for (const m of metas) {
    if (isEnded(m)) continue;
    if (m.parent_run_id) referencedByLive.add(m.parent_run_id);
    if (m.escalated_from) referencedByLive.add(m.escalated_from);
  }
  const report: PruneReport = { runs_removed: [], runs_kept: [], notify_lines_removed: 0 };
  for (const m of metas) {
    if (!isEnded(m) || Date.parse(m.ended_at ?? m.created_at) >= cutoff) continue;
    const wt = m.worktree;
    if (wt && existsSync(wt.path) && !o.gone?.has(wt.path)) {
      report.runs_kept.push({ run_id: m.run_id, reason: `record kept while its worktree ${wt.path} exists: remove that first ("agentctl discard ${m.run_id}" or "agentctl clean")` });
      continue;
    }
    if (wt?.branch && !wt.branch_deleted_at && !o.goneBranches?.has(wt.branch) && existsSync(wt.repo_root) && (await branchExists(wt.repo_root, wt.branch, env).catch(() => false))) {
      report.runs_kept.push({ run_id: m.run_id, reason: `record kept while its branch ${wt.branch} exists: merge it ("agentctl merge ${m.run_id}") or discard it ("agentctl discard --force ${m.run_id}") first` });
      continue;
    }
    if (referencedByLive.has(m.run_id)) {
      report.runs_kept.push({ run_id: m.run_id, reason: 'record kept while a run continuing it has not ended' });
      continue;
    }
    if (!o.dryRun && !removeIfStillEnded(ws, m.run_id)) continue;
    report.runs_removed.push(m.run_id);
  }
  if (!o.dryRun) unindexRuns(ws, new Set(report.runs_removed));
  report.notify_lines_removed = trimNotifications(ws, cutoff, o.dryRun);
  return report;
}

/** Remove a run's directory under its lock, after reading its record once more: still ended, not resumed meanwhile. */
function removeIfStillEnded(ws: Workspace, runId: string): boolean {
  return withLock(runFiles(ws.home, runId).lock, () => {
    const m = tryReadMeta(ws, runId);
    if (!m || !isEnded(m)) return false;
    removeRunDir(ws, runId);
    return true;
  });
}
