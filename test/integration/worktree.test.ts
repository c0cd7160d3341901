// Per-run git worktrees, against real repositories: isolation, commit on finish, diff, merge
// (plain, squash, refused), discard and clean never losing work, resume and escalation in the
// same worktree, ten at once on one repository, stale worktrees, and the error cases.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa, execaSync } from 'execa';
import { describe, expect, it } from 'vitest';
import { BIN, parseJsonLines, type RunResult, suiteEnv, type TestEnv, traced, waitFor, writeConfig } from '../helpers/harness.js';

let t: TestEnv;

const git = (cwd: string, ...args: string[]) => String(execaSync('git', args, { cwd, env: t.env }).stdout);
const head = (repo: string) => git(repo, 'rev-parse', 'HEAD');
const branches = (repo: string) => git(repo, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/').split('\n').filter(Boolean);
const read = (...p: string[]) => readFileSync(join(...p), 'utf8');

/** Start a run, wait for it, return its id, wait line and exit code. */
async function runToEnd(args: string[], prompt: string): Promise<{ id: string; code: number; line: any; meta: any }> {
  const id = await t.start(args, prompt);
  const w = await t.run(['wait', '--timeout', '90', id], { timeoutMs: 100_000 });
  expect(w.stderr).toBe('');
  return { id, code: w.code, line: parseJsonLines(w.stdout)[0], meta: t.meta(id) };
}

async function waitAll(ids: string[]): Promise<any[]> {
  const w = await t.run(['wait', '--timeout', '150', ...ids], { timeoutMs: 160_000 });
  expect(w.stderr).toBe('');
  return parseJsonLines(w.stdout);
}

function runDirs(): string[] {
  return readdirSync(join(t.home, 'runs')).filter((n) => !n.startsWith('.')).sort();
}

/** A command that must fail with one `agentctl:` line and this exit code. */
async function refused(args: string[], code: number, input?: string): Promise<RunResult> {
  const r = await t.run(args, { input });
  expect(r.code, r.stderr || r.stdout).toBe(code);
  expect(r.stderr.trimEnd().split('\n'), r.stderr).toHaveLength(1);
  expect(r.stderr).toMatch(/^agentctl: /);
  return r;
}

/** A start that must be refused, leaving no run record, worktree or branch behind. */
async function startRefused(args: string[], repo: string | null, prompt = 'Do it\n'): Promise<string> {
  const runs = runDirs();
  const before = repo ? branches(repo) : [];
  const r = await refused(['start', ...args], 2, prompt);
  expect(r.stdout).toBe('');
  expect(runDirs()).toEqual(runs);
  if (repo) expect(branches(repo)).toEqual(before);
  return r.stderr;
}

describe('worktree runs', () => {
  suiteEnv((env) => {
    t = env;
  });

  it('start --worktree: the agent works on its own branch in its own directory; the end commits its change', async () => {
    const repo = t.repo('iso', { 'README.md': '# iso\n', 'app.js': 'export const v = 1;\n' });
    const base = head(repo);
    writeConfig(t, { keep_pane_on_success: true }); // keep the pane to read its title and header
    let r;
    try {
      r = await runToEnd(['--project', repo, '--profile', 'spark', '--worktree', '--title', 'bump v'], 'Bump v\n@fake write=app.js:export const v = 2;\\n\n@fake summary=v is 2 now\n');
    } finally {
      writeConfig(t, { keep_pane_on_success: false });
    }
    expect(r.code).toBe(0);
    const wt = r.meta.worktree;
    const path = join(t.home, 'worktrees', 'iso', r.id);
    expect(wt).toMatchObject({
      path, cwd: path, branch: `agentctl/${r.id}`, repo_root: repo, base_ref: 'HEAD', base, with_changes: false, created_by: r.id,
      diff_stat: '1 file changed, 1 insertion(+), 1 deletion(-)', files_changed: ['app.js'], merged: null, removed_at: null,
    });
    expect(r.line).toMatchObject({ branch: `agentctl/${r.id}`, worktree: path, git_diff_stat: '1 file changed, 1 insertion(+), 1 deletion(-)' });
    // the change is committed on the run's branch, with the title and summary as message
    expect(wt.commit).toBe(git(repo, 'rev-parse', `agentctl/${r.id}`));
    expect(wt.head).toBe(wt.commit);
    expect(git(repo, 'rev-parse', `${wt.commit}^`)).toBe(base);
    const message = git(repo, 'log', '-1', '--format=%B', wt.commit);
    expect(message).toMatch(new RegExp(`^bump v\\n\\nv is 2 now\\n\\nAgentctl-Run: ${r.id}\\nAgentctl-Outcome: goal_met`));
    expect(git(path, 'status', '--porcelain')).toBe('');
    expect(read(path, 'app.js')).toBe('export const v = 2;\n');
    // the checkout is untouched
    expect(read(repo, 'app.js')).toBe('export const v = 1;\n');
    expect(git(repo, 'status', '--porcelain')).toBe('');
    expect(head(repo)).toBe(base);
    // the pane shows the branch (title) and the worktree (header)
    const pane = r.meta.tmux.pane;
    expect(t.tmux(['display-message', '-p', '-t', pane, '#{pane_title}'])).toContain(`agentctl/${r.id}`);
    const screen = t.tmux(['capture-pane', '-p', '-J', '-S', '-', '-t', pane]);
    expect(screen).toContain(`${path} · branch agentctl/${r.id} from HEAD`);
    expect(screen).toMatch(new RegExp(`branch agentctl/${r.id}: committed [0-9a-f]{10}; against HEAD: 1 file changed`));
    t.tmux(['kill-pane', '-t', pane]);

    const d = await t.run(['diff', r.id]);
    expect(d.code, d.stderr).toBe(0);
    expect(d.stdout).toContain('-export const v = 1;\n+export const v = 2;');
    expect((await t.run(['diff', r.id, '--stat'])).stdout).toMatch(/app\.js \| 2 \+-\n 1 file changed/);
    expect((await t.run(['diff', r.id, '--name-only'])).stdout).toBe('app.js');
  });

  it('start --json shows branch and worktree; a project subdirectory maps into the worktree', async () => {
    const repo = t.repo('mono', { 'README.md': '# mono\n' });
    mkdirSync(join(repo, 'pkg', 'a'), { recursive: true });
    writeFileSync(join(repo, 'pkg', 'a', 'index.js'), '1\n');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'pkg');
    const r = await t.run(['start', '--project', join(repo, 'pkg', 'a'), '--profile', 'spark', '--worktree', '--json'], { input: 'Edit\n@fake write=index.js:2\\n\n' });
    expect(r.code, r.stderr).toBe(0);
    const started = JSON.parse(r.stdout);
    const path = join(t.home, 'worktrees', 'mono', started.run_id);
    expect(started).toMatchObject({ branch: `agentctl/${started.run_id}`, worktree: join(path, 'pkg', 'a'), base: head(repo), project_dir: join(repo, 'pkg', 'a') });
    const [line] = await waitAll([started.run_id]);
    expect(line.outcome).toBe('goal_met');
    expect(read(path, 'pkg', 'a', 'index.js')).toBe('2\n');
    expect(t.meta(started.run_id).worktree.files_changed).toEqual(['pkg/a/index.js']);
    expect(read(repo, 'pkg', 'a', 'index.js')).toBe('1\n');
  });

  it('two runs editing the same file in parallel: both kept on their branches; merged in turn, the second conflict is named and nothing is touched', async () => {
    const repo = t.repo('pair', { 'README.md': '# pair\n', 'shared.txt': 'original\n' });
    const base = head(repo);
    const [a, b] = await Promise.all([
      t.start(['--project', repo, '--profile', 'spark', '--worktree', '--title', 'A'], 'Edit shared\n@fake write=shared.txt:from A\\n\n@fake write=a.txt:only A\\n\n@fake sleep=1\n'),
      t.start(['--project', repo, '--profile', 'claude', '--worktree', '--title', 'B'], 'Edit shared\n@fake write=shared.txt:from B\\n\n@fake sleep=1\n'),
    ]);
    const lines = await waitAll([a, b]);
    expect(lines.map((l) => l.outcome)).toEqual(['goal_met', 'goal_met']);
    // each saw only its own changes
    expect(t.meta(a).worktree.files_changed).toEqual(['a.txt', 'shared.txt']);
    expect(t.meta(b).worktree.files_changed).toEqual(['shared.txt']);
    expect(existsSync(join(t.meta(b).worktree.path, 'a.txt'))).toBe(false);
    expect(git(repo, 'show', `agentctl/${a}:shared.txt`)).toBe('from A');
    expect(git(repo, 'show', `agentctl/${b}:shared.txt`)).toBe('from B');
    expect(read(repo, 'shared.txt')).toBe('original\n');

    const listed = JSON.parse((await t.run(['list', '--json'])).stdout);
    expect(listed.find((l: any) => l.run_id === a)).toMatchObject({ branch: `agentctl/${a}`, merged: false, branch_state: 'not merged' });

    const m1 = await t.run(['merge', a]);
    expect(m1.code, m1.stderr).toBe(0);
    expect(m1.stdout).toMatch(new RegExp(`^merged agentctl/${a} into main: [0-9a-f]{10}, 2 files changed`));
    expect(read(repo, 'shared.txt')).toBe('from A\n');
    expect(git(repo, 'log', '-1', '--format=%s')).toBe(`Merge agentctl run ${a}: A`);
    expect(git(repo, 'rev-list', '--parents', '-n', '1', 'HEAD').split(' ')).toHaveLength(3);
    const afterA = head(repo);
    expect(afterA).not.toBe(base);

    const m2 = await refused(['merge', b], 1);
    expect(m2.stderr).toMatch(new RegExp(`run ${b}'s branch agentctl/${b} conflicts with main in shared\\.txt: nothing was merged`));
    const bPath = t.meta(b).worktree.path;
    expect(m2.stderr).toContain(`To resolve: run "git -C ${bPath} merge main", then resume the run asking it to resolve the conflict markers in those files ("agentctl resume --parent-run-id ${b}"), then merge again`);
    expect(head(repo)).toBe(afterA);
    expect(git(repo, 'status', '--porcelain')).toBe('');
    expect(read(repo, 'shared.txt')).toBe('from A\n');
    expect(existsSync(join(repo, '.git', 'MERGE_HEAD'))).toBe(false);

    const table = (await t.run(['list'])).stdout.split('\n');
    expect(table[0]).toMatch(/^RUN ID\s+STATE\s+AGE\s+TIME\s+PROFILE\s+PROJECT\s+BRANCH\s+TITLE$/);
    expect(table.find((l) => l.startsWith(a))).toContain(`agentctl/${a} (merged)`);
    expect(table.find((l) => l.startsWith(b))).toContain(`agentctl/${b} (not merged)`);
    const json = JSON.parse((await t.run(['list', '--json'])).stdout);
    expect(json.find((l: any) => l.run_id === a)).toMatchObject({ merged: true, branch_state: 'merged' });
    expect(json.find((l: any) => l.run_id === b)).toMatchObject({ merged: false, branch_state: 'not merged' });

    // merging again is a no-op
    const again = await t.run(['merge', a]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^nothing to merge: /);
    expect(head(repo)).toBe(afterA);

    // resolved as the message says: main merged into B's branch, B resumed to fix the markers
    expect(execaSync('git', ['-C', bPath, 'merge', 'main'], { env: t.env, reject: false }).exitCode).toBe(1);
    expect(read(bPath, 'shared.txt')).toMatch(/^<<<<<<< HEAD\nfrom B\n=======\nfrom A\n>>>>>>> main\n$/);
    const r = await t.run(['resume', '--parent-run-id', b], { input: 'Resolve the conflict markers in shared.txt\n@fake write=shared.txt:from A and B\\n\n' });
    expect(r.code, r.stderr).toBe(0);
    const [resolved] = await waitAll([r.stdout.trim()]);
    expect(resolved.outcome).toBe('goal_met');
    // the commit at the resume's end concluded the merge on B's branch
    expect(git(repo, 'rev-list', '--parents', '-n', '1', `agentctl/${b}`).split(' ')).toHaveLength(3);
    const m3 = await t.run(['merge', b]);
    expect(m3.code, m3.stderr).toBe(0);
    expect(read(repo, 'shared.txt')).toBe('from A and B\n');
    expect(read(repo, 'a.txt')).toBe('only A\n');
  });

  it('merge --squash makes one commit; discard then removes worktree and branch', async () => {
    const repo = t.repo('squash');
    const base = head(repo);
    const r = await runToEnd(['--project', repo, '--profile', 'spark', '--worktree', '--title', 'add notes'], 'Notes\n@fake write=notes.md:one\\n\n@fake summary=notes added\n');
    const m = await t.run(['merge', r.id, '--squash', '--json']);
    expect(m.code, m.stderr).toBe(0);
    const out = JSON.parse(m.stdout);
    expect(out).toMatchObject({ run_id: r.id, branch: `agentctl/${r.id}`, into: 'main', squash: true, commit: head(repo), files_changed: ['notes.md'] });
    expect(git(repo, 'rev-list', '--parents', '-n', '1', 'HEAD').split(' ')).toEqual([head(repo), base]);
    expect(git(repo, 'log', '-1', '--format=%B')).toMatch(new RegExp(`^add notes\\n\\nnotes added\\n\\nAgentctl-Run: ${r.id}`));
    expect(read(repo, 'notes.md')).toBe('one\n');
    expect(t.meta(r.id).worktree.merged).toMatchObject({ into: 'main', squash: true, commit: head(repo) });
    const json = JSON.parse((await t.run(['list', '--json'])).stdout);
    expect(json.find((l: any) => l.run_id === r.id)).toMatchObject({ merged: true, branch_state: 'merged (squash)' });

    // squash-merged: its commit is on no other branch, but the recorded merge holds its work
    const d = await t.run(['discard', r.id]);
    expect(d.code, d.stderr).toBe(0);
    expect(d.stdout).toBe(`removed  ${r.id}  worktree ${r.meta.worktree.path}, branch agentctl/${r.id}`);
    expect(existsSync(r.meta.worktree.path)).toBe(false);
    expect(branches(repo)).not.toContain(`agentctl/${r.id}`);
    expect(t.meta(r.id).worktree).toMatchObject({ removed_at: expect.any(String), branch_deleted_at: expect.any(String) });
  });

  it('merge refuses a dirty checkout, touching nothing', async () => {
    const repo = t.repo('dirtymerge', { 'README.md': '# d\n', 'lib.js': '1\n' });
    const r = await runToEnd(['--project', repo, '--profile', 'spark', '--worktree'], 'Edit lib\n@fake write=lib.js:2\\n\n');
    writeFileSync(join(repo, 'README.md'), '# d\nlocal edit\n');
    const before = head(repo);
    const m = await refused(['merge', r.id], 2);
    expect(m.stderr).toBe(`agentctl: the checkout ${repo} has uncommitted changes (README.md): commit or stash them first; nothing was merged`);
    expect(head(repo)).toBe(before);
    expect(read(repo, 'README.md')).toBe('# d\nlocal edit\n');
    expect(read(repo, 'lib.js')).toBe('1\n');
    git(repo, 'checkout', '--', 'README.md');
    // an untracked file the merge would overwrite
    const r2 = await runToEnd(['--project', repo, '--profile', 'spark', '--worktree'], 'Add\n@fake write=gen.txt:from run\n');
    writeFileSync(join(repo, 'gen.txt'), 'mine\n');
    const u = await refused(['merge', r2.id], 2);
    expect(u.stderr).toBe(`agentctl: untracked files in ${repo} would be overwritten by the merge (gen.txt): move or commit them first; nothing was merged`);
    expect(read(repo, 'gen.txt')).toBe('mine\n');
    expect(head(repo)).toBe(before);
    rmSync(join(repo, 'gen.txt'));
    const ok = await t.run(['merge', r.id]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(read(repo, 'lib.js')).toBe('2\n');
  });

  it('discard keeps a branch with unmerged commits, and uncommitted changes, unless --force', async () => {
    const repo = t.repo('keep');
    const r = await runToEnd(['--project', repo, '--profile', 'spark', '--worktree'], 'Work\n@fake write=work.txt:precious\\n\n');
    const path = r.meta.worktree.path;
    const d = await refused(['discard', r.id], 1);
    expect(d.stderr).toBe(`agentctl: branch agentctl/${r.id} has 1 commit not merged anywhere: kept; merge it ("agentctl merge ${r.id}"), or pass --force to delete it`);
    expect(d.stdout).toBe(`removed  ${r.id}  worktree ${path}`); // the worktree was clean: its work is on the branch
    expect(existsSync(path)).toBe(false);
    expect(git(repo, 'show', `agentctl/${r.id}:work.txt`)).toBe('precious');
    expect(t.meta(r.id).worktree).toMatchObject({ removed_at: expect.any(String), branch_deleted_at: null });
    // resuming needs the worktree
    const res = await refused(['resume', '--parent-run-id', r.id], 2, 'more\n');
    expect(res.stderr).toMatch(new RegExp(`worktree ${path} was removed, so the run cannot be continued there: start a new run with "--base agentctl/${r.id}"`));
    const forced = await t.run(['discard', r.id, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(branches(repo)).not.toContain(`agentctl/${r.id}`);

    // commits off: the change stays uncommitted in the worktree
    writeConfig(t, { worktree_commit: false });
    let loose;
    try {
      loose = await runToEnd(['--project', repo, '--profile', 'spark', '--worktree'], 'Work\n@fake write=draft.txt:draft\\n\n');
    } finally {
      writeConfig(t, { worktree_commit: true });
    }
    const lw = loose.meta.worktree;
    expect(lw).toMatchObject({ commit: null, head: lw.base, diff_stat: '1 file changed, 1 insertion(+)', files_changed: ['draft.txt'] });
    expect(git(lw.path, 'status', '--porcelain')).toBe('?? draft.txt');
    const diff = await t.run(['diff', loose.id]);
    expect(diff.stdout).toContain('+++ b/draft.txt');
    const m = await refused(['merge', loose.id], 2);
    expect(m.stderr).toMatch(/has uncommitted changes \(draft\.txt\), which a merge would leave behind/);
    const k = await refused(['discard', loose.id], 1);
    expect(k.stderr).toBe(`agentctl: worktree ${lw.path} has uncommitted changes (draft.txt): kept; commit or copy them, or pass --force to delete it`);
    expect(k.stdout).toBe('');
    expect(read(lw.path, 'draft.txt')).toBe('draft\n');
    expect(branches(repo)).toContain(`agentctl/${loose.id}`);
    const f = await t.run(['discard', loose.id, '--force']);
    expect(f.code, f.stderr).toBe(0);
    expect(existsSync(lw.path)).toBe(false);
    expect(branches(repo)).not.toContain(`agentctl/${loose.id}`);
  });

  it('merge and discard refuse a run that is still going', async () => {
    const repo = t.repo('busy');
    const id = await t.start(['--project', repo, '--profile', 'spark', '--worktree'], 'Long\n@fake hang\n');
    const m = await refused(['merge', id], 2);
    expect(m.stderr).toMatch(new RegExp(`run ${id} is still working in .*: wait for it \\("agentctl wait ${id}"\\) before you merge it`));
    const d = await refused(['discard', id], 2);
    expect(d.stderr).toMatch(/before you discard it/);
    expect(existsSync(t.meta(id).worktree.path)).toBe(true);
    expect((await t.run(['cancel', id])).code).toBe(0);
    await waitAll([id]);
    // a cancelled run's work is committed too
    expect(t.meta(id).worktree.head).toBeTruthy();
  });

  it('resume continues in the same worktree and branch (claude finds its session there)', async () => {
    const repo = t.repo('resume');
    const first = await runToEnd(['--project', repo, '--profile', 'claude', '--worktree'], 'Start\n@fake write=one.txt:1\\n\n');
    expect(first.code).toBe(0);
    const wt = first.meta.worktree;
    const r = await t.run(['resume', '--parent-run-id', first.id], { input: 'Continue\n@fake write=two.txt:2\\n\n', cwd: t.dir('somewhere-else') });
    expect(r.code, r.stderr).toBe(0);
    const child = r.stdout.trim();
    const [line] = await waitAll([child]);
    // the fake claude, like the real one, finds the session only from the first turn's directory
    expect(line).toMatchObject({ outcome: 'goal_met', summary: 'claude turn 2: Continue', branch: wt.branch, worktree: wt.path });
    const c = t.meta(child).worktree;
    expect(c).toMatchObject({ path: wt.path, branch: wt.branch, base: wt.base, created_by: first.id, files_changed: ['one.txt', 'two.txt'] });
    expect(c.commit).not.toBe(wt.commit);
    expect(git(repo, 'rev-parse', `${c.commit}^`)).toBe(wt.commit);
    expect(t.meta(child).git_diff_stat).toBe('1 file changed, 1 insertion(+)'); // its own turn
    expect(git(repo, 'rev-list', '--count', `${wt.base}..${wt.branch}`)).toBe('2');
    expect(t.meta(child).project_dir).toBe(repo);
  });

  it('a second resume is refused while another run still works in that worktree', async () => {
    const repo = t.repo('resume-busy');
    const first = await runToEnd(['--project', repo, '--profile', 'spark', '--worktree'], 'Start\n@fake write=one.txt:1\\n\n');
    expect(first.code).toBe(0);
    const r = await t.run(['resume', '--parent-run-id', first.id], { input: 'Keep going\n@fake hang\n' });
    expect(r.code, r.stderr).toBe(0);
    const busy = r.stdout.trim();
    const runs = runDirs();
    const again = await refused(['resume', '--parent-run-id', first.id], 2, 'Also\n');
    expect(again.stderr).toBe(`agentctl: run ${busy} is still working in ${first.meta.worktree.path}: wait for it ("agentctl wait ${busy}") before continuing run ${first.id} there`);
    expect(runDirs()).toEqual(runs);
    expect((await t.run(['cancel', busy])).code).toBe(0);
    await waitAll([busy]);
    const after = await t.run(['resume', '--parent-run-id', first.id], { input: 'Now\n' });
    expect(after.code, after.stderr).toBe(0);
    await waitAll([after.stdout.trim()]);
  });

  it('escalation continues in the same worktree', async () => {
    const repo = t.repo('escalate');
    // the follow-up, which escalate sends, makes the next agent write a file where it runs
    const first = await runToEnd(['--project', repo, '--profile', 'spark', '--worktree'], 'Try\n@fake write=try.txt:1\\n\n@fake goal_met=false\n@fake followup=@fake write=esc.txt:e\n');
    expect(first.code).toBe(1);
    const e = await t.run(['escalate', first.id]);
    expect(e.code, e.stderr).toBe(0);
    const id = e.stdout.trim();
    const [line] = await waitAll([id]);
    expect(line.outcome).toBe('goal_met');
    const m = t.meta(id);
    expect(m).toMatchObject({ profile: 'deep', escalated_from: first.id });
    expect(m.worktree).toMatchObject({ path: first.meta.worktree.path, branch: first.meta.worktree.branch, files_changed: ['esc.txt', 'try.txt'] });
    expect(read(m.worktree.path, 'esc.txt')).toBe('e');
    expect(existsSync(join(repo, 'esc.txt'))).toBe(false);
    expect(git(repo, 'show', `${m.worktree.branch}:esc.txt`)).toBe('e');
  });

  it('ten worktree runs started at once on one repository all succeed, each seeing only its own change', async () => {
    const repo = t.repo('ten', { 'README.md': '# ten\n', 'shared.txt': 'base\n' });
    const starts = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        t.run(['start', '--project', repo, '--profile', 'spark', '--worktree', '--title', `w${i}`], { input: `Work ${i}\n@fake write=file-${i}.txt:${i}\\n\n@fake write=shared.txt:${i}\\n\n`, timeoutMs: 120_000 }),
      ),
    );
    for (const s of starts) expect(s.code, s.stderr).toBe(0);
    const ids = starts.map((s) => s.stdout.trim());
    const lines = await waitAll(ids);
    expect(lines.map((l) => l.outcome)).toEqual(Array(10).fill('goal_met'));
    ids.forEach((id, i) => {
      const wt = t.meta(id).worktree;
      expect(wt.files_changed).toEqual([`file-${i}.txt`, 'shared.txt']);
      expect(readdirSync(wt.path).filter((f) => f.startsWith('file-'))).toEqual([`file-${i}.txt`]);
      expect(git(repo, 'show', `${wt.branch}:shared.txt`)).toBe(`${i}`);
    });
    expect(git(repo, 'status', '--porcelain')).toBe('');
    const listed = JSON.parse((await t.run(['list', '--json', '-n', '10'])).stdout);
    expect(listed.map((l: any) => l.branch).sort()).toEqual(ids.map((id) => `agentctl/${id}`).sort());
    expect(listed.every((l: any) => l.merged === false)).toBe(true);
  }, 240_000);

  it('--with-changes carries tracked modifications and untracked files; the checkout keeps them', async () => {
    const repo = t.repo('carry', { 'README.md': '# carry\n', 'lib.js': 'old\n', 'gone.txt': 'x\n' });
    writeFileSync(join(repo, 'lib.js'), 'modified\n');
    writeFileSync(join(repo, 'notes.txt'), 'untracked\n');
    rmSync(join(repo, 'gone.txt'));
    const status = git(repo, 'status', '--porcelain');
    const r = await runToEnd(['--project', repo, '--profile', 'spark', '--with-changes'], 'Go on\n@fake write=more.txt:more\\n\n');
    expect(r.code).toBe(0);
    const wt = r.meta.worktree;
    expect(wt.with_changes).toBe(true);
    expect(git(repo, 'show', `${wt.branch}:lib.js`)).toBe('modified');
    expect(git(repo, 'show', `${wt.branch}:notes.txt`)).toBe('untracked');
    expect(git(repo, 'ls-tree', '--name-only', wt.branch)).not.toContain('gone.txt');
    expect(wt.files_changed).toEqual(['gone.txt', 'lib.js', 'more.txt', 'notes.txt']);
    expect(r.meta.git_diff_stat).toBe('1 file changed, 1 insertion(+)'); // the run's own work
    expect(git(repo, 'status', '--porcelain')).toBe(status);
    expect(read(repo, 'lib.js')).toBe('modified\n');
  });

  it('--base starts the branch from another ref', async () => {
    const repo = t.repo('based');
    git(repo, 'checkout', '-q', '-b', 'feature');
    writeFileSync(join(repo, 'feature.txt'), 'f\n');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'feature');
    const feature = head(repo);
    git(repo, 'checkout', '-q', 'main');
    const r = await runToEnd(['--project', repo, '--profile', 'spark', '--base', 'feature'], 'On feature\n@fake write=more.txt:m\\n\n');
    expect(r.meta.worktree).toMatchObject({ base_ref: 'feature', base: feature, files_changed: ['more.txt'] });
    expect(read(r.meta.worktree.path, 'feature.txt')).toBe('f\n');
    expect((await t.run(['diff', r.id, '--name-only'])).stdout).toBe('more.txt');
  });

  it('defaults: per project and per profile, overridden by --no-worktree', async () => {
    const repo = t.repo('defaults');
    expect((await t.run(['add-project', 'defaults', repo, '--worktree'])).stdout).toBe(`added project defaults -> ${repo} (worktrees on)`);
    const a = await runToEnd(['--project', 'defaults', '--profile', 'spark'], 'x\n');
    expect(a.meta.worktree.branch).toBe(`agentctl/${a.id}`);
    const b = await runToEnd(['--project', 'defaults', '--profile', 'spark', '--no-worktree'], 'x\n@fake write=here.txt:h\n');
    expect(b.meta.worktree).toBeNull();
    expect(read(repo, 'here.txt')).toBe('h');
    expect(b.line.branch).toBeNull();

    const other = t.repo('defaults2');
    const cfg = JSON.parse(read(t.home, 'config.json'));
    writeConfig(t, { profiles: { ...cfg.profiles, 'spark-wt': { agent: 'codex', codex_profile: 'spark', worktree: true } } });
    const c = await runToEnd(['--project', other, '--profile', 'spark-wt'], 'x\n');
    expect(c.meta.worktree.repo_root).toBe(other);
    const d = await runToEnd(['--project', other, '--profile', 'spark'], 'x\n');
    expect(d.meta.worktree).toBeNull();
  });

  it('diff of a run without a worktree shows its own change to the checkout', async () => {
    const repo = t.repo('plain-diff', { 'README.md': '# p\n' });
    writeFileSync(join(repo, 'mine.txt'), 'not the run\n');
    const r = await runToEnd(['--project', repo, '--profile', 'spark'], 'x\n@fake write=run.txt:run\\n\n');
    const d = await t.run(['diff', r.id, '--name-only']);
    expect(d.code, d.stderr).toBe(0);
    expect(d.stdout).toBe('run.txt');
    const m = await refused(['merge', r.id], 2);
    expect(m.stderr).toMatch(/has no worktree \(it ran in .*\): its changes are already in that checkout/);
  });

  it('errors: one line, exit 2, nothing left behind', async () => {
    const plain = t.dir('not-a-repo');
    expect(await startRefused(['--project', plain, '--profile', 'spark', '--worktree'], null)).toBe(
      `agentctl: ${plain} is not in a git repository, so a worktree cannot be made for the run: run "git init" and commit there, or drop --worktree`,
    );
    const empty = t.dir('empty-repo');
    execaSync('git', ['init', '-q', '-b', 'main'], { cwd: empty });
    expect(await startRefused(['--project', empty, '--profile', 'spark', '--worktree'], null)).toBe(
      `agentctl: repository ${empty} has no commits yet, so a worktree has nothing to start from: make a first commit, or drop --worktree`,
    );
    const repo = t.repo('errs');
    expect(await startRefused(['--project', repo, '--profile', 'spark', '--base', 'no-such-branch'], repo)).toBe(
      `agentctl: base "no-such-branch" is not a commit in ${repo}: give an existing branch, tag or commit ("git branch -a" lists the branches)`,
    );
    git(repo, 'branch', 'agentctl/taken-1');
    expect(await startRefused(['--project', repo, '--profile', 'spark', '--worktree', '--run-id', 'taken-1'], repo)).toBe(
      `agentctl: branch agentctl/taken-1 already exists in ${repo}: choose another --run-id, or delete that branch ("git branch -D agentctl/taken-1") if its work is not needed`,
    );
    expect(existsSync(join(t.home, 'worktrees', 'errs', 'taken-1'))).toBe(false);
    expect(await startRefused(['--project', repo, '--profile', 'spark', '--no-worktree', '--base', 'main'], repo)).toMatch(/--base is for a run in its own worktree: drop --no-worktree or that option/);
    // a default that cannot be honoured says where it comes from and how to override it
    await t.run(['add-project', 'plainproj', plain, '--worktree']);
    expect(await startRefused(['--project', 'plainproj', '--profile', 'spark'], null)).toMatch(/or pass --no-worktree \(worktrees are on by project plainproj's default\)$/);
    expect(await startRefused(['--project', repo, '--profile', 'spark', '--worktree', '--run-id', 'bad.lock'], repo)).toMatch(/^agentctl: git could not create the worktree .*bad\.lock.*: fix that, or drop --worktree$/);
    // unknown ids and runs without worktrees
    expect((await refused(['discard', 'nope'], 2)).stderr).toMatch(/no run matches "nope"/);
    expect((await refused(['diff', 'nope'], 2)).stderr).toMatch(/no run matches "nope"/);
  });
});

describe('clean and doctor', () => {
  suiteEnv((env) => {
    t = env;
  });

  it('clean removes finished runs\' worktrees and merged branches, keeps unmerged work, honours --older-than and --dry-run', async () => {
    const repo = t.repo('cleanme');
    const old = await runToEnd(['--project', repo, '--profile', 'spark', '--worktree', '--title', 'old'], 'nothing to change\n');
    const fresh = await runToEnd(['--project', repo, '--profile', 'spark', '--worktree', '--title', 'fresh'], 'nothing either\n');
    const unmerged = await runToEnd(['--project', repo, '--profile', 'spark', '--worktree', '--title', 'unmerged'], 'w\n@fake write=u.txt:u\\n\n');
    // the first ended two days ago
    const metaPath = join(t.home, 'runs', old.id, 'meta.json');
    writeFileSync(metaPath, JSON.stringify({ ...t.meta(old.id), ended_at: new Date(Date.now() - 2 * 86400_000).toISOString() }));

    const dry = await t.run(['clean', '--older-than', '1d', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toBe(`would remove  ${old.id}  worktree ${old.meta.worktree.path}, branch agentctl/${old.id}`);
    expect(existsSync(old.meta.worktree.path)).toBe(true);

    const c1 = await t.run(['clean', '--older-than', '1d']);
    expect(c1.stdout).toBe(`removed  ${old.id}  worktree ${old.meta.worktree.path}, branch agentctl/${old.id}`);
    expect(existsSync(old.meta.worktree.path)).toBe(false);
    expect(existsSync(fresh.meta.worktree.path)).toBe(true);
    expect(branches(repo)).toEqual(expect.arrayContaining([`agentctl/${fresh.id}`, `agentctl/${unmerged.id}`]));
    expect(branches(repo)).not.toContain(`agentctl/${old.id}`);

    const c2 = await t.run(['clean']);
    expect(c2.code, c2.stderr).toBe(0);
    expect(c2.stdout.split('\n').filter(Boolean).sort()).toEqual(
      [
        `removed  ${fresh.id}  worktree ${fresh.meta.worktree.path}, branch agentctl/${fresh.id}`,
        `removed  ${unmerged.id}  worktree ${unmerged.meta.worktree.path}`,
        `kept     ${unmerged.id}  branch agentctl/${unmerged.id} has 1 commit not merged anywhere: kept; merge it ("agentctl merge ${unmerged.id}"), or pass --force to delete it`,
      ].sort(),
    );
    expect(branches(repo)).toEqual(['main', `agentctl/${unmerged.id}`].sort());
    // once merged, the next clean deletes the branch
    expect((await t.run(['merge', unmerged.id])).code).toBe(0);
    expect((await t.run(['clean'])).stdout).toBe(`removed  ${unmerged.id}  branch agentctl/${unmerged.id}`);
    expect((await t.run(['clean'])).stdout).toBe('nothing to clean');
  });

  it('doctor reports stale worktrees; clean repairs them', async () => {
    const repo = t.repo('stale');
    const gone = await runToEnd(['--project', repo, '--profile', 'spark', '--worktree'], 'a\n');
    const pruned = await runToEnd(['--project', repo, '--profile', 'spark', '--worktree'], 'b\n');
    const before = JSON.parse((await t.run(['doctor', '--json'])).stdout);
    expect(before.checks.find((c: any) => c.name === 'worktrees')).toMatchObject({ level: 'ok' });

    rmSync(join(t.home, 'runs', gone.id), { recursive: true }); // the run is gone, its worktree left
    rmSync(pruned.meta.worktree.path, { recursive: true }); // the worktree is gone, git still lists it
    const manual = join(t.root, 'manual-wt'); // not agentctl's: git calls it prunable once it is gone
    git(repo, 'worktree', 'add', '-q', manual, '-b', 'manual');
    rmSync(manual, { recursive: true });
    const doc = JSON.parse((await t.run(['doctor', '--json'])).stdout);
    const stale = doc.checks.find((c: any) => c.name === 'stale worktrees');
    expect(stale).toMatchObject({ level: 'warn', fix: expect.stringMatching(/agentctl clean/) });
    expect(stale.detail).toMatch(/^3: /);
    expect(stale.detail).toContain(`${gone.meta.worktree.path} (run ${gone.id} is gone)`);
    expect(stale.detail).toContain(`${pruned.meta.worktree.path} (git: gitdir file points to non-existent location)`);
    expect(stale.detail).toContain(`${manual} (git: gitdir file points to non-existent location)`);
    const text = (await t.run(['doctor'])).stdout;
    expect(text).toMatch(/^warn\s+stale worktrees: 3: .* — fix: "agentctl clean"/m);

    const c = await t.run(['clean']);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout).toContain(`removed  ${gone.id}  worktree ${gone.meta.worktree.path}, branch agentctl/${gone.id}`);
    expect(c.stdout).toContain(`removed  ${pruned.id}  branch agentctl/${pruned.id}`);
    const list = git(repo, 'worktree', 'list', '--porcelain');
    expect(list).not.toContain(pruned.meta.worktree.path);
    expect(list).not.toContain(manual);
    expect(branches(repo)).toContain('manual'); // not agentctl's branch: left alone
    expect(existsSync(gone.meta.worktree.path)).toBe(false);
    const after = JSON.parse((await t.run(['doctor', '--json'])).stdout);
    expect(after.checks.find((c: any) => c.name === 'stale worktrees')).toBeUndefined();
    expect(after.checks.find((c: any) => c.name === 'worktrees')).toMatchObject({ level: 'ok' });
  });
});

describe('clean --runs', () => {
  suiteEnv((env) => {
    t = env;
  });

  it('clean --runs --older-than removes old finished run records, index and notify.log lines; keeps running, continued and worktree runs', async () => {
    const repo = t.repo('prune');
    const old = await runToEnd(['--project', repo, '--profile', 'spark', '--title', 'old plain'], 'old work\n');
    const recent = await runToEnd(['--project', repo, '--profile', 'spark', '--title', 'recent'], 'recent work\n');
    const wt = await runToEnd(['--project', repo, '--profile', 'spark', '--worktree', '--title', 'old worktree'], 'w\n@fake write=w.txt:w\\n\n');
    writeFileSync(join(wt.meta.worktree.path, 'loose.txt'), 'not committed\n'); // so plain clean keeps the worktree
    const parent = await runToEnd(['--project', repo, '--profile', 'spark', '--title', 'old parent'], 'parent work\n');
    const longAgo = new Date(Date.now() - 3 * 86400_000).toISOString();
    for (const id of [old.id, wt.id, parent.id]) {
      // atomically, as agentctl writes records
      const metaPath = join(t.home, 'runs', id, 'meta.json');
      writeFileSync(`${metaPath}.tmp`, JSON.stringify({ ...t.meta(id), created_at: longAgo, ended_at: longAgo }));
      renameSync(`${metaPath}.tmp`, metaPath);
    }
    // the old runs' notification lines are old too
    const notifyPath = join(t.home, 'notify.log');
    const oldIds = new Set([old.id, wt.id, parent.id]);
    const notes = read(notifyPath).split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const oldLines = notes.filter((n) => oldIds.has(n.run_id)).length;
    expect(oldLines).toBeGreaterThanOrEqual(6); // start and finish of each
    writeFileSync(notifyPath, notes.map((n) => `${JSON.stringify(oldIds.has(n.run_id) ? { ...n, ts: longAgo } : n)}\n`).join(''));
    // a run still going that continues the old parent, and one still going on its own
    const r = await t.run(['resume', '--parent-run-id', parent.id, '--json'], { input: 'More\n@fake sleep=60\n' });
    expect(r.code, r.stderr).toBe(0);
    const child = JSON.parse(r.stdout).run_id as string;
    const running = await t.start(['--project', repo, '--profile', 'spark', '--title', 'running'], 'Slow\n@fake sleep=60\n');
    const wtKept = `kept     ${wt.id}  record kept while its worktree ${wt.meta.worktree.path} exists: remove that first ("agentctl discard ${wt.id}" or "agentctl clean")`;
    const parentKept = `kept     ${parent.id}  record kept while a run continuing it has not ended`;

    // the usage error
    const bad = await t.run(['clean', '--runs']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('agentctl: --runs needs --older-than: say how long ago a run must have ended for its record to be removed (e.g. 7d)');

    // --dry-run touches nothing
    const before = { dirs: runDirs(), index: read(t.home, 'runs', '.index'), notify: read(notifyPath) };
    const dry = await t.run(['clean', '--runs', '--older-than', '1d', '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ runs_would_remove: [old.id], notify_lines_would_remove: oldLines });
    expect({ dirs: runDirs(), index: read(t.home, 'runs', '.index'), notify: read(notifyPath) }).toEqual(before);
    const dryText = await t.run(['clean', '--runs', '--older-than', '1d', '--dry-run']);
    expect(dryText.stdout.split('\n').filter(Boolean).sort()).toEqual(
      [
        `kept     ${wt.id}  worktree ${wt.meta.worktree.path} has uncommitted changes (loose.txt): kept; commit or copy them`,
        `would remove  ${old.id}  run record`,
        wtKept,
        parentKept,
        `would remove  ${oldLines} notify.log lines older than 1d`,
      ].sort(),
    );

    // a start while clean runs: its index line survives the index rewrite
    const [c, late] = await Promise.all([t.run(['clean', '--runs', '--older-than', '1d', '--json']), t.start(['--project', repo, '--profile', 'spark', '--title', 'late'], 'late\n')]);
    expect(c.code, c.stderr).toBe(0);
    const rep = JSON.parse(c.stdout);
    expect(rep).toMatchObject({ pruned: [], runs_removed: [old.id], notify_lines_removed: oldLines });
    expect(existsSync(wt.meta.worktree.path)).toBe(true);
    expect(rep.runs_kept.map((k: any) => k.run_id).sort()).toEqual([wt.id, parent.id].sort());
    expect(existsSync(join(t.home, 'runs', old.id))).toBe(false);
    const kept = [recent.id, wt.id, parent.id, child, running, late];
    expect(runDirs()).toEqual([...kept].sort());
    const indexed = read(t.home, 'runs', '.index').split('\n').filter(Boolean).map((l) => l.split('\t')[1]);
    expect([...indexed].sort()).toEqual([...kept].sort());
    const notifyAfter = read(notifyPath).split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(notifyAfter.filter((n) => oldIds.has(n.run_id))).toEqual([]);
    expect(notifyAfter.map((n) => n.run_id)).toEqual(expect.arrayContaining([recent.id, child, running, late]));

    // list, show and tail still work
    const list = await t.run(['list', '--limit', '0', '--json']);
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout).map((m: any) => m.run_id).sort()).toEqual([...kept].sort());
    expect((await t.run(['show', old.id])).code).toBe(2);
    const show = await t.run(['show', recent.id]);
    expect(show.code, show.stderr).toBe(0);
    const tail = await t.run(['tail', '--no-follow', '-n', '100', '--json']);
    expect(tail.code, tail.stderr).toBe(0);
    expect(tail.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l).run_id)).not.toContain(old.id);

    // once its worktree is gone (this same clean), the worktree run goes too; the running runs never
    expect((await t.run(['cancel', child])).code).toBe(0);
    expect((await t.run(['cancel', running])).code).toBe(0);
    await waitAll([late, child, running]);
    const c2 = await t.run(['clean', '--runs', '--older-than', '1d', '--force']);
    expect(c2.code, c2.stderr).toBe(0);
    expect(c2.stdout).toContain(`removed  ${wt.id}  worktree ${wt.meta.worktree.path}, branch agentctl/${wt.id}`);
    expect(c2.stdout).toContain(`removed  ${wt.id}  run record`);
    expect(c2.stdout).toContain(`removed  ${parent.id}  run record`);
    expect(runDirs()).toEqual([recent.id, child, running, late].sort());
    expect((await t.run(['show', child])).code).toBe(0); // its parent's record is gone: still shown
    expect((await t.run(['clean', '--runs', '--older-than', '1d'])).stdout).toBe('nothing to clean');
  }, 240_000);

  it('a tail following notify.log while clean --runs trims it goes on after its last line: nothing repeated or skipped', async () => {
    const repo = t.repo('prune-tail');
    const a = await runToEnd(['--project', repo, '--agent', 'shell', '--title', 'tail old', '--', 'true'], '');
    const b = await runToEnd(['--project', repo, '--agent', 'shell', '--title', 'tail kept', '--', 'true'], '');
    // a's lines are old, b's recent
    const notifyPath = join(t.home, 'notify.log');
    const longAgo = new Date(Date.now() - 3 * 86400_000).toISOString();
    const metaPath = join(t.home, 'runs', a.id, 'meta.json');
    writeFileSync(`${metaPath}.tmp`, JSON.stringify({ ...t.meta(a.id), created_at: longAgo, ended_at: longAgo }));
    renameSync(`${metaPath}.tmp`, metaPath);
    const lines = read(notifyPath).split('\n').filter(Boolean).map((l) => JSON.parse(l));
    writeFileSync(notifyPath, lines.map((n) => `${JSON.stringify(n.run_id === a.id ? { ...n, ts: longAgo } : n)}\n`).join(''));

    const tail = execa(BIN, ['tail', '-n', '0', '--json'], { env: { ...t.env, AGENTCTL_TRACE: '1' }, extendEnv: false, cwd: t.root, reject: false });
    const following = traced(tail, 'following');
    let out = '';
    tail.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    await following;
    const c1 = await runToEnd(['--project', repo, '--agent', 'shell', '--title', 'tail before', '--', 'true'], '');
    await waitFor(() => out.split('\n').filter((l) => l.includes(c1.id)).length >= 2, 20_000, 'tail shows the run before the trim');
    const clean = await t.run(['clean', '--runs', '--older-than', '1d']);
    expect(clean.code, clean.stderr).toBe(0);
    expect(read(notifyPath)).not.toContain(a.id);
    const c2 = await runToEnd(['--project', repo, '--agent', 'shell', '--title', 'tail after', '--', 'true'], '');
    await waitFor(() => out.split('\n').filter((l) => l.includes(c2.id)).length >= 2, 20_000, 'tail shows the run after the trim');
    tail.kill('SIGTERM');
    await tail;
    const seen = out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { run_id: string; event: string });
    // exactly the start and finish of each run made while it followed, once each, in order
    expect(seen.map((n) => `${n.event} ${n.run_id}`)).toEqual([`start ${c1.id}`, `finish ${c1.id}`, `start ${c2.id}`, `finish ${c2.id}`]);
    expect(b.id).not.toBe(c1.id);
  }, 120_000);
});
