// Git facts about a run's directory, through simple-git. A run's own change is told apart from
// what was already uncommitted by snapshotting the whole working tree (tracked and untracked,
// .gitignore respected) into a tree object before and after, using a throwaway index so the
// user's index and files are never touched.
import { copyFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';

export interface RepoInfo {
  root: string;
  gitDir: string;
  head: string | null;
}

export async function repoInfo(dir: string): Promise<RepoInfo | null> {
  try {
    const git = simpleGit({ baseDir: dir });
    const [root, gitDir] = (await git.revparse(['--show-toplevel', '--absolute-git-dir'])).split('\n');
    if (!root || !gitDir) return null;
    let head: string | null = null;
    try {
      head = (await git.revparse(['--verify', '-q', 'HEAD'])).trim() || null;
    } catch {
      head = null; // a repository with no commits yet
    }
    return { root, gitDir, head };
  } catch {
    return null;
  }
}

/**
 * simple-git refuses to run with an env that holds EDITOR, PAGER, GIT_ASKPASS, GIT_SSH_COMMAND
 * and the like, which most users' shells (and so the tmux server) set. The env passed here is
 * the user's own and the arguments are fixed, so those checks only get in the way.
 */
const USER_ENV_ALLOWED = {
  allowUnsafeEditor: true,
  allowUnsafePager: true,
  allowUnsafeAskPass: true,
  allowUnsafeSshCommand: true,
  allowUnsafeGitProxy: true,
  allowUnsafeDiffExternal: true,
  allowUnsafeTemplateDir: true,
  allowUnsafeConfigPaths: true,
  allowUnsafeConfigEnvCount: true,
};

/** Tree object id of the working tree as it is now. */
export async function snapshotTree(repo: RepoInfo): Promise<string | null> {
  const index = join(tmpdir(), `agentctl-index-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  try {
    try {
      copyFileSync(join(repo.gitDir, 'index'), index); // reuse stat data: fast on big trees
    } catch {
      // no index yet: git builds one
    }
    const git = simpleGit({ baseDir: repo.root, unsafe: USER_ENV_ALLOWED }).env({ ...process.env, GIT_INDEX_FILE: index });
    await git.raw(['add', '-A', '--', '.']);
    return (await git.raw(['write-tree'])).trim() || null;
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
export async function diffTrees(repo: RepoInfo, from: string, to: string): Promise<DiffSummary> {
  const git = simpleGit({ baseDir: repo.root });
  const statOut = await git.raw(['diff', '--stat', from, to]);
  const lines = statOut.trimEnd().split('\n');
  const last = lines[lines.length - 1]?.trim() ?? '';
  const names = await git.raw(['diff', '--name-only', from, to]);
  return {
    stat: /changed/.test(last) ? last : '0 files changed',
    files: names.split('\n').filter(Boolean),
  };
}
