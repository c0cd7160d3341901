// The git side of `land` (the merge queue): an integration worktree on a branch of its own,
// merges into it that never leave it half-merged, conflict evidence read from the tree git
// would write (no work tree touched), a merge started in a run's worktree for its fix worker,
// and the final fast-forward of the project's branch. app/land.ts decides when; every git
// command runs through git.ts and, there, under the caller's withGitTimeout.
import { GitFailed, listWorktrees, runGit } from './git.js';

/** One integration branch per land: outside agentctl/<run id>, so no run's branch is mistaken for it. */
export const LAND_BRANCH_PREFIX = 'agentctl-land/';

/** What merging `ref` into `dir`'s HEAD would give: the tree git writes, and the files left in conflict. */
export async function previewMerge(dir: string, ref: string, env: NodeJS.ProcessEnv): Promise<{ tree: string; conflicts: string[] }> {
  try {
    const out = await runGit(dir, ['merge-tree', '--write-tree', '--name-only', '--no-messages', 'HEAD', ref], env);
    return { tree: out.trim().split('\n')[0] ?? '', conflicts: [] };
  } catch (err) {
    // exit 1: conflicts; stdout is the merged tree's id, then one conflicted path per line
    if (!(err instanceof GitFailed) || err.exitCode !== 1) throw err;
    const [tree, ...files] = err.stdout.split('\n').filter(Boolean);
    return { tree: tree ?? '', conflicts: [...new Set(files)] };
  }
}

/** Lines of context kept around each conflict region. */
const CONTEXT = 3;

/**
 * The conflict regions (markers, both sides, a few lines around) of each conflicted file as
 * git would write them, from previewMerge's tree: what a person or a fix worker must resolve.
 */
export async function conflictExcerpts(dir: string, tree: string, files: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const parts: string[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await runGit(dir, ['cat-file', '-p', `${tree}:${file}`], env);
    } catch {
      parts.push(`${file}: (deleted on one side, changed on the other)`);
      continue;
    }
    const lines = text.split('\n');
    const keep = new Set<number>();
    let inside = false;
    lines.forEach((l, i) => {
      if (l.startsWith('<<<<<<< ')) inside = true;
      if (inside) for (let k = Math.max(0, i - CONTEXT); k <= Math.min(lines.length - 1, i + CONTEXT); k++) keep.add(k);
      if (l.startsWith('>>>>>>> ')) inside = false;
    });
    const out: string[] = [`${file}:`];
    let last = -1;
    for (const i of [...keep].sort((a, b) => a - b)) {
      if (last >= 0 && i > last + 1) out.push('...');
      out.push(lines[i]!);
      last = i;
    }
    parts.push(keep.size ? out.join('\n') : `${file}: (a conflict without text markers: binary, or a rename or mode change)`);
  }
  return parts.join('\n\n');
}

/** Back to `commit`, work tree and index too: only ever the integration worktree, which is agentctl's own. */
export async function resetHard(dir: string, commit: string, env: NodeJS.ProcessEnv): Promise<void> {
  await runGit(dir, ['reset', '--quiet', '--hard', commit], env);
}

/**
 * Start merging `ref` into the run's worktree `dir` without committing: clean files are staged,
 * conflicted ones carry markers, and the commit at the end of the fix worker's run concludes
 * the merge. Returns the files left in conflict.
 */
export async function startMergeForFix(dir: string, ref: string, message: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  try {
    await runGit(dir, ['merge', '--no-ff', '--no-commit', '-m', message, ref], env);
    return [];
  } catch (err) {
    if (!(err instanceof GitFailed) || err.exitCode !== 1) throw err;
    const out = await runGit(dir, ['diff', '--name-only', '--diff-filter=U'], env);
    const files = out.split('\n').filter(Boolean);
    if (!files.length) throw err; // refused for another reason (local changes): nothing was started
    return files;
  }
}

/** Undo startMergeForFix when no worker could be started. */
export async function abortMerge(dir: string, env: NodeJS.ProcessEnv): Promise<void> {
  await runGit(dir, ['merge', '--abort'], env);
}

/** Whether `dir` is in the middle of a merge (MERGE_HEAD exists). */
export async function mergeInProgress(dir: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  try {
    await runGit(dir, ['rev-parse', '-q', '--verify', 'MERGE_HEAD'], env);
    return true;
  } catch (err) {
    if (err instanceof GitFailed && err.exitCode === 1) return false;
    throw err;
  }
}

/** Which of `files` still hold conflict markers at `ref`. */
export async function filesWithMarkers(dir: string, ref: string, files: string[], env: NodeJS.ProcessEnv): Promise<string[]> {
  if (!files.length) return [];
  try {
    const out = await runGit(dir, ['grep', '-l', '-E', '^(<<<<<<<|>>>>>>>) ', ref, '--', ...files.map((f) => `:(literal)${f}`)], env);
    return out.split('\n').filter(Boolean).map((l) => l.slice(ref.length + 1));
  } catch (err) {
    if (err instanceof GitFailed && err.exitCode === 1) return [];
    throw err;
  }
}

/** Whether `a` is in `b`'s history. */
export async function isAncestor(dir: string, a: string, b: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  try {
    await runGit(dir, ['merge-base', '--is-ancestor', a, b], env);
    return true;
  } catch (err) {
    if (err instanceof GitFailed && err.exitCode === 1) return false;
    throw err;
  }
}

/** The work tree that has `branch` checked out, if any. */
export async function checkoutOf(repoDir: string, branch: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  return (await listWorktrees(repoDir, env)).find((w) => w.branch === branch && !w.prunable)?.path ?? null;
}

/** Move a branch nobody has checked out from `from` to `to`; fails when it is no longer at `from`. */
export async function moveBranch(repoDir: string, branch: string, from: string, to: string, env: NodeJS.ProcessEnv): Promise<void> {
  await runGit(repoDir, ['update-ref', '-m', 'agentctl land: fast-forward', `refs/heads/${branch}`, to, from], env);
}

/** Fast-forward the branch checked out in `dir` to `to`; git refuses (and touches nothing) when that is no fast-forward or would overwrite a file. */
export async function fastForward(dir: string, to: string, env: NodeJS.ProcessEnv): Promise<void> {
  await runGit(dir, ['merge', '--ff-only', '--quiet', to], env);
}

/** Top-level names in `ref`'s tree, and a reader of its files: what test detection looks at. */
export async function treeAt(dir: string, ref: string, env: NodeJS.ProcessEnv): Promise<{ names: Set<string>; read: (path: string) => Promise<string | null> }> {
  const names = new Set((await runGit(dir, ['ls-tree', '--name-only', ref], env)).split('\n').filter(Boolean));
  const read = async (path: string) => {
    try {
      return await runGit(dir, ['cat-file', '-p', `${ref}:${path}`], env);
    } catch {
      return null;
    }
  };
  return { names, read };
}
