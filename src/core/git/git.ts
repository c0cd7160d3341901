// The one module that runs git: commands through runGit (execa: the exit code, stdout and
// stderr as git gave them, no added latency). A run's own
// change is told apart from what was already uncommitted by snapshotting the whole working tree (tracked and untracked,
// .gitignore respected) into a tree object before and after, using a throwaway index so the
// user's index and files are never touched. The worktree primitives below are used by
// worktree.ts, which decides when to call them.
import { AsyncLocalStorage } from 'node:async_hooks';
import { copyFileSync, mkdirSync, realpathSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { setLongTimeout } from '../sys/duration.js';

export interface RepoInfo {
  root: string;
  gitDir: string;
  head: string | null;
}

export async function repoInfo(dir: string, env: NodeJS.ProcessEnv): Promise<RepoInfo | null> {
  let out: string;
  try {
    out = await runGit(dir, ['rev-parse', '--show-toplevel', '--absolute-git-dir', '--verify', '-q', 'HEAD'], env);
  } catch (err) {
    // exit 1: a repository with no commits yet (its first lines were still printed)
    if (!(err instanceof GitFailed) || err.exitCode !== 1) return null;
    out = err.stdout;
  }
  const [root, gitDir, head] = out.trim().split('\n');
  if (!root || !gitDir) return null;
  return { root, gitDir, head: head || null };
}

/** Tree object id of the working tree as it is now. */
export async function snapshotTree(repo: RepoInfo, env: NodeJS.ProcessEnv): Promise<string | null> {
  const index = join(tmpdir(), `agentctl-index-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  try {
    try {
      // reuse the stat data (fast on big trees), and the index's own mtime with it: git trusts
      // an entry's stat data only when the entry is older than the index, so a copy stamped
      // "now" would hide an edit made in the second of the last checkout that kept the size
      const src = join(repo.gitDir, 'index');
      const st = statSync(src);
      copyFileSync(src, index);
      utimesSync(index, st.atime, st.mtime);
    } catch {
      rmSync(index, { force: true }); // no index yet (or no usable copy): git builds one
    }
    const withIndex = { ...env, GIT_INDEX_FILE: index };
    await runGit(repo.root, ['add', '-A', '--', '.'], withIndex);
    return (await runGit(repo.root, ['write-tree'], withIndex)).trim() || null;
  } catch {
    return null;
  } finally {
    rmSync(index, { force: true });
  }
}

export interface DiffSummary {
  stat: string;
  files: string[];
}

/** `git diff --stat` summary line and changed paths between two snapshots. */
export async function diffTrees(dir: string, from: string, to: string, env: NodeJS.ProcessEnv): Promise<DiffSummary> {
  const statOut = await runGit(dir, ['diff', '--stat', from, to], env);
  const lines = statOut.trimEnd().split('\n');
  const last = lines[lines.length - 1]?.trim() ?? '';
  const names = await runGit(dir, ['diff', '--name-only', from, to], env);
  return {
    stat: /changed/.test(last) ? last : '0 files changed',
    files: names.split('\n').filter(Boolean),
  };
}

/** A git command that exited non-zero: its exit code and what it said on stderr. */
export class GitFailed extends Error {
  constructor(
    readonly args: string[],
    readonly exitCode: number,
    readonly stderr: string,
    readonly stdout = '',
  ) {
    super(`git ${args.slice(0, 2).join(' ')} failed (exit ${exitCode})${stderr.trim() ? `: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`);
    this.name = 'GitFailed';
  }
}

/** A message that shows git lost a race for one of its lock files (index.lock, config.lock, refs). */
const LOCK_CONTENTION = /\.lock'?: File exists|Unable to create '[^']*\.lock'|cannot lock ref|could not lock config file|Another git process seems to be running/i;

/**
 * Run git in dir; rejects with GitFailed on any non-zero exit. Lock contention with another git
 * process is retried. env is git's whole environment.
 */
export async function runGit(dir: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await gitOnce(dir, args, env);
    } catch (err) {
      if (!(err instanceof GitFailed) || !LOCK_CONTENTION.test(err.stderr) || attempt >= 40) throw err;
      await new Promise((r) => setTimeout(r, Math.min(20 + 10 * attempt, 200)));
    }
  }
}

/** The limit on each git command, in ms, inside withGitTimeout. */
const callLimit = new AsyncLocalStorage<number>();

/**
 * Run fn with every git command it runs (however deep) limited to `ms`: one that takes longer
 * (a hook that blocks, a credential prompt, a stuck lock) is killed with its hooks and fails with
 * GitTimedOut, so the caller can go on.
 */
export function withGitTimeout<T>(ms: number, fn: () => Promise<T>): Promise<T> {
  return callLimit.run(ms, fn);
}

/** A git command stopped by withGitTimeout's limit. */
export class GitTimedOut extends Error {
  constructor(
    readonly args: string[],
    readonly limitMs: number,
  ) {
    const command = args.filter((a, i) => !a.startsWith('-') && args[i - 1] !== '-c')[0] ?? args[0];
    super(`git ${command} took over ${Math.round(limitMs / 100) / 10}s and was stopped (a hook or another process may be blocking it)`);
    this.name = 'GitTimedOut';
  }
}

async function gitOnce(dir: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const limit = callLimit.getStore();
  // its own process group under a limit: the kill reaches the hooks it runs, which hold its pipes
  const sub = execa('git', args, { cwd: dir, env, extendEnv: false, stdin: 'ignore', reject: false, stripFinalNewline: false, detached: limit !== undefined });
  let timedOut = false;
  const cancel = limit === undefined ? undefined : setLongTimeout(() => {
    timedOut = true;
    try {
      process.kill(-sub.pid!, 'SIGKILL');
    } catch {
      // it ended meanwhile
    }
  }, limit);
  const r = await sub.finally(() => cancel?.());
  if (timedOut) throw new GitTimedOut(args, limit!);
  if (r.exitCode === undefined) throw new Error(`git could not be run in ${dir}: ${r.shortMessage}`);
  if (r.exitCode !== 0) throw new GitFailed(args, r.exitCode, r.stderr, r.stdout);
  return r.stdout;
}

/** The exit code of a git command used as a question (diff --quiet, merge-base --is-ancestor). */
async function gitTest(dir: string, args: string[], env: NodeJS.ProcessEnv): Promise<boolean> {
  try {
    await runGit(dir, args, env);
    return true;
  } catch (err) {
    if (err instanceof GitFailed && err.exitCode === 1) return false;
    throw err;
  }
}

export interface RepoTop {
  /** Top of the work tree dir belongs to. */
  root: string;
  /** The repository's shared .git directory (the same for all its worktrees). */
  commonDir: string;
}

/** The work tree and repository of dir, or null when dir is not in a git work tree. */
export async function repoTop(dir: string, env: NodeJS.ProcessEnv): Promise<RepoTop | null> {
  let out: string;
  try {
    out = await runGit(dir, ['rev-parse', '--show-toplevel', '--git-common-dir'], env);
  } catch {
    return null;
  }
  const [root, common] = out.trim().split('\n');
  if (!root || !common) return null;
  return { root, commonDir: commonDirFrom(dir, common) };
}

/**
 * dir's work tree and repository, and the commit `ref` names there (null when it names none),
 * in one git call; null when dir is not in a git work tree.
 */
export async function repoAndCommit(dir: string, ref: string, env: NodeJS.ProcessEnv): Promise<(RepoTop & { commit: string | null }) | null> {
  let out: string;
  try {
    out = await runGit(dir, ['rev-parse', '--show-toplevel', '--git-common-dir', '--verify', '-q', '--end-of-options', `${ref}^{commit}`], env);
  } catch (err) {
    // exit 1: a repository, but no such commit (its first lines were still printed)
    if (!(err instanceof GitFailed) || err.exitCode !== 1) return null;
    out = err.stdout;
  }
  const [root, common, commit] = out.trim().split('\n');
  if (!root || !common) return null;
  return { root, commonDir: commonDirFrom(dir, common), commit: commit || null };
}

/** The commit a ref names, or null when it names none. */
export async function resolveCommit(dir: string, ref: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  try {
    return (await runGit(dir, ['rev-parse', '--verify', '-q', '--end-of-options', `${ref}^{commit}`], env)).trim() || null;
  } catch {
    return null;
  }
}

export async function branchExists(dir: string, branch: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  return (await resolveCommit(dir, `refs/heads/${branch}`, env)) !== null;
}

/** The checked-out branch of dir's work tree; null on a detached HEAD. */
export async function currentBranch(dir: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  try {
    return (await runGit(dir, ['symbolic-ref', '-q', '--short', 'HEAD'], env)).trim() || null;
  } catch {
    return null;
  }
}

export async function addWorktree(repoDir: string, path: string, branch: string, base: string, env: NodeJS.ProcessEnv): Promise<void> {
  await runGit(repoDir, ['worktree', 'add', '-b', branch, path, base], env);
}

export async function removeWorktree(repoDir: string, path: string, force: boolean, env: NodeJS.ProcessEnv): Promise<void> {
  // --force twice: also a worktree that is locked
  await runGit(repoDir, ['worktree', 'remove', ...(force ? ['--force', '--force'] : []), path], env);
}

export async function pruneWorktrees(repoDir: string, env: NodeJS.ProcessEnv): Promise<void> {
  await runGit(repoDir, ['worktree', 'prune'], env);
}

export interface WorktreeEntry {
  path: string;
  branch: string | null;
  /** git's reason when the worktree's directory is gone (`git worktree prune` removes it). */
  prunable: string | null;
}

export async function listWorktrees(repoDir: string, env: NodeJS.ProcessEnv): Promise<WorktreeEntry[]> {
  const out = await runGit(repoDir, ['worktree', 'list', '--porcelain'], env);
  const entries: WorktreeEntry[] = [];
  for (const block of out.split('\n\n')) {
    const lines = block.split('\n');
    const path = lines.find((l) => l.startsWith('worktree '))?.slice(9);
    if (!path) continue;
    const branch = lines.find((l) => l.startsWith('branch '))?.slice(7).replace(/^refs\/heads\//, '') ?? null;
    const prunable = lines.find((l) => l === 'prunable' || l.startsWith('prunable '));
    entries.push({ path, branch, prunable: prunable === undefined ? null : prunable.slice(9) || 'prunable' });
  }
  return entries;
}

export async function deleteBranch(repoDir: string, branch: string, env: NodeJS.ProcessEnv): Promise<void> {
  await runGit(repoDir, ['branch', '-D', '--', branch], env);
}

/** Paths with uncommitted changes in dir's work tree (untracked too, unless told otherwise). */
export async function changedPaths(dir: string, env: NodeJS.ProcessEnv, o: { untracked?: boolean } = {}): Promise<string[]> {
  const out = await runGit(dir, ['status', '--porcelain', '-z', `--untracked-files=${o.untracked === false ? 'no' : 'all'}`], env);
  const paths: string[] = [];
  const fields = out.split('\0');
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    if (f.length < 4) continue;
    paths.push(f.slice(3));
    if (f[0] === 'R' || f[0] === 'C') i++; // the rename's source follows
  }
  return paths;
}

/**
 * Which of `paths` are files in dir's work tree that git does not track, ignored ones included
 * (a merge overwrites those silently); asked in chunks, as the list may be long.
 */
export async function untrackedAmong(dir: string, paths: string[], env: NodeJS.ProcessEnv): Promise<{ untracked: string[]; ignored: string[] }> {
  const found = { untracked: [] as string[], ignored: [] as string[] };
  for (let i = 0; i < paths.length; i += 200) {
    const specs = paths.slice(i, i + 200).map((p) => `:(literal)${p}`);
    const ask = async (extra: string[]) => (await runGit(dir, ['ls-files', '-z', '--others', ...extra, '--', ...specs], env)).split('\0').filter(Boolean);
    found.untracked.push(...(await ask(['--exclude-standard'])));
    found.ignored.push(...(await ask(['--ignored', '--exclude-standard'])));
  }
  return found;
}

/** What git says when it has no user.name/user.email to commit with. */
const NO_IDENTITY = /tell me who you are|empty ident|unable to auto-detect email/i;
/** The identity agentctl commits with when the user has none configured. */
const FALLBACK_IDENTITY = ['-c', 'user.name=agentctl', '-c', 'user.email=agentctl@localhost'];

/** FALLBACK_IDENTITY when git has no identity to commit with in dir, else nothing. */
async function identityArgs(dir: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  try {
    await runGit(dir, ['var', 'GIT_AUTHOR_IDENT'], env);
    await runGit(dir, ['var', 'GIT_COMMITTER_IDENT'], env);
    return [];
  } catch (err) {
    if (err instanceof GitFailed && NO_IDENTITY.test(err.stderr)) return FALLBACK_IDENTITY;
    throw err;
  }
}

/**
 * Commit everything in dir's work tree (git add -A); returns the new commit, or null when there
 * was nothing to commit. Hooks are skipped: this keeps a worker's output safe, it is no review.
 */
export async function commitAll(dir: string, message: string[], env: NodeJS.ProcessEnv): Promise<string | null> {
  await runGit(dir, ['add', '-A', '--verbose', '--', '.'], env);
  const args = ['commit', '--no-verify', ...message.flatMap((m) => ['-m', m])];
  const nothing = (err: unknown) => err instanceof GitFailed && err.exitCode === 1 && /nothing to commit|nothing added to commit/.test(err.stdout);
  try {
    await runGit(dir, args, env);
  } catch (err) {
    if (nothing(err)) return null;
    // no user.name/user.email anywhere: commit as agentctl rather than leave the work loose
    if (!(err instanceof GitFailed) || !NO_IDENTITY.test(err.stderr)) throw err;
    await runGit(dir, [...FALLBACK_IDENTITY, ...args], env);
  }
  return resolveCommit(dir, 'HEAD', env);
}

/** A new repository in dir (made if missing) that commits as user (the demo's throwaway repo). */
export async function initRepo(dir: string, user: { name: string; email: string }, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await runGit(dir, ['init', '-q'], env);
  await runGit(dir, ['config', 'user.name', user.name], env);
  await runGit(dir, ['config', 'user.email', user.email], env);
}

/** A diff between two commits or trees: unified (default), --stat, or --name-only. */
export async function diffText(dir: string, from: string, to: string, form: 'patch' | 'stat' | 'name-only', env: NodeJS.ProcessEnv): Promise<string> {
  const flag = form === 'patch' ? [] : [`--${form}`];
  return runGit(dir, ['diff', '--no-color', '--no-ext-diff', ...flag, from, to, '--'], env);
}

/** Paths `branch` changed since it forked from HEAD's history: what merging it would write. */
export async function changedSinceFork(repoDir: string, branch: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  return (await runGit(repoDir, ['diff', '--name-only', '--no-renames', `HEAD...refs/heads/${branch}`, '--'], env)).split('\n').filter(Boolean);
}

/** Commits reachable from `tip` but not from any other branch, tag or remote branch. */
export async function unmergedCommits(repoDir: string, branch: string, env: NodeJS.ProcessEnv): Promise<number> {
  const out = await runGit(repoDir, ['rev-list', '--count', `refs/heads/${branch}`, '--not', `--exclude=${branch}`, '--branches', '--tags', '--remotes'], env);
  return Number(out.trim()) || 0;
}

/** Whether two commits have any history in common (a branch made anew from nothing has none). */
export async function shareHistory(repoDir: string, a: string, b: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  return gitTest(repoDir, ['merge-base', a, b], env);
}

/** Commits on `branch` that `into` lacks. */
export async function commitsAhead(repoDir: string, into: string, branch: string, env: NodeJS.ProcessEnv): Promise<number> {
  return Number((await runGit(repoDir, ['rev-list', '--count', `${into}..refs/heads/${branch}`], env)).trim()) || 0;
}

/**
 * Files that merging `branch` into HEAD would leave in conflict, computed without touching the
 * work tree or the index (git merge-tree --write-tree, git 2.38 or newer).
 */
export async function mergeConflicts(repoDir: string, branch: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  try {
    await runGit(repoDir, ['merge-tree', '--write-tree', '--name-only', '--no-messages', 'HEAD', `refs/heads/${branch}`], env);
    return [];
  } catch (err) {
    // exit 1: conflicts; stdout is the merged tree's id, then one conflicted path per line
    if (err instanceof GitFailed && err.exitCode === 1) return [...new Set(err.stdout.split('\n').slice(1).filter(Boolean))];
    throw err;
  }
}

/**
 * Merge `branch` into the checked-out branch of repoDir; returns the new HEAD, or null when a
 * squash brought no change. On any failure (a hook, a race) the checkout is left as it was.
 */
export async function mergeBranch(repoDir: string, branch: string, o: { squash: boolean; message: string[] }, env: NodeJS.ProcessEnv): Promise<string | null> {
  const messages = o.message.flatMap((m) => ['-m', m]);
  const before = (await runGit(repoDir, ['rev-parse', 'HEAD'], env)).trim();
  // the same identity as the run's own commit when the user has none configured
  const ident = await identityArgs(repoDir, env);
  try {
    if (o.squash) {
      await runGit(repoDir, [...ident, 'merge', '--squash', `refs/heads/${branch}`], env);
      if (await gitTest(repoDir, ['diff', '--cached', '--quiet'], env)) return null;
      await runGit(repoDir, [...ident, 'commit', ...messages], env);
    } else {
      await runGit(repoDir, [...ident, 'merge', '--no-ff', '--no-edit', ...messages, `refs/heads/${branch}`], env);
    }
  } catch (err) {
    // the checkout was clean before: going back to HEAD as it was loses nothing
    await runGit(repoDir, ['merge', '--abort'], env).catch(() => {});
    await runGit(repoDir, ['reset', '--quiet', '--merge', before], env).catch(() => {});
    throw err;
  }
  return (await runGit(repoDir, ['rev-parse', 'HEAD'], env)).trim();
}

/**
 * Copy the uncommitted changes of `from`'s work tree (tracked and untracked, .gitignore
 * respected) into the work tree `to`, as uncommitted changes there: a binary patch from HEAD to
 * a snapshot of `from`, applied to `to`.
 */
export async function carryChanges(from: RepoInfo, to: string, patchFile: string, env: NodeJS.ProcessEnv): Promise<void> {
  const tree = await snapshotTree(from, env);
  if (!tree || !from.head) throw new Error(`could not snapshot the working tree of ${from.root}`);
  await runGit(from.root, ['diff', '--binary', '--no-color', '--no-ext-diff', `--output=${patchFile}`, from.head, tree], env);
  try {
    if (statSync(patchFile).size > 0) await runGit(to, ['apply', '--whitespace=nowarn', patchFile], env); // empty: nothing to carry
  } finally {
    rmSync(patchFile, { force: true });
  }
}

/** Names and tips of the local branches under a prefix; with `mergedInto`, only those it contains. */
export async function branchTips(repoDir: string, prefix: string, env: NodeJS.ProcessEnv, mergedInto?: string): Promise<Map<string, string>> {
  const args = ['for-each-ref', '--format=%(refname:strip=2)%09%(objectname)'];
  if (mergedInto) args.push(`--merged=${mergedInto}`);
  const out = await runGit(repoDir, [...args, `refs/heads/${prefix}`], env);
  const tips = new Map<string, string>();
  for (const line of out.split('\n')) {
    const [name, sha] = line.split('\t');
    if (name && sha) tips.set(name, sha);
  }
  return tips;
}

/** git's version as "2.39.5" (with its build's note, "2.39.3 (Apple Git-146)"); null without git. */
export async function gitVersion(env: NodeJS.ProcessEnv): Promise<string | null> {
  let out: string;
  try {
    out = await runGit(tmpdir(), ['--version'], env);
  } catch {
    return null;
  }
  const m = /version (\d+)\.(\d+)(?:\.(\d+))?[^\s(]*(?:\s*\((.+)\))?/.exec(out);
  if (!m) return out.trim().split('\n')[0] || null;
  return `${m[1]}.${m[2]}${m[3] ? `.${m[3]}` : ''}${m[4] ? ` (${m[4]})` : ''}`;
}

/**
 * git prints --git-common-dir relative to the directory it ran in (`../.git` from a
 * subdirectory): resolved against that directory, then to its real path, so one repository
 * has one name whichever of its directories (or symlinks to them) asked.
 */
function commonDirFrom(dir: string, printed: string): string {
  const abs = resolve(dir, printed);
  try {
    return realpathSync(abs);
  } catch {
    return abs;
  }
}
