// git.ts against real repositories in a temporary directory: the primitives worktree.ts builds on.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execaSync } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { changedPaths, commitAll, mergeConflicts, repoAndCommit, repoInfo, repoTop, snapshotTree, unmergedCommits } from '../../src/core/git/git.js';

let dir: string;
let repo: string;
const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.invalid', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.invalid' };
const git = (...args: string[]) => String(execaSync('git', args, { cwd: repo, env }).stdout);

beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'agentctl-git-')));
  repo = join(dir, 'r');
  execaSync('git', ['init', '-q', '-b', 'main', repo]);
  writeFileSync(join(repo, 'a.txt'), 'a\n');
  git('add', '-A');
  git('commit', '-q', '-m', 'first');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('git primitives', () => {
  it('snapshotTree sees an edit made in the second of the last index write, size unchanged (racy git)', async () => {
    // a worker that edits a file in the second its worktree was checked out: the index entry,
    // the index file and the edited file all carry that second, and the size is the same, so
    // only git's racy-entry rule (entry not older than the index) makes it look at the content
    const info = (await repoInfo(repo, env))!;
    const past = new Date(Math.floor(Date.now() / 1000) * 1000 - 10_000);
    utimesSync(join(repo, 'a.txt'), past, past);
    git('add', 'a.txt'); // the entry records that mtime
    utimesSync(join(info.gitDir, 'index'), past, past);
    const before = await snapshotTree(info, env);
    writeFileSync(join(repo, 'a.txt'), 'b\n');
    utimesSync(join(repo, 'a.txt'), past, past);
    const after = await snapshotTree(info, env);
    expect(after).not.toBe(before);
    expect(git('cat-file', '-p', `${after}:a.txt`)).toBe('b');
  });

  it('repoAndCommit: the repository and the commit a ref names, in one call', async () => {
    expect(await repoAndCommit(repo, 'HEAD', env)).toEqual({ root: repo, commonDir: join(repo, '.git'), commit: git('rev-parse', 'HEAD') });
    expect(await repoAndCommit(repo, 'no-such-ref', env)).toEqual({ root: repo, commonDir: join(repo, '.git'), commit: null });
    expect(await repoAndCommit(dir, 'HEAD', env)).toBeNull();
  });

  it('repoTop and repoAndCommit name one repository the same from a subdirectory, a worktree or a symlink', async () => {
    const common = join(repo, '.git');
    mkdirSync(join(repo, 'sub', 'deep'), { recursive: true });
    expect(await repoTop(join(repo, 'sub', 'deep'), env)).toEqual({ root: repo, commonDir: common });
    expect((await repoAndCommit(join(repo, 'sub'), 'HEAD', env))?.commonDir).toBe(common);
    git('worktree', 'add', '-q', '-b', 'side', join(dir, 'wt'));
    expect(await repoTop(join(dir, 'wt'), env)).toEqual({ root: join(dir, 'wt'), commonDir: common });
    symlinkSync(repo, join(dir, 'link'));
    expect((await repoTop(join(dir, 'link', 'sub'), env))?.commonDir).toBe(common);
  });

  it('changedPaths: modified, untracked, renamed and spaced names', async () => {
    writeFileSync(join(repo, 'a.txt'), 'changed\n');
    writeFileSync(join(repo, 'new file.txt'), 'n\n');
    expect((await changedPaths(repo, env)).sort()).toEqual(['a.txt', 'new file.txt']);
    expect(await changedPaths(repo, env, { untracked: false })).toEqual(['a.txt']);
    git('checkout', '-q', '--', 'a.txt');
    git('mv', 'a.txt', 'b.txt');
    expect((await changedPaths(repo, env)).sort()).toEqual(['b.txt', 'new file.txt']);
  });

  it('commitAll: commits everything, or returns null when there is nothing', async () => {
    expect(await commitAll(repo, ['nothing'], env)).toBeNull();
    writeFileSync(join(repo, 'c.txt'), 'c\n');
    const sha = await commitAll(repo, ['add c', 'because'], env);
    expect(sha).toBe(git('rev-parse', 'HEAD'));
    expect(git('log', '-1', '--format=%B').trim()).toBe('add c\n\nbecause');
  });

  it('unmergedCommits counts commits no other branch or tag holds', async () => {
    git('checkout', '-q', '-b', 'work');
    writeFileSync(join(repo, 'w.txt'), 'w\n');
    git('add', '-A');
    git('commit', '-q', '-m', 'w');
    git('checkout', '-q', 'main');
    expect(await unmergedCommits(repo, 'work', env)).toBe(1);
    git('tag', 'keep', 'work');
    expect(await unmergedCommits(repo, 'work', env)).toBe(0);
  });

  it('mergeConflicts names the conflicting files without touching the checkout', async () => {
    git('checkout', '-q', '-b', 'other');
    writeFileSync(join(repo, 'a.txt'), 'other\n');
    git('commit', '-q', '-am', 'other');
    git('checkout', '-q', 'main');
    expect(await mergeConflicts(repo, 'other', env)).toEqual([]);
    writeFileSync(join(repo, 'a.txt'), 'main\n');
    git('commit', '-q', '-am', 'main');
    const head = git('rev-parse', 'HEAD');
    expect(await mergeConflicts(repo, 'other', env)).toEqual(['a.txt']);
    expect(git('rev-parse', 'HEAD')).toBe(head);
    expect(git('status', '--porcelain')).toBe('');
  });
});
