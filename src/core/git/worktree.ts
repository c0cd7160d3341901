// Per-run git worktrees: each run works on its own branch in its own directory, so parallel
// workers on one repository never see each other's edits. This module decides what happens
// (create, commit at the end, diff, merge, list's branch states; worktree-clean.ts: discard,
// clean, stale checks); git.ts runs git.
//
// Layout: <home>/worktrees/<project>/<run id>, on branch agentctl/<run id>. Under the workspace,
// never inside the repository's tree, so nothing there shows up in the project's `git status`.
// Git work that touches the repository's shared state (worktree list, refs, the checkout) is
// serialised per repository with a lock file in <home>/.locks; git's own lock files are
// retried on contention as well (git.ts).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, realpathSync, rmSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { AppError } from '../sys/errors.js';
import { withLockAsync } from '../sys/fsutil.js';
import {
  addWorktree, branchExists, branchTips, carryChanges, changedPaths, changedSinceFork, commitAll, commitsAhead, currentBranch, deleteBranch,
  diffText, diffTrees, GitFailed, mergeBranch, mergeConflicts, pruneWorktrees, removeWorktree, repoAndCommit, repoInfo, repoTop,
  resolveCommit, shareHistory, snapshotTree, untrackedAmong,
} from './git.js';
import { type Meta, type Worktree, isEnded } from '../runs/meta.js';
import type { Workspace } from '../workspace/paths.js';
import { recentRuns } from '../runs/repository.js';
import { updateMeta } from '../runs/store.js';

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
export async function underRepoLock<T>(ws: Workspace, repoDir: string, env: NodeJS.ProcessEnv, fn: () => Promise<T>): Promise<T> {
  const top = await repoTop(repoDir, env);
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
  /** The environment git runs in. */
  env: NodeJS.ProcessEnv;
}

/** Create the run's worktree and branch; every failure is a one-line AppError saying what to do. */
export async function createRunWorktree(ws: Workspace, r: CreateRequest): Promise<Worktree> {
  const fix = r.source.startsWith('{opt:') ? `or drop ${r.source}` : `or pass {opt:worktree=false} (worktrees are on by ${r.source})`;
  const baseRef = r.base ?? 'HEAD';
  const top = await repoAndCommit(r.projectDir, baseRef, r.env);
  if (!top) throw new AppError(`${r.projectDir} is not in a git repository, so a worktree cannot be made for the run`, { fix: `run "git init" and commit there, ${fix}` });
  const base = top.commit;
  if (!base) {
    if ((await resolveCommit(top.root, 'HEAD', r.env)) === null && !(await hasAnyCommit(top.root, r.env))) {
      throw new AppError(`repository ${top.root} has no commits yet, so a worktree has nothing to start from`, { fix: `make a first commit, ${fix}` });
    }
    throw new AppError(`base ${JSON.stringify(baseRef)} is not a commit in ${top.root}: give an existing branch, tag or commit ("git branch -a" lists the branches)`);
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
    if (existsSync(path)) throw new AppError(`${path} already exists`, { fix: 'choose another {opt:runId}, or remove that directory ("{cmd:clean}")' });
    mkdirSync(dirname(path), { recursive: true });
    try {
      await addWorktree(top.root, path, branch, base, r.env);
    } catch (err) {
      // git checks the branch name itself: one git call less on start's critical path
      if (err instanceof GitFailed && /already exists/.test(err.stderr) && (await branchExists(top.root, branch, r.env))) {
        throw new AppError(`branch ${branch} already exists in ${top.root}`, { fix: `choose another {opt:runId}, or delete that branch ("git branch -D ${branch}") if its work is not needed` });
      }
      throw new AppError(`git could not create the worktree ${path}: ${gitMessage(err)}`, { fix: `fix that, ${fix}` });
    }
  }, REPO_LOCK_MS);
  if (r.withChanges) {
    try {
      const from = await repoInfo(top.root, r.env);
      if (!from) throw new Error(`${top.root} is no longer a git work tree`);
      await carryChanges(from, path, r.patchFile, r.env);
    } catch (err) {
      await undoRunWorktree(ws, wt, r.env);
      throw new AppError(`the uncommitted changes of ${top.root} could not be carried onto ${baseRef}: ${gitMessage(err)}`, { fix: 'drop {opt:withChanges}, or choose a base they apply to' });
    }
  }
  return wt;
}

async function hasAnyCommit(dir: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  return (await branchTips(dir, '', env).catch(() => new Map())).size > 0;
}

/** A start that failed after its worktree was made: remove the worktree and its new branch. */
export async function undoRunWorktree(ws: Workspace, wt: Worktree, env: NodeJS.ProcessEnv): Promise<void> {
  await underRepoLock(ws, wt.repo_root, env, async () => {
    await removeWorktree(wt.repo_root, wt.path, true, env).catch(() => rmSync(wt.path, { recursive: true, force: true }));
    await pruneWorktrees(wt.repo_root, env).catch(() => {});
    await deleteBranch(wt.repo_root, wt.branch, env).catch(() => {});
  });
}

/**
 * At a run's end: commit the worker's changes on the branch (unless commits are off) and record
 * the branch tip, the commit, and the diff stat and changed files against the base. Returns the
 * updated record and the problem, if any (the run's outcome does not depend on it). git runs in
 * ownEnv (the supervisor's, tmux's); the commit takes the caller's identity from env.
 */
export async function finishWorktree(m: Meta, o: { commit: boolean; endTree: string | null; env: NodeJS.ProcessEnv; ownEnv: NodeJS.ProcessEnv }): Promise<{ worktree: Worktree; error: string | null }> {
  const wt = { ...m.worktree! };
  if (!existsSync(wt.path)) return { worktree: wt, error: `worktree ${wt.path} disappeared during the run: nothing was committed` };
  let error: string | null = null;
  let commit: string | null = null;
  if (o.commit) {
    const message = [m.title.split('\n')[0] || `agentctl run ${m.run_id}`];
    if (m.summary && m.summary !== message[0]) message.push(m.summary);
    message.push(`Agentctl-Run: ${m.run_id}\nAgentctl-Outcome: ${m.outcome ?? m.status}`);
    try {
      commit = await commitAll(wt.path, message, gitIdentityEnv(o.ownEnv, o.env));
    } catch (err) {
      error = `committing the run's changes failed (${gitMessage(err)}): they are uncommitted in ${wt.path}`;
    }
  }
  const head = await resolveCommit(wt.path, 'HEAD', o.ownEnv);
  // with commits off (or a failed commit), the change is what the worktree holds now
  const to = o.commit && !error ? head : (o.endTree ?? head);
  let diff = null;
  if (to) diff = await diffTrees(wt.path, wt.base, to, o.ownEnv).catch(() => null);
  return { worktree: { ...wt, commit, head, diff_stat: diff?.stat ?? null, files_changed: diff?.files ?? null }, error };
}

/** The caller's git identity, for the commit made in the pane (whose environment is tmux's). */
function gitIdentityEnv(own: NodeJS.ProcessEnv, caller: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = { ...own };
  for (const k of ['GIT_AUTHOR_NAME', 'GIT_AUTHOR_EMAIL', 'GIT_COMMITTER_NAME', 'GIT_COMMITTER_EMAIL', 'HOME', 'XDG_CONFIG_HOME', 'GIT_CONFIG_GLOBAL']) {
    if (caller[k] !== undefined) env[k] = caller[k];
  }
  return env;
}

/** Runs that work in the same worktree, newest first (a run and its resumes and escalations). */
export function runsSharing(ws: Workspace, wt: Worktree): Meta[] {
  const found: Meta[] = [];
  // an unreadable record is not ours to judge
  for (const m of recentRuns(ws)) {
    if (m.worktree?.path === wt.path) found.push(m);
    if (m.run_id === wt.created_by) break; // older runs cannot share it
  }
  return found;
}

export function recordOnSharing(ws: Workspace, wt: Worktree, change: (w: Worktree) => void): void {
  for (const m of runsSharing(ws, wt)) {
    updateMeta(ws, m.run_id, (cur) => {
      if (cur.worktree) change(cur.worktree);
    });
  }
}

export function assertSettled(ws: Workspace, m: Meta, what: string): void {
  const busy = runsSharing(ws, m.worktree!).find((r) => !isEnded(r));
  if (busy || !isEnded(m)) {
    const id = busy?.run_id ?? m.run_id;
    throw new AppError(`run ${id} is still working in ${m.worktree!.path}`, { fix: `wait for it ("{cmd:wait ${id}}") before you ${what}` });
  }
}

/**
 * A resume or escalation continues in its parent's worktree: refuse, saying what is gone and
 * what to do, when that worktree or its branch no longer is what the run left. A commit there
 * would otherwise start a new history (branch deleted) or land on another branch.
 */
export async function assertContinuable(parent: Meta, env: NodeJS.ProcessEnv): Promise<void> {
  const wt = parent.worktree;
  if (!wt) return;
  const cannot = `so run ${parent.run_id} cannot be continued there`;
  const hasBranch = existsSync(wt.repo_root) && (await branchExists(wt.repo_root, wt.branch, env));
  const fresh = hasBranch ? `start a new run with "{opt:base} ${wt.branch}" to build on its branch` : 'start a new run';
  if (wt.removed_at || !existsSync(wt.path)) {
    throw new AppError(`run ${parent.run_id}'s worktree ${wt.path} was removed, so the run cannot be continued there`, { fix: fresh });
  }
  const top = await repoTop(wt.path, env);
  if (!top || realpathSync(top.root) !== realpathSync(wt.path)) {
    throw new AppError(`${wt.path} is no longer a git worktree, ${cannot}`, { fix: `look inside it, remove it ("{cmd:discard ${parent.run_id}}"), and ${fresh}` });
  }
  if (!hasBranch) {
    throw new AppError(`run ${parent.run_id}'s branch ${wt.branch} was deleted, ${cannot} (a commit would start a new history)`, {
      fix: `discard the run ("{cmd:discard ${parent.run_id}}"; its worktree ${wt.path} goes with it) and start a new run`,
    });
  }
  const on = await currentBranch(wt.path, env);
  if (on !== wt.branch) {
    throw new AppError(`worktree ${wt.path} is no longer on branch ${wt.branch} (it is on ${on ?? 'a detached HEAD'}), ${cannot}`, {
      fix: `switch it back ("git -C ${wt.path} switch ${wt.branch}"), or ${fresh}`,
    });
  }
}

export function needWorktree(m: Meta): Worktree {
  if (!m.worktree) throw new AppError(`run ${m.run_id} has no worktree (it ran in ${m.project_dir}): its changes are already in that checkout`);
  return m.worktree;
}

// ---- diff ------------------------------------------------------------------------------

export type DiffForm = 'patch' | 'stat' | 'name-only';

/**
 * The run's change: a worktree run's branch (with anything still uncommitted in the worktree)
 * against its base; another run's working-tree snapshots from its start to its end.
 */
export async function runDiff(m: Meta, form: DiffForm, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const wt = m.worktree;
  if (wt) {
    if (existsSync(wt.path) && !wt.removed_at) {
      const repo = await repoInfo(wt.path, env);
      const tree = repo ? await snapshotTree(repo, env) : null;
      if (tree) return diffText(wt.path, wt.base, tree, form, env);
    }
    if (!existsSync(wt.repo_root)) throw new AppError(`repository ${wt.repo_root} of run ${m.run_id} is gone: no diff to show`);
    if (await branchExists(wt.repo_root, wt.branch, env)) return diffText(wt.repo_root, wt.base, `refs/heads/${wt.branch}`, form, env);
    if (wt.head && (await resolveCommit(wt.repo_root, wt.head, env))) return diffText(wt.repo_root, wt.base, wt.head, form, env);
    throw new AppError(`run ${m.run_id}'s branch ${wt.branch} was deleted and its commits are gone: no diff to show`);
  }
  const g = m.git;
  if (!g || !g.start_tree) throw new AppError(`run ${m.run_id} did not run in a git repository (or its start was not recorded): no diff to show`);
  let end = g.end_tree;
  if (!end) {
    const repo = await repoInfo(g.repo_root, env);
    end = repo ? await snapshotTree(repo, env) : null;
  }
  if (!end) throw new AppError(`run ${m.run_id}'s repository ${g.repo_root} cannot be read: no diff to show`);
  try {
    return await diffText(g.repo_root, g.start_tree, end, form, env);
  } catch (err) {
    throw new AppError(`the snapshots of run ${m.run_id} are no longer in ${g.repo_root} (${gitMessage(err)}): no diff to show`);
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
export class MergeConflict extends AppError {
  constructor(
    message: string,
    readonly files: string[],
  ) {
    super(message, { exit: 1 });
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
  if (!existsSync(root)) throw new AppError(`repository ${root} of run ${m.run_id} is gone: nothing to merge into`);
  const env = o.env;
  return underRepoLock(ws, root, env, () => mergeLocked(ws, m, wt, o)).catch((err: unknown) => {
    // whatever git refuses that was not foreseen is still one line, and the checkout is as it was
    if (err instanceof GitFailed) throw new AppError(`git failed while merging run ${m.run_id} (${gitMessage(err)}): nothing was merged`);
    throw err;
  });
}

async function mergeLocked(ws: Workspace, m: Meta, wt: Worktree, o: { squash: boolean; env: NodeJS.ProcessEnv }): Promise<MergeResult> {
  const { env } = o;
  const root = wt.repo_root;
  if (!(await branchExists(root, wt.branch, env))) {
    throw new AppError(`run ${m.run_id}'s branch ${wt.branch} no longer exists (discarded?): nothing to merge`);
  }
  if (existsSync(wt.path) && !wt.removed_at) {
    const loose = await changedPaths(wt.path, env);
    if (loose.length) {
      throw new AppError(
        `run ${m.run_id}'s worktree ${wt.path} has uncommitted changes (${list(loose)}), which a merge would leave behind: commit them there ("git -C ${wt.path} add -A && git -C ${wt.path} commit"), or resume the run`,
      );
    }
  }
  const into = await currentBranch(root, env);
  if (!into) throw new AppError(`the checkout ${root} is on a detached HEAD: check out the branch to merge into first ("git switch main")`);
  if (into === wt.branch) throw new AppError(`the checkout ${root} has ${wt.branch} itself checked out: check out the branch to merge into first`);
  const dirty = await changedPaths(root, env, { untracked: false });
  if (dirty.length) {
    throw new AppError(`the checkout ${root} has uncommitted changes (${list(dirty)}): commit or stash them first; nothing was merged`);
  }
  const tip = (await resolveCommit(root, `refs/heads/${wt.branch}`, env))!;
  if (!(await shareHistory(root, 'HEAD', tip, env))) {
    throw new AppError(
      `run ${m.run_id}'s branch ${wt.branch} shares no history with ${into} (it was deleted and made anew while the run went on): nothing was merged`,
      { fix: `look at it ("git log ${wt.branch}") and bring over by hand what is wanted` },
    );
  }
  const done = (squash: boolean, commit: string | null, already: boolean): MergeResult => ({
    run_id: m.run_id, branch: wt.branch, into, squash, commit, already_merged: already, diff_stat: null, files_changed: [],
  });
  if (wt.merged && wt.merged.branch_head === tip && wt.merged.into === into) return done(wt.merged.squash, wt.merged.commit, true);
  if ((await commitsAhead(root, 'HEAD', wt.branch, env)) === 0) return done(o.squash, null, true);

  const conflicts = await mergeConflicts(root, wt.branch, env);
  if (conflicts.length) {
    // the fix happens on the run's branch: git merges the current branch into it (this needs
    // no write access to .git from inside an agent's sandbox), the worker resolves the markers,
    // and the commit at the end of that resume concludes the merge
    const fix = existsSync(wt.path) && !wt.removed_at
      ? `run "git -C ${wt.path} merge ${into}", then resume the run asking it to resolve the conflict markers in those files ("{cmd:resume --parent-run-id ${m.run_id}}"), then merge again`
      : `start a run with "{opt:base} ${wt.branch}" that merges ${into} and resolves them, then merge that run`;
    throw new MergeConflict(`run ${m.run_id}'s branch ${wt.branch} conflicts with ${into} in ${list(conflicts)}: nothing was merged. To resolve: ${fix}; or merge the runs in another order`, conflicts);
  }
  const changed = await changedSinceFork(root, wt.branch, env);
  // git overwrites untracked files it ignores without a word: a local secret.env the branch
  // adds (and un-ignores) must stop the merge just as an untracked file does
  const clobbered = await untrackedAmong(root, changed.filter((f) => existsSync(join(root, f))), env);
  if (clobbered.untracked.length) {
    throw new AppError(`untracked files in ${root} would be overwritten by the merge (${list(clobbered.untracked)}): move or commit them first; nothing was merged`);
  }
  if (clobbered.ignored.length) {
    throw new AppError(`files in ${root} that git ignores would be overwritten by the merge (${list(clobbered.ignored)}): move them aside first; nothing was merged`);
  }
  const title = m.title.split('\n')[0] ?? m.run_id;
  const message = o.squash
    ? [title, ...(m.summary && m.summary !== title ? [m.summary] : []), `Agentctl-Run: ${m.run_id}\nAgentctl-Branch: ${wt.branch}`]
    : [`Merge agentctl run ${m.run_id}: ${title}`, `Agentctl-Run: ${m.run_id}`];
  let commit: string | null;
  try {
    commit = await mergeBranch(root, wt.branch, { squash: o.squash, message }, env);
  } catch (err) {
    throw new AppError(`git could not merge ${wt.branch} into ${into} (${gitMessage(err)}); the checkout was left as it was`);
  }
  if (!commit) return done(o.squash, null, true);
  const stat = await diffTrees(root, `${commit}^1`, commit, env).catch(() => null);
  const merged = { into, commit, squash: o.squash, branch_head: tip, at: new Date().toISOString() };
  recordOnSharing(ws, wt, (w) => {
    w.merged = merged;
  });
  return { ...done(o.squash, commit, false), diff_stat: stat?.stat ?? null, files_changed: stat?.files ?? changed };
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

/** Worktree runs grouped by a field of their worktree: `path` (the runs sharing one), `repo_root`. */
export function groupByWorktree(metas: Meta[], key: 'path' | 'repo_root'): Map<string, Meta[]> {
  const groups = new Map<string, Meta[]>();
  for (const m of metas) {
    if (!m.worktree) continue;
    const group = groups.get(m.worktree[key]);
    if (group) group.push(m);
    else groups.set(m.worktree[key], [m]);
  }
  return groups;
}

/** Branch states of worktree runs: two git calls per repository, whatever the number of runs. */
export async function branchStates(metas: Meta[], env: NodeJS.ProcessEnv = process.env): Promise<Map<string, BranchState>> {
  const out = new Map<string, BranchState>();
  for (const [root, runs] of groupByWorktree(metas, 'repo_root')) {
    let tips: Map<string, string> | null = null;
    let merged: Map<string, string> | null = null;
    if (existsSync(root)) {
      [tips, merged] = await Promise.all([branchTips(root, BRANCH_PREFIX, env).catch(() => null), branchTips(root, BRANCH_PREFIX, env, 'HEAD').catch(() => null)]);
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

export function list(paths: string[]): string {
  return paths.length > 5 ? `${paths.slice(0, 5).join(', ')} and ${paths.length - 5} more` : paths.join(', ');
}

export function gitMessage(err: unknown): string {
  if (err instanceof GitFailed) return err.stderr.trim().split('\n').filter(Boolean).slice(-2).join(' | ') || err.message;
  return (err as Error).message;
}
