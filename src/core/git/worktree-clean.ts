// Throwing worktrees away without losing work: discard (one run), clean (finished runs, by
// age), and the stale worktrees doctor reports and clean repairs. See worktree.ts for layout.
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { AppError } from '../sys/errors.js';
import { readFileOrNull } from '../sys/fsutil.js';
import { branchExists, changedPaths, deleteBranch, listWorktrees, pruneWorktrees, removeWorktree, resolveCommit, unmergedCommits } from './git.js';
import { type Meta, type Worktree, isEnded } from '../runs/meta.js';
import { runFiles, type Workspace } from '../workspace/paths.js';
import { recentRuns, tryReadMeta } from '../runs/repository.js';
import { assertSettled, groupByWorktree, list, needWorktree, recordOnSharing, underRepoLock, worktreesDir } from './worktree.js';

// ---- discard and clean -----------------------------------------------------------------

export interface RemoveReport {
  path: string;
  branch: string | null;
  run_id: string | null;
  worktree_removed: boolean;
  branch_deleted: boolean;
  /** Why something was kept; empty when all is gone. */
  kept: string[];
}

interface RemoveTarget {
  repoDir: string;
  path: string;
  branch: string | null;
  runId: string | null;
  merged: Worktree['merged'];
}

/**
 * Remove a worktree and its branch, never losing work unless forced: a worktree with
 * uncommitted changes is kept (and so its branch), and a branch with commits no other branch,
 * tag or recorded merge holds is kept (the clean worktree still goes).
 */
async function removeWorktreeAndBranch(
  ws: Workspace,
  t: RemoveTarget,
  o: { force: boolean; dryRun: boolean; env: NodeJS.ProcessEnv; recheck?: () => void },
): Promise<RemoveReport> {
  const env = o.env;
  const report: RemoveReport = { path: t.path, branch: t.branch, run_id: t.runId, worktree_removed: false, branch_deleted: false, kept: [] };
  const forceHint = o.dryRun ? '' : ', or pass --force to delete it';
  return underRepoLock(ws, t.repoDir, env, async () => {
    // a resume holds this lock until its record exists: only now is "nothing runs here" certain
    o.recheck?.();
    let worktreeGone = !existsSync(t.path);
    if (!worktreeGone) {
      const loose = await changedPaths(t.path, env).catch(() => null);
      if (loose === null && !o.force) {
        report.kept.push(`${t.path} is not a readable git worktree: look inside it, then delete it by hand${forceHint}`);
      } else if (loose?.length && !o.force) {
        report.kept.push(`worktree ${t.path} has uncommitted changes (${list(loose)}): kept; commit or copy them${forceHint}`);
      } else {
        if (!o.dryRun) {
          await removeWorktree(t.repoDir, t.path, true, env).catch(() => rmSync(t.path, { recursive: true, force: true }));
        }
        report.worktree_removed = true;
        worktreeGone = true;
      }
    }
    if (!o.dryRun) await pruneWorktrees(t.repoDir, env).catch(() => {});
    if (worktreeGone && t.branch && (await branchExists(t.repoDir, t.branch, env))) {
      const tip = await resolveCommit(t.repoDir, `refs/heads/${t.branch}`, env);
      const squashed = t.merged !== null && t.merged.branch_head === tip;
      const unmerged = squashed ? 0 : await unmergedCommits(t.repoDir, t.branch, env);
      if (unmerged > 0 && !o.force) {
        report.kept.push(`branch ${t.branch} has ${unmerged} commit${unmerged === 1 ? '' : 's'} not merged anywhere: kept; merge it ("agentctl merge ${t.runId ?? t.branch}")${forceHint}`);
      } else {
        if (!o.dryRun) await deleteBranch(t.repoDir, t.branch, env);
        report.branch_deleted = true;
      }
    }
    return report;
  });
}

/** `discard <id>`: remove a finished run's worktree and branch (see removeWorktreeAndBranch); git runs in o.env (default: this process's). */
export async function discardRun(ws: Workspace, m: Meta, o: { force: boolean; env?: NodeJS.ProcessEnv }): Promise<RemoveReport> {
  const env = o.env ?? process.env;
  const wt = needWorktree(m);
  assertSettled(ws, m, 'discard it');
  if (!existsSync(wt.repo_root)) {
    if (!o.force) throw new AppError(`repository ${wt.repo_root} of run ${m.run_id} is gone`, { fix: `delete ${wt.path} by hand, or pass {opt:force}` });
    rmSync(wt.path, { recursive: true, force: true });
    recordRemoval(ws, wt, { worktree_removed: true, branch_deleted: true });
    return { path: wt.path, branch: wt.branch, run_id: m.run_id, worktree_removed: true, branch_deleted: true, kept: [] };
  }
  const report = await removeWorktreeAndBranch(ws, { repoDir: wt.repo_root, path: wt.path, branch: wt.branch, runId: m.run_id, merged: wt.merged }, {
    force: o.force,
    dryRun: false,
    env,
    recheck: () => assertSettled(ws, m, 'discard it'),
  });
  recordRemoval(ws, wt, report);
  return report;
}

function recordRemoval(ws: Workspace, wt: Worktree, r: Pick<RemoveReport, 'worktree_removed' | 'branch_deleted'>): void {
  const at = new Date().toISOString();
  recordOnSharing(ws, wt, (w) => {
    if (r.worktree_removed) w.removed_at ??= at;
    if (r.branch_deleted) w.branch_deleted_at ??= at;
  });
}

export interface CleanReport {
  removed: RemoveReport[];
  pruned: string[];
}

/**
 * `clean`: remove the worktrees (and merged branches) of finished runs, optionally only those
 * that ended more than olderThanS ago; then the stale ones doctor reports, and git's prunable
 * entries of every repository involved.
 */
export async function cleanWorktrees(ws: Workspace, o: { olderThanS?: number; force: boolean; dryRun: boolean; now?: number; env?: NodeJS.ProcessEnv }): Promise<CleanReport> {
  const now = o.now ?? Date.now();
  const env = o.env ?? process.env;
  const metas = [...recentRuns(ws)];
  const groups = groupByWorktree(metas, 'path');
  const removed: RemoveReport[] = [];
  for (const runs of groups.values()) {
    if (!runs.every(isEnded)) continue;
    const newest = runs.reduce((a, b) => (Date.parse(b.ended_at ?? b.created_at) > Date.parse(a.ended_at ?? a.created_at) ? b : a));
    const wt = newest.worktree!;
    if (wt.removed_at && wt.branch_deleted_at && !existsSync(wt.path)) continue;
    if (o.olderThanS !== undefined && now - Date.parse(newest.ended_at ?? newest.created_at) < o.olderThanS * 1000) continue;
    if (!existsSync(wt.repo_root)) continue; // nothing safe to do without the repository: doctor says so
    const report = await removeWorktreeAndBranch(
      ws,
      { repoDir: wt.repo_root, path: wt.path, branch: wt.branch_deleted_at ? null : wt.branch, runId: wt.created_by, merged: wt.merged },
      { ...o, env },
    );
    if (!o.dryRun) recordRemoval(ws, wt, report);
    if (report.worktree_removed || report.branch_deleted || report.kept.length) removed.push(report);
  }
  const pruned: string[] = [];
  for (const s of await findStaleWorktrees(ws, metas, env)) {
    if (removed.some((r) => r.path === s.path)) continue; // handled above as its run's worktree
    if (s.kind === 'prunable') {
      if (!pruned.includes(s.repo!)) {
        if (!o.dryRun) await pruneWorktrees(s.repo!, env).catch(() => {});
        pruned.push(s.repo!);
      }
      continue;
    }
    if (s.kind === 'unregistered') {
      const report: RemoveReport = { path: s.path, branch: null, run_id: s.runId, worktree_removed: false, branch_deleted: false, kept: [] };
      if (o.force) {
        if (!o.dryRun) rmSync(s.path, { recursive: true, force: true });
        report.worktree_removed = true;
      } else report.kept.push(`${s.path} belongs to no repository any more (${s.reason}): look inside it, then delete it by hand, or pass --force`);
      removed.push(report);
      continue;
    }
    removed.push(await removeWorktreeAndBranch(ws, { repoDir: s.repo!, path: s.path, branch: s.branch, runId: s.runId, merged: null }, { ...o, env }));
  }
  return { removed, pruned };
}

// ---- stale worktrees (doctor, clean) ---------------------------------------------------

export interface StaleWorktree {
  kind: 'run-gone' | 'removed' | 'prunable' | 'unregistered';
  path: string;
  /** A directory of the repository it belongs to (null when that is gone). */
  repo: string | null;
  branch: string | null;
  runId: string | null;
  reason: string;
}

/**
 * Worktrees left behind: agentctl's whose run record is gone or says it was removed, any
 * worktree git itself calls prunable (its directory is gone), and directories under
 * <home>/worktrees that no repository knows.
 */
export async function findStaleWorktrees(ws: Workspace, metas?: Meta[], env: NodeJS.ProcessEnv = process.env): Promise<StaleWorktree[]> {
  const root = worktreesDir(ws);
  const dirs = worktreeDirs(root);
  const repos = new Map<string, string>(); // common dir -> a directory to run git in
  for (const m of metas ?? recentRuns(ws)) {
    const r = m.worktree?.repo_root;
    if (r && existsSync(r)) repos.set(commonDirOfRepo(r), r);
  }
  const orphans: StaleWorktree[] = [];
  for (const dir of dirs) {
    const common = commonDirOfWorktree(dir);
    if (common && existsSync(common)) {
      if (![...repos.keys()].includes(common)) repos.set(common, common);
    } else {
      orphans.push({ kind: 'unregistered', path: dir, repo: null, branch: null, runId: basename(dir), reason: common ? `its repository ${dirname(common)} is gone` : 'it is not a git worktree' });
    }
  }
  const stale: StaleWorktree[] = [];
  const registered = new Set<string>();
  for (const repo of repos.values()) {
    let entries;
    try {
      entries = await listWorktrees(repo, env);
    } catch {
      continue;
    }
    for (const e of entries) {
      registered.add(e.path);
      const ours = e.path.startsWith(`${root}/`);
      const runId = ours ? basename(e.path) : null;
      if (e.prunable) {
        stale.push({ kind: 'prunable', path: e.path, repo, branch: e.branch, runId, reason: `git: ${e.prunable}` });
        continue;
      }
      if (!ours) continue;
      const files = runFiles(ws.home, runId!);
      if (!existsSync(files.meta)) {
        // a run directory without its record yet is a start in progress: its worktree is new
        if (!existsSync(files.dir)) stale.push({ kind: 'run-gone', path: e.path, repo, branch: e.branch, runId, reason: `run ${runId} is gone` });
        continue;
      }
      // an unreadable record is reported by doctor under runs
      if (tryReadMeta(ws, runId!)?.worktree?.removed_at) {
        stale.push({ kind: 'removed', path: e.path, repo, branch: e.branch, runId, reason: `run ${runId} ended and its worktree was removed, but the directory is back` });
      }
    }
  }
  for (const dir of dirs) {
    if (!registered.has(dir) && !orphans.some((o) => o.path === dir)) {
      orphans.push({ kind: 'unregistered', path: dir, repo: null, branch: null, runId: basename(dir), reason: 'its repository does not list it' });
    }
  }
  return [...stale, ...orphans];
}

/** <home>/worktrees/<project>/<id> directories. */
function worktreeDirs(root: string): string[] {
  const out: string[] = [];
  for (const project of safeReaddir(root)) {
    const pdir = join(root, project);
    for (const id of safeReaddir(pdir)) {
      const d = join(pdir, id);
      if (isDir(d)) out.push(d);
    }
  }
  return out;
}

/** The repository's .git directory, from a linked worktree's `.git` file ("gitdir: <common>/worktrees/<name>"). */
function commonDirOfWorktree(dir: string): string | null {
  const text = readFileOrNull(join(dir, '.git'));
  const m = text ? /^gitdir:\s*(.+?)\s*$/m.exec(text) : null;
  if (!m) return null;
  return dirname(dirname(m[1]!));
}

function commonDirOfRepo(root: string): string {
  const dotgit = join(root, '.git');
  return isDir(dotgit) ? dotgit : (commonDirOfWorktree(root) ?? dotgit);
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
