// Per-run git worktrees: each run works on its own branch in its own directory, so parallel
// workers on one repository never see each other's edits. This module decides what happens
// (create, commit at the end, merge, discard, clean, stale checks); git.ts runs git.
//
// Layout: <home>/worktrees/<project>/<run id>, on branch agentctl/<run id>. Under the workspace,
// never inside the repository's tree, so nothing there shows up in the project's `git status`.
// Git work that touches the repository's shared state (worktree list, refs, the checkout) is
// serialised per repository with a lock file in <home>/.locks; git's own lock files are
// retried on contention as well (git.ts).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { UserError } from './errors.js';
import { readFileOrNull, withLockAsync } from './fsutil.js';
import {
  addWorktree, branchExists, branchTips, changedPaths, commitAll, commitsAhead, currentBranch, deleteBranch, diffText, diffTrees,
  GitFailed, listWorktrees, repoAndCommit, mergeBranch, mergeConflicts, pruneWorktrees, removeWorktree, repoInfo, repoTop, resolveCommit,
  snapshotTree, carryChanges, unmergedCommits, untrackedPaths,
} from './git.js';
import { type Meta, type Worktree, isEnded } from './meta.js';
import { runFiles, type Workspace } from './paths.js';
import { parseMeta, runIdsNewestFirst, updateMeta } from './store.js';

export const BRANCH_PREFIX = 'agentctl/';
/** A merge may wait this long for another agentctl's git work on the same repository. */
const REPO_LOCK_MS = 120_000;

export function worktreesDir(ws: Workspace): string {
  return join(ws.home, 'worktrees');
}

function repoLock(ws: Workspace, commonDir: string): string {
  return join(ws.locks, `git-${createHash('sha1').update(commonDir).digest('hex').slice(0, 12)}.lock`);
}

/** One git operation at a time per repository, across all agentctl processes. */
async function underRepoLock<T>(ws: Workspace, repoDir: string, fn: () => Promise<T>): Promise<T> {
  const top = await repoTop(repoDir);
  return withLockAsync(repoLock(ws, top?.commonDir ?? repoDir), fn, REPO_LOCK_MS);
}

export interface CreateRequest {
  runId: string;
  projectDir: string;
  projectName: string | null;
  /** --base REF; HEAD when absent. */
  base?: string;
  withChanges: boolean;
  /** What asked for the worktree, for error messages: "--worktree" or a default's owner. */
  source: string;
  /** Scratch file for the --with-changes patch. */
  patchFile: string;
}

/** Create the run's worktree and branch; every failure is a one-line UserError saying what to do. */
export async function createRunWorktree(ws: Workspace, r: CreateRequest): Promise<Worktree> {
  const fix = r.source.startsWith('--') ? `or drop ${r.source}` : `or pass --no-worktree (worktrees are on by ${r.source})`;
  const baseRef = r.base ?? 'HEAD';
  const top = await repoAndCommit(r.projectDir, baseRef);
  if (!top) throw new UserError(`${r.projectDir} is not in a git repository, so a worktree cannot be made for the run: run "git init" and commit there, ${fix}`);
  const base = top.commit;
  if (!base) {
    if ((await resolveCommit(top.root, 'HEAD')) === null && !(await hasAnyCommit(top.root))) {
      throw new UserError(`repository ${top.root} has no commits yet, so a worktree has nothing to start from: make a first commit, ${fix}`);
    }
    throw new UserError(`base ${JSON.stringify(baseRef)} is not a commit in ${top.root}: give an existing branch, tag or commit ("git branch -a" lists the branches)`);
  }
  const branch = `${BRANCH_PREFIX}${r.runId}`;
  const path = join(worktreesDir(ws), safeName(r.projectName ?? basename(top.root)), r.runId);
  const rel = relative(top.root, r.projectDir);
  const wt: Worktree = {
    path,
    cwd: rel && !rel.startsWith('..') ? join(path, rel) : path,
    branch,
    repo_root: top.root,
    base_ref: baseRef,
    base,
    with_changes: r.withChanges,
    created_by: r.runId,
    commit: null,
    head: null,
    diff_stat: null,
    files_changed: null,
    merged: null,
    removed_at: null,
    branch_deleted_at: null,
  };
  await withLockAsync(repoLock(ws, top.commonDir), async () => {
    if (existsSync(path)) throw new UserError(`${path} already exists: choose another --run-id, or remove that directory ("agentctl clean")`);
    mkdirSync(dirname(path), { recursive: true });
    try {
      await addWorktree(top.root, path, branch, base);
    } catch (err) {
      // git checks the branch name itself: one git call less on start's critical path
      if (err instanceof GitFailed && /already exists/.test(err.stderr) && (await branchExists(top.root, branch))) {
        throw new UserError(`branch ${branch} already exists in ${top.root}: choose another --run-id, or delete that branch ("git branch -D ${branch}") if its work is not needed`);
      }
      throw new UserError(`git could not create the worktree ${path}: ${gitMessage(err)}: fix that, ${fix}`);
    }
  }, REPO_LOCK_MS);
  if (r.withChanges) {
    try {
      const from = await repoInfo(top.root);
      if (!from) throw new Error(`${top.root} is no longer a git work tree`);
      await carryChanges(from, path, r.patchFile);
    } catch (err) {
      await undoRunWorktree(ws, wt);
      throw new UserError(`the uncommitted changes of ${top.root} could not be carried onto ${baseRef}: ${gitMessage(err)}: drop --with-changes, or choose a base they apply to`);
    }
  }
  return wt;
}

async function hasAnyCommit(dir: string): Promise<boolean> {
  return (await branchTips(dir, '').catch(() => new Map())).size > 0;
}

/** A start that failed after its worktree was made: remove the worktree and its new branch. */
export async function undoRunWorktree(ws: Workspace, wt: Worktree): Promise<void> {
  await underRepoLock(ws, wt.repo_root, async () => {
    await removeWorktree(wt.repo_root, wt.path, true).catch(() => rmSync(wt.path, { recursive: true, force: true }));
    await pruneWorktrees(wt.repo_root).catch(() => {});
    await deleteBranch(wt.repo_root, wt.branch).catch(() => {});
  });
}

/**
 * At a run's end: commit the worker's changes on the branch (unless commits are off) and record
 * the branch tip, the commit, and the diff stat and changed files against the base. Returns the
 * updated record and the problem, if any (the run's outcome does not depend on it).
 */
export async function finishWorktree(m: Meta, o: { commit: boolean; endTree: string | null; env: NodeJS.ProcessEnv }): Promise<{ worktree: Worktree; error: string | null }> {
  const wt = { ...m.worktree! };
  if (!existsSync(wt.path)) return { worktree: wt, error: `worktree ${wt.path} disappeared during the run: nothing was committed` };
  let error: string | null = null;
  let commit: string | null = null;
  if (o.commit) {
    const message = [m.title.split('\n')[0] || `agentctl run ${m.run_id}`];
    if (m.summary && m.summary !== message[0]) message.push(m.summary);
    message.push(`Agentctl-Run: ${m.run_id}\nAgentctl-Outcome: ${m.outcome ?? m.status}`);
    try {
      commit = await commitAll(wt.path, message, gitIdentityEnv(o.env));
    } catch (err) {
      error = `committing the run's changes failed (${gitMessage(err)}): they are uncommitted in ${wt.path}`;
    }
  }
  const head = await resolveCommit(wt.path, 'HEAD');
  // with commits off (or a failed commit), the change is what the worktree holds now
  const to = o.commit && !error ? head : (o.endTree ?? head);
  let diff = null;
  if (to) diff = await diffTrees(wt.path, wt.base, to).catch(() => null);
  return { worktree: { ...wt, commit, head, diff_stat: diff?.stat ?? null, files_changed: diff?.files ?? null }, error };
}

/** The caller's git identity, for the commit made in the pane (whose environment is tmux's). */
function gitIdentityEnv(caller: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ['GIT_AUTHOR_NAME', 'GIT_AUTHOR_EMAIL', 'GIT_COMMITTER_NAME', 'GIT_COMMITTER_EMAIL', 'HOME', 'XDG_CONFIG_HOME', 'GIT_CONFIG_GLOBAL']) {
    if (caller[k] !== undefined) env[k] = caller[k];
  }
  return env;
}

/** Runs that work in the same worktree, newest first (a run and its resumes and escalations). */
export function runsSharing(ws: Workspace, wt: Worktree): Meta[] {
  const found: Meta[] = [];
  for (const id of runIdsNewestFirst(ws)) {
    try {
      const m = parseMeta(id, readFileOrNull(runFiles(ws.home, id).meta));
      if (m.worktree?.path === wt.path) found.push(m);
    } catch {
      // unreadable record: not ours to judge
    }
    if (id === wt.created_by) break; // older runs cannot share it
  }
  return found;
}

function recordOnSharing(ws: Workspace, wt: Worktree, change: (w: Worktree) => void): void {
  for (const m of runsSharing(ws, wt)) {
    updateMeta(ws, m.run_id, (cur) => {
      if (cur.worktree) change(cur.worktree);
    });
  }
}

function assertSettled(ws: Workspace, m: Meta, what: string): void {
  const busy = runsSharing(ws, m.worktree!).find((r) => !isEnded(r));
  if (busy || !isEnded(m)) {
    const id = busy?.run_id ?? m.run_id;
    throw new UserError(`run ${id} is still working in ${m.worktree!.path}: wait for it ("agentctl wait ${id}") before you ${what}`);
  }
}

function needWorktree(m: Meta): Worktree {
  if (!m.worktree) throw new UserError(`run ${m.run_id} has no worktree (it ran in ${m.project_dir}): its changes are already in that checkout`);
  return m.worktree;
}

// ---- diff ------------------------------------------------------------------------------

export type DiffForm = 'patch' | 'stat' | 'name-only';

/**
 * The run's change: a worktree run's branch (with anything still uncommitted in the worktree)
 * against its base; another run's working-tree snapshots from its start to its end.
 */
export async function runDiff(m: Meta, form: DiffForm): Promise<string> {
  const wt = m.worktree;
  if (wt) {
    if (existsSync(wt.path) && !wt.removed_at) {
      const repo = await repoInfo(wt.path);
      const tree = repo ? await snapshotTree(repo) : null;
      if (tree) return diffText(wt.path, wt.base, tree, form);
    }
    if (!existsSync(wt.repo_root)) throw new UserError(`repository ${wt.repo_root} of run ${m.run_id} is gone: no diff to show`);
    if (await branchExists(wt.repo_root, wt.branch)) return diffText(wt.repo_root, wt.base, `refs/heads/${wt.branch}`, form);
    if (wt.head && (await resolveCommit(wt.repo_root, wt.head))) return diffText(wt.repo_root, wt.base, wt.head, form);
    throw new UserError(`run ${m.run_id}'s branch ${wt.branch} was deleted and its commits are gone: no diff to show`);
  }
  const g = m.git;
  if (!g || !g.start_tree) throw new UserError(`run ${m.run_id} did not run in a git repository (or its start was not recorded): no diff to show`);
  let end = g.end_tree;
  if (!end) {
    const repo = await repoInfo(g.repo_root);
    end = repo ? await snapshotTree(repo) : null;
  }
  if (!end) throw new UserError(`run ${m.run_id}'s repository ${g.repo_root} cannot be read: no diff to show`);
  try {
    return await diffText(g.repo_root, g.start_tree, end, form);
  } catch (err) {
    throw new UserError(`the snapshots of run ${m.run_id} are no longer in ${g.repo_root} (${gitMessage(err)}): no diff to show`);
  }
}

// ---- merge -----------------------------------------------------------------------------

export interface MergeResult {
  run_id: string;
  branch: string;
  into: string;
  squash: boolean;
  /** The new commit on `into`; null when there was nothing to merge. */
  commit: string | null;
  already_merged: boolean;
  diff_stat: string | null;
  files_changed: string[];
}

/** Thrown when the run's branch conflicts with the checkout's: exit 1, the files named. */
export class MergeConflict extends UserError {
  constructor(
    message: string,
    readonly files: string[],
  ) {
    super(message, 1);
  }
}

/**
 * Merge the run's branch into the project's current branch. Refuses, touching nothing, when the
 * run or a resume of it is still going, the worktree holds uncommitted changes, the checkout is
 * dirty or detached, or the merge would conflict.
 */
export async function mergeRun(ws: Workspace, m: Meta, o: { squash: boolean; env: NodeJS.ProcessEnv }): Promise<MergeResult> {
  const wt = needWorktree(m);
  assertSettled(ws, m, 'merge it');
  const root = wt.repo_root;
  if (!existsSync(root)) throw new UserError(`repository ${root} of run ${m.run_id} is gone: nothing to merge into`);
  return underRepoLock(ws, root, async () => {
    if (!(await branchExists(root, wt.branch))) {
      throw new UserError(`run ${m.run_id}'s branch ${wt.branch} no longer exists (discarded?): nothing to merge`);
    }
    if (existsSync(wt.path) && !wt.removed_at) {
      const loose = await changedPaths(wt.path);
      if (loose.length) {
        throw new UserError(
          `run ${m.run_id}'s worktree ${wt.path} has uncommitted changes (${list(loose)}), which a merge would leave behind: commit them there ("git -C ${wt.path} add -A && git -C ${wt.path} commit"), or resume the run`,
        );
      }
    }
    const into = await currentBranch(root);
    if (!into) throw new UserError(`the checkout ${root} is on a detached HEAD: check out the branch to merge into first ("git switch main")`);
    if (into === wt.branch) throw new UserError(`the checkout ${root} has ${wt.branch} itself checked out: check out the branch to merge into first`);
    const dirty = await changedPaths(root, { untracked: false });
    if (dirty.length) {
      throw new UserError(`the checkout ${root} has uncommitted changes (${list(dirty)}): commit or stash them first; nothing was merged`);
    }
    const tip = (await resolveCommit(root, `refs/heads/${wt.branch}`))!;
    const done = (squash: boolean, commit: string | null, already: boolean): MergeResult => ({
      run_id: m.run_id, branch: wt.branch, into, squash, commit, already_merged: already, diff_stat: null, files_changed: [],
    });
    if (wt.merged && wt.merged.branch_head === tip && wt.merged.into === into) return done(wt.merged.squash, wt.merged.commit, true);
    if ((await commitsAhead(root, 'HEAD', wt.branch)) === 0) return done(o.squash, null, true);

    const conflicts = await mergeConflicts(root, wt.branch);
    if (conflicts.length) {
      // the fix happens on the run's branch: git merges the current branch into it (this needs
      // no write access to .git from inside an agent's sandbox), the worker resolves the markers,
      // and the commit at the end of that resume concludes the merge
      const fix = existsSync(wt.path) && !wt.removed_at
        ? `run "git -C ${wt.path} merge ${into}", then resume the run asking it to resolve the conflict markers in those files ("agentctl resume --parent-run-id ${m.run_id}"), then merge again`
        : `start a run with "--base ${wt.branch}" that merges ${into} and resolves them, then merge that run`;
      throw new MergeConflict(`run ${m.run_id}'s branch ${wt.branch} conflicts with ${into} in ${list(conflicts)}: nothing was merged. To resolve: ${fix}; or merge the runs in another order`, conflicts);
    }
    const changed = await diffText(root, 'HEAD', `refs/heads/${wt.branch}`, 'name-only').then((t) => t.split('\n').filter(Boolean));
    const base = await mergeBaseFiles(root, wt.branch);
    const untracked = new Set(await untrackedPaths(root));
    const clobbered = base.filter((f) => untracked.has(f));
    if (clobbered.length) {
      throw new UserError(`untracked files in ${root} would be overwritten by the merge (${list(clobbered)}): move or commit them first; nothing was merged`);
    }
    const title = m.title.split('\n')[0] ?? m.run_id;
    const message = o.squash
      ? [title, ...(m.summary && m.summary !== title ? [m.summary] : []), `Agentctl-Run: ${m.run_id}\nAgentctl-Branch: ${wt.branch}`]
      : [`Merge agentctl run ${m.run_id}: ${title}`, `Agentctl-Run: ${m.run_id}`];
    let commit: string | null;
    try {
      commit = await mergeBranch(root, wt.branch, { squash: o.squash, message }, o.env);
    } catch (err) {
      throw new UserError(`git could not merge ${wt.branch} into ${into} (${gitMessage(err)}); the checkout was left as it was`);
    }
    if (!commit) return done(o.squash, null, true);
    const stat = await diffTrees(root, `${commit}^1`, commit).catch(() => null);
    const merged = { into, commit, squash: o.squash, branch_head: tip, at: new Date().toISOString() };
    recordOnSharing(ws, wt, (w) => {
      w.merged = merged;
    });
    return { ...done(o.squash, commit, false), diff_stat: stat?.stat ?? null, files_changed: stat?.files ?? changed };
  });
}

/** Files the branch changed since it left HEAD's history (what a merge would write). */
async function mergeBaseFiles(root: string, branch: string): Promise<string[]> {
  return (await diffText(root, 'HEAD...', `refs/heads/${branch}`, 'name-only').catch(() => '')).split('\n').filter(Boolean);
}

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
async function removeWorktreeAndBranch(ws: Workspace, t: RemoveTarget, o: { force: boolean; dryRun: boolean }): Promise<RemoveReport> {
  const report: RemoveReport = { path: t.path, branch: t.branch, run_id: t.runId, worktree_removed: false, branch_deleted: false, kept: [] };
  const forceHint = o.dryRun ? '' : ', or pass --force to delete it';
  return underRepoLock(ws, t.repoDir, async () => {
    let worktreeGone = !existsSync(t.path);
    if (!worktreeGone) {
      const loose = await changedPaths(t.path).catch(() => null);
      if (loose === null && !o.force) {
        report.kept.push(`${t.path} is not a readable git worktree: look inside it, then delete it by hand${forceHint}`);
      } else if (loose?.length && !o.force) {
        report.kept.push(`worktree ${t.path} has uncommitted changes (${list(loose)}): kept; commit or copy them${forceHint}`);
      } else {
        if (!o.dryRun) {
          await removeWorktree(t.repoDir, t.path, true).catch(() => rmSync(t.path, { recursive: true, force: true }));
        }
        report.worktree_removed = true;
        worktreeGone = true;
      }
    }
    if (!o.dryRun) await pruneWorktrees(t.repoDir).catch(() => {});
    if (worktreeGone && t.branch && (await branchExists(t.repoDir, t.branch))) {
      const tip = await resolveCommit(t.repoDir, `refs/heads/${t.branch}`);
      const squashed = t.merged !== null && t.merged.branch_head === tip;
      const unmerged = squashed ? 0 : await unmergedCommits(t.repoDir, t.branch);
      if (unmerged > 0 && !o.force) {
        report.kept.push(`branch ${t.branch} has ${unmerged} commit${unmerged === 1 ? '' : 's'} not merged anywhere: kept; merge it ("agentctl merge ${t.runId ?? t.branch}")${forceHint}`);
      } else {
        if (!o.dryRun) await deleteBranch(t.repoDir, t.branch);
        report.branch_deleted = true;
      }
    }
    return report;
  });
}

/** `discard <id>`: remove a finished run's worktree and branch (see removeWorktreeAndBranch). */
export async function discardRun(ws: Workspace, m: Meta, o: { force: boolean }): Promise<RemoveReport> {
  const wt = needWorktree(m);
  assertSettled(ws, m, 'discard it');
  if (!existsSync(wt.repo_root)) {
    if (!o.force) throw new UserError(`repository ${wt.repo_root} of run ${m.run_id} is gone: delete ${wt.path} by hand, or pass --force`);
    rmSync(wt.path, { recursive: true, force: true });
    recordRemoval(ws, wt, { worktree_removed: true, branch_deleted: true });
    return { path: wt.path, branch: wt.branch, run_id: m.run_id, worktree_removed: true, branch_deleted: true, kept: [] };
  }
  const report = await removeWorktreeAndBranch(ws, { repoDir: wt.repo_root, path: wt.path, branch: wt.branch, runId: m.run_id, merged: wt.merged }, { force: o.force, dryRun: false });
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
export async function cleanWorktrees(ws: Workspace, o: { olderThanS?: number; force: boolean; dryRun: boolean; now?: number }): Promise<CleanReport> {
  const now = o.now ?? Date.now();
  const metas = allMetas(ws);
  const groups = new Map<string, Meta[]>();
  for (const m of metas) {
    if (!m.worktree) continue;
    const g = groups.get(m.worktree.path) ?? [];
    g.push(m);
    groups.set(m.worktree.path, g);
  }
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
      o,
    );
    if (!o.dryRun) recordRemoval(ws, wt, report);
    if (report.worktree_removed || report.branch_deleted || report.kept.length) removed.push(report);
  }
  const pruned: string[] = [];
  for (const s of await findStaleWorktrees(ws, metas)) {
    if (s.kind === 'prunable') {
      if (!pruned.includes(s.repo!)) {
        if (!o.dryRun) await pruneWorktrees(s.repo!).catch(() => {});
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
    removed.push(await removeWorktreeAndBranch(ws, { repoDir: s.repo!, path: s.path, branch: s.branch, runId: s.runId, merged: null }, o));
  }
  return { removed, pruned };
}

function allMetas(ws: Workspace): Meta[] {
  const out: Meta[] = [];
  for (const id of runIdsNewestFirst(ws)) {
    try {
      out.push(parseMeta(id, readFileOrNull(runFiles(ws.home, id).meta)));
    } catch {
      // unreadable: doctor reports it
    }
  }
  return out;
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
export async function findStaleWorktrees(ws: Workspace, metas?: Meta[]): Promise<StaleWorktree[]> {
  const root = worktreesDir(ws);
  const dirs = worktreeDirs(root);
  const repos = new Map<string, string>(); // common dir -> a directory to run git in
  for (const m of metas ?? allMetas(ws)) {
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
      entries = await listWorktrees(repo);
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
      const text = readFileOrNull(runFiles(ws.home, runId!).meta);
      if (text === null) {
        stale.push({ kind: 'run-gone', path: e.path, repo, branch: e.branch, runId, reason: `run ${runId} is gone` });
        continue;
      }
      try {
        const m = parseMeta(runId!, text);
        if (m.worktree?.removed_at) stale.push({ kind: 'removed', path: e.path, repo, branch: e.branch, runId, reason: `run ${runId} ended and its worktree was removed, but the directory is back` });
      } catch {
        // unreadable record: doctor reports it under runs
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

// ---- list ------------------------------------------------------------------------------

export interface BranchState {
  branch: string;
  /** Whether the run's work is in the project's current branch; null while it runs or when unknown. */
  merged: boolean | null;
  /** merged, merged (squash), not merged, no changes, deleted, running, unknown */
  state: string;
  /** The worktree's path while it exists. */
  worktree: string | null;
}

/** Branch states of worktree runs: two git calls per repository, whatever the number of runs. */
export async function branchStates(metas: Meta[]): Promise<Map<string, BranchState>> {
  const out = new Map<string, BranchState>();
  const byRepo = new Map<string, Meta[]>();
  for (const m of metas) {
    if (!m.worktree) continue;
    const g = byRepo.get(m.worktree.repo_root) ?? [];
    g.push(m);
    byRepo.set(m.worktree.repo_root, g);
  }
  for (const [root, runs] of byRepo) {
    let tips: Map<string, string> | null = null;
    let merged: Map<string, string> | null = null;
    if (existsSync(root)) {
      [tips, merged] = await Promise.all([branchTips(root, BRANCH_PREFIX).catch(() => null), branchTips(root, BRANCH_PREFIX, 'HEAD').catch(() => null)]);
    }
    for (const m of runs) {
      const wt = m.worktree!;
      const worktree = !wt.removed_at && existsSync(wt.path) ? wt.path : null;
      const s = (mergedFlag: boolean | null, state: string): BranchState => ({ branch: wt.branch, merged: mergedFlag, state, worktree });
      if (!isEnded(m)) out.set(m.run_id, s(null, 'running'));
      else if (!tips || !merged) out.set(m.run_id, s(null, 'unknown'));
      else {
        const tip = tips.get(wt.branch);
        if (wt.merged && (tip === undefined || tip === wt.merged.branch_head)) out.set(m.run_id, s(true, wt.merged.squash ? 'merged (squash)' : 'merged'));
        else if (tip === undefined) out.set(m.run_id, s(null, 'deleted'));
        else if (merged.has(wt.branch)) out.set(m.run_id, s(true, tip === wt.base ? 'no changes' : 'merged'));
        else out.set(m.run_id, s(false, 'not merged'));
      }
    }
  }
  return out;
}

// ---- helpers ---------------------------------------------------------------------------

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_') || 'repo';
}

function list(paths: string[]): string {
  return paths.length > 5 ? `${paths.slice(0, 5).join(', ')} and ${paths.length - 5} more` : paths.join(', ');
}

function gitMessage(err: unknown): string {
  if (err instanceof GitFailed) return err.stderr.trim().split('\n').filter(Boolean).slice(-2).join(' | ') || err.message;
  return (err as Error).message;
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
