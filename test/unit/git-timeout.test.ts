// withGitTimeout: a git command that blocks (here in a hook) is killed with its hooks and fails
// with GitTimedOut; outside it, git runs unbounded as before.
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commitAll, GitTimedOut, initRepo, resolveCommit, withGitTimeout } from '../../src/core/git/git.js';

const root = realpathSync(mkdtempSync(join(tmpdir(), 'agentctl-gittimeout-')));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: root };

function processGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

describe('withGitTimeout', () => {
  it('stops a commit whose post-commit hook blocks, and kills the hook', async () => {
    const repo = join(root, 'r');
    await initRepo(repo, { name: 't', email: 't@example.invalid' }, env);
    const pidFile = join(root, 'hook.pid');
    writeFileSync(join(repo, '.git', 'hooks', 'post-commit'), `#!/bin/sh\necho $$ > '${pidFile}'\nexec sleep 600\n`, { mode: 0o755 });
    writeFileSync(join(repo, 'a.txt'), 'a\n');
    const started = performance.now();
    const err = await withGitTimeout(500, () => commitAll(repo, ['m'], env)).catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(err).toBeInstanceOf(GitTimedOut);
    expect((err as Error).message).toBe('git commit took over 0.5s and was stopped (a hook or another process may be blocking it)');
    const hook = Number(readFileSync(pidFile, 'utf8'));
    await expect.poll(() => processGone(hook), { timeout: 5000 }).toBe(true);
    // a quick command under the same limit runs as usual
    expect(await withGitTimeout(5000, () => resolveCommit(repo, 'HEAD', env))).toMatch(/^[0-9a-f]{40}$/);
  });
});
