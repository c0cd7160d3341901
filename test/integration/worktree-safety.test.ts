// Issue 9, worktree runs against real repositories: a merge never overwrites the user's files
// (ignored ones included), a run whose worktree or branch changed under it is refused as one
// line, resume and discard of one run exclude each other, and a merge works without a git identity.
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execaSync } from 'execa';
import { describe, expect, it } from 'vitest';
import { type RunResult, suiteEnv, type TestEnv } from '../helpers/harness.js';

let t: TestEnv;

const git = (cwd: string, ...args: string[]) => String(execaSync('git', args, { cwd, env: t.env }).stdout);
const head = (repo: string) => git(repo, 'rev-parse', 'HEAD');
const read = (...p: string[]) => readFileSync(join(...p), 'utf8');

async function runToEnd(args: string[], prompt: string): Promise<{ id: string; meta: any }> {
  const id = await t.start(args, prompt);
  const w = await t.run(['wait', '--timeout', '90', id], { timeoutMs: 100_000 });
  expect(w.stderr).toBe('');
  return { id, meta: t.meta(id) };
}

/** A command that must fail with one `agentctl:` line (never a stack trace) and this exit code. */
async function refused(args: string[], code: number, o: { input?: string; env?: Record<string, string | undefined> } = {}): Promise<RunResult> {
  const r = await t.run(args, o);
  expect(r.code, r.stderr || r.stdout).toBe(code);
  expect(r.stderr.trimEnd().split('\n'), r.stderr).toHaveLength(1);
  expect(r.stderr).toMatch(/^agentctl: /);
  return r;
}

describe('worktree safety', () => {
  suiteEnv((env) => {
    t = env;
  });

  it('merge refuses to overwrite a file the checkout ignores (a local secret.env the branch un-ignores and adds), naming it', async () => {
    const repo = t.repo('ignored', { 'README.md': '# i\n', '.gitignore': 'secret.env\n' });
    writeFileSync(join(repo, 'secret.env'), 'TOKEN=mine\n');
    const r = await runToEnd(['--project', repo, '--profile', 'spark', '--worktree'], 'Track the env file\n@fake write=.gitignore:# nothing ignored\\n\n@fake write=secret.env:TOKEN=branch\\n\n');
    expect(git(repo, 'show', `agentctl/${r.id}:secret.env`)).toBe('TOKEN=branch');
    const before = head(repo);
    for (const args of [['merge', r.id], ['merge', r.id, '--squash']]) {
      const m = await refused(args, 2);
      expect(m.stderr).toBe(`agentctl: files in ${repo} that git ignores would be overwritten by the merge (secret.env): move them aside first; nothing was merged`);
      expect(read(repo, 'secret.env')).toBe('TOKEN=mine\n');
      expect(head(repo)).toBe(before);
    }
    renameSync(join(repo, 'secret.env'), join(repo, 'secret.env.mine'));
    const ok = await t.run(['merge', r.id]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(read(repo, 'secret.env')).toBe('TOKEN=branch\n');
    expect(read(repo, 'secret.env.mine')).toBe('TOKEN=mine\n');
  });

  it('merge without any git identity commits as agentctl, like the run\'s own commit', async () => {
    const repo = t.repo('noident');
    const a = await runToEnd(['--project', repo, '--profile', 'spark', '--worktree'], 'One\n@fake write=one.txt:1\\n\n');
    const b = await runToEnd(['--project', repo, '--profile', 'spark', '--worktree'], 'Two\n@fake write=two.txt:2\\n\n');
    const empty = t.dir('empty-home');
    const noIdentity = { HOME: empty, XDG_CONFIG_HOME: undefined, EMAIL: undefined, GIT_AUTHOR_NAME: undefined, GIT_AUTHOR_EMAIL: undefined, GIT_COMMITTER_NAME: undefined, GIT_COMMITTER_EMAIL: undefined };
    for (const [id, extra] of [[a.id, []], [b.id, ['--squash']]] as const) {
      const m = await t.run(['merge', id, ...extra], { env: noIdentity });
      expect(m.code, m.stderr).toBe(0);
      expect(m.stderr).toBe('');
      expect(git(repo, 'log', '-1', '--format=%an <%ae> / %cn <%ce>')).toBe('agentctl <agentctl@localhost> / agentctl <agentctl@localhost>');
    }
    expect(read(repo, 'one.txt')).toBe('1\n');
    expect(read(repo, 'two.txt')).toBe('2\n');
  });

  it('a resume whose worktree was deleted and branch removed by hand is refused in one line saying what to do', async () => {
    const repo = t.repo('gone');
    const r = await runToEnd(['--project', repo, '--profile', 'spark', '--worktree'], 'Work\n@fake write=w.txt:1\\n\n');
    const path = r.meta.worktree.path;
    rmSync(path, { recursive: true, force: true });
    git(repo, 'worktree', 'prune');
    git(repo, 'branch', '-D', `agentctl/${r.id}`);
    const res = await refused(['resume', '--parent-run-id', r.id], 2, { input: 'more\n' });
    expect(res.stderr).toBe(`agentctl: run ${r.id}'s worktree ${path} was removed, so the run cannot be continued there: start a new run`);
    const m = await refused(['merge', r.id], 2);
    expect(m.stderr).toBe(`agentctl: run ${r.id}'s branch agentctl/${r.id} no longer exists (discarded?): nothing to merge`);
  });

  it('a resume whose branch was deleted under its worktree is refused at start; a branch made anew is a one-line merge error', async () => {
    const repo = t.repo('orphan');
    const r = await runToEnd(['--project', repo, '--profile', 'spark', '--worktree'], 'Work\n@fake write=w.txt:1\\n\n');
    const path = r.meta.worktree.path;
    git(repo, 'update-ref', '-d', `refs/heads/agentctl/${r.id}`);
    const runs = JSON.parse((await t.run(['list', '--json'])).stdout).length;
    const res = await refused(['resume', '--parent-run-id', r.id], 2, { input: 'more\n' });
    expect(res.stderr).toBe(
      `agentctl: run ${r.id}'s branch agentctl/${r.id} was deleted, so run ${r.id} cannot be continued there (a commit would start a new history): discard the run ("agentctl discard ${r.id}"; its worktree ${path} goes with it) and start a new run`,
    );
    expect(JSON.parse((await t.run(['list', '--json'])).stdout)).toHaveLength(runs);
    // what a resume used to do: commit an orphan root on a branch of the same name
    git(path, 'commit', '-q', '--allow-empty', '-m', 'orphan');
    const before = head(repo);
    const m = await refused(['merge', r.id], 2);
    expect(m.stderr).toBe(`agentctl: run ${r.id}'s branch agentctl/${r.id} shares no history with main (it was deleted and made anew while the run went on): nothing was merged: look at it ("git log agentctl/${r.id}") and bring over by hand what is wanted`);
    expect(head(repo)).toBe(before);
    // a worktree switched to another branch
    git(path, 'switch', '-q', '-c', 'elsewhere');
    const sw = await refused(['resume', '--parent-run-id', r.id], 2, { input: 'more\n' });
    expect(sw.stderr).toBe(`agentctl: worktree ${path} is no longer on branch agentctl/${r.id} (it is on elsewhere), so run ${r.id} cannot be continued there: switch it back ("git -C ${path} switch agentctl/${r.id}"), or start a new run with "--base agentctl/${r.id}" to build on its branch`);
  });

  it('resume and discard of one run started at once: exactly one of them goes ahead', async () => {
    const repo = t.repo('race');
    for (let round = 0; round < 4; round++) {
      const r = await runToEnd(['--project', repo, '--profile', 'spark', '--worktree'], `Work ${round}\n@fake write=r${round}.txt:1\\n\n`);
      const path = r.meta.worktree.path;
      const [resume, discard] = await Promise.all([t.run(['resume', '--parent-run-id', r.id], { input: 'Keep going\n@fake hang\n' }), t.run(['discard', r.id])]);
      if (resume.code === 0) {
        const child = resume.stdout.trim();
        expect(discard.code, `round ${round}: both went ahead: ${discard.stdout}`).toBe(2);
        expect(discard.stderr).toMatch(new RegExp(`^agentctl: run ${child} is still working in ${path}: wait for it`));
        expect(existsSync(path)).toBe(true);
        expect((await t.run(['cancel', child])).code).toBe(0);
        await t.run(['wait', '--timeout', '60', child], { timeoutMs: 70_000 });
      } else {
        expect(resume.code, resume.stderr).toBe(2);
        expect(resume.stderr).toBe(`agentctl: run ${r.id}'s worktree ${path} was removed, so the run cannot be continued there: start a new run with "--base agentctl/${r.id}" to build on its branch`);
        expect(discard.stdout).toBe(`removed  ${r.id}  worktree ${path}`);
        expect(existsSync(path)).toBe(false);
      }
    }
  });
});
