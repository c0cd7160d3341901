// The merge queue (`land`), against real repositories and real runs of the fake agents on a
// private tmux server: clean landings that move the branch, a conflict and a failing test
// stopping the queue with the user's checkout untouched, a dirty checkout keeping the
// integration branch, --fix resuming the runs that broke it, refusals, and the lock.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa, execaSync } from 'execa';
import { describe, expect, it } from 'vitest';
import { BIN, parseJsonLines, suiteEnv, type TestEnv, waitFor } from '../helpers/harness.js';

let t: TestEnv;

const git = (cwd: string, ...args: string[]) => String(execaSync('git', args, { cwd, env: t.env }).stdout);
const head = (repo: string, ref = 'HEAD') => git(repo, 'rev-parse', ref);
const branches = (repo: string) => git(repo, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/').split('\n').filter(Boolean).sort();
const read = (...p: string[]) => readFileSync(join(...p), 'utf8');
const lands = () => (existsSync(join(t.home, 'lands')) ? readdirSync(join(t.home, 'lands')).filter((n) => n.endsWith('.json')).sort() : []);
const landRecord = (id: string) => JSON.parse(read(t.home, 'lands', `${id}.json`));

/** Worktree runs of the fake codex on repo, started together, each told to write files; their ids once all ended. */
async function worktreeRuns(repo: string, prompts: string[]): Promise<string[]> {
  const ids = await Promise.all(prompts.map((p, i) => t.start(['--project', repo, '--profile', 'spark', '--worktree', '--title', `run ${i + 1}`], p)));
  const w = await t.run(['wait', '--timeout', '120', ...ids], { timeoutMs: 130_000 });
  expect(w.stderr).toBe('');
  expect(parseJsonLines(w.stdout).map((l) => l.outcome)).toEqual(ids.map(() => 'goal_met'));
  return ids;
}

/** The test every repository here carries: fails while bad.txt is there without fix.txt, printing why. */
const CHECK = `#!/bin/sh
ls *.txt | tr '\\n' ' '; echo
if [ -f bad.txt ] && [ ! -f fix.txt ]; then
  echo "FAIL: bad.txt needs fix.txt"
  echo "@fake write=fix.txt:fixed"
  exit 3
fi
echo "all tests passed"
`;

function landRepo(name: string): string {
  return t.repo(name, { 'README.md': `# ${name}\n`, 'shared.txt': 'original\n', 'check.sh': CHECK });
}

describe('land', () => {
  suiteEnv((env) => {
    t = env;
  });

  it('lands three runs one at a time, testing after each, then fast-forwards the checked-out branch', async () => {
    const repo = landRepo('three');
    const base = head(repo);
    const ids = await worktreeRuns(repo, ['One\n@fake write=one.txt:1\\n\n', 'Two\n@fake write=two.txt:2\\n\n', 'Three\n@fake write=three.txt:3\\n\n']);
    const r = await t.run(['land', ...ids, '--test', 'sh check.sh'], { timeoutMs: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    const landId = /^land (land-\S+): 3 runs onto main in (\S+) \(test: sh check\.sh\)$/.exec(lines[0]!)?.[1];
    expect(landId, lines[0]).toBeTruthy();
    expect(lines.slice(1, 4)).toEqual(ids.map((id) => expect.stringMatching(new RegExp(`^merged   ${id}  agentctl/${id}  tests passed \\(\\d+(\\.\\d)?s\\)$`))));
    expect(lines[4]).toMatch(new RegExp(`^landed 3 runs onto main: it is now at ${head(repo).slice(0, 10)}$`));
    expect(lines).toHaveLength(5);

    // the checkout moved forward: three merge commits on top of the old tip, files in place, clean
    expect(git(repo, 'rev-list', '--count', `${base}..main`)).toBe('6');
    expect(git(repo, 'log', '--format=%s', '--first-parent', `${base}..main`).split('\n')).toEqual(ids.map((id, i) => `Merge agentctl run ${id}: run ${i + 1}`).reverse());
    expect(read(repo, 'one.txt') + read(repo, 'two.txt') + read(repo, 'three.txt')).toBe('1\n2\n3\n');
    expect(git(repo, 'status', '--porcelain')).toBe('');

    // each test ran on the integration worktree with the runs merged so far
    const rec = landRecord(landId!);
    expect(rec).toMatchObject({ status: 'landed', branch_moved: true, into: 'main', base, head: head(repo), test_command: 'sh check.sh', test_source: 'option', stopped_at: null, fix: false });
    expect(rec.runs.map((x: any) => x.state)).toEqual(['merged', 'merged', 'merged']);
    expect(read(rec.runs[0].tests[0].log)).toBe('one.txt shared.txt \nall tests passed\n');
    expect(read(rec.runs[2].tests[0].log)).toBe('one.txt shared.txt three.txt two.txt \nall tests passed\n');
    // agentctl's scratch worktree and branch are gone; the runs count as merged
    expect(existsSync(rec.integration_worktree)).toBe(false);
    expect(branches(repo)).toEqual(['main', ...ids.map((id) => `agentctl/${id}`)].sort());
    expect(t.meta(ids[1]!).worktree.merged).toMatchObject({ into: 'main', commit: rec.runs[1].commit, squash: false });
    const listed = JSON.parse((await t.run(['list', '--json'])).stdout);
    expect(listed.find((l: any) => l.run_id === ids[0])).toMatchObject({ merged: true, branch_state: 'merged' });

    // landing them again is refused, run by run
    const again = await t.run(['land', ...ids, '--test', 'true']);
    expect(again.code).toBe(2);
    expect(again.stderr).toBe(`agentctl: cannot land: ${ids.map((id) => `run ${id} is already merged into main`).join('; ')}: land only finished worktree runs not merged yet (drop those ids)`);
  });

  it('a conflict stops the queue naming the run and the files; nothing of the checkout is touched', async () => {
    const repo = landRepo('conflict');
    const base = head(repo);
    const ids = await worktreeRuns(repo, ['A\n@fake write=shared.txt:from A\\n\n', 'B\n@fake write=shared.txt:from B\\n\n@fake write=b.txt:b\\n\n', 'C\n@fake write=c.txt:c\\n\n']);
    const before = branches(repo);
    const r = await t.run(['land', ...ids, '--test', 'sh check.sh', '--json'], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')).toHaveLength(1);
    const [rec] = parseJsonLines(r.stdout);
    expect(rec).toMatchObject({ status: 'stopped', stopped_at: ids[1], branch_moved: false, head: null });
    expect(rec.runs.map((x: any) => x.state)).toEqual(['merged', 'conflict', 'skipped']);
    expect(rec.runs[1].conflicts).toEqual(['shared.txt']);
    expect(rec.message).toBe(
      `stopped at run ${ids[1]}: its branch agentctl/${ids[1]} conflicts with main and the runs merged before it in shared.txt; that merge was not made, main and the checkout were not touched; land again with --fix to have run ${ids[1]} resolve it, or land it later or alone`,
    );
    expect(landRecord(rec.land_id)).toEqual({ ...rec, message: rec.message.replace('--fix', 'fix') });
    expect(head(repo)).toBe(base);
    expect(git(repo, 'status', '--porcelain')).toBe('');
    expect(read(repo, 'shared.txt')).toBe('original\n');
    expect(branches(repo)).toEqual(before);
    expect(existsSync(rec.integration_worktree)).toBe(false);
    expect(git(repo, 'worktree', 'list')).not.toContain(rec.land_id.slice(5));

    // the person's form: the same stop as one agentctl line
    const p = await t.run(['land', ...ids, '--test', 'sh check.sh'], { timeoutMs: 60_000 });
    expect(p.code).toBe(1);
    expect(p.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(new RegExp(`^agentctl: stopped at run ${ids[1]}: its branch agentctl/${ids[1]} conflicts with main and the runs merged before it in shared\\.txt; .*land again with --fix`))]);
    expect(p.stdout).toMatch(new RegExp(`merged   ${ids[0]} `));
    expect(head(repo)).toBe(base);
  });

  it('a failing test stops the queue with the run and the tail of its output; the checkout is untouched', async () => {
    const repo = landRepo('failing');
    const base = head(repo);
    const ids = await worktreeRuns(repo, ['Good\n@fake write=good.txt:g\\n\n', 'Bad\n@fake write=bad.txt:b\\n\n']);
    const r = await t.run(['land', ...ids, '--test', 'sh check.sh'], { timeoutMs: 60_000 });
    expect(r.code).toBe(1);
    const stderr = r.stderr.trimEnd().split('\n');
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toMatch(new RegExp(`^agentctl: stopped at run ${ids[1]}: \`sh check\\.sh\` failed \\(exit 3\\) after merging agentctl/${ids[1]}; output: (\\S+\\.test\\.log); main and the checkout were not touched; land again with --fix to have run ${ids[1]} fix it$`));
    const log = /output: (\S+\.test\.log);/.exec(stderr[0]!)![1]!;
    expect(log.startsWith(join(t.home, 'lands'))).toBe(true);
    expect(read(log)).toContain('FAIL: bad.txt needs fix.txt');
    // the tail of the output is shown
    expect(r.stdout).toContain('bad.txt good.txt shared.txt \nFAIL: bad.txt needs fix.txt\n');
    expect(r.stdout).toMatch(new RegExp(`merged   ${ids[0]}  agentctl/${ids[0]}  tests passed`));
    expect(head(repo)).toBe(base);
    expect(git(repo, 'status', '--porcelain')).toBe('');
    expect(existsSync(join(repo, 'good.txt'))).toBe(false);

    // --fix tries once: a fix run that does not make the tests pass stops the queue, naming it
    const f = await t.run(['land', ...ids, '--test', 'test ! -f bad.txt', '--fix', '--json'], { timeoutMs: 90_000 });
    expect(f.code).toBe(1);
    const [rec] = parseJsonLines(f.stdout);
    const bad = rec.runs[1];
    expect(bad).toMatchObject({ state: 'test_failed', fix_outcome: 'goal_met', error: null });
    expect(bad.tests.map((x: any) => x.passed)).toEqual([false, false]);
    expect(t.meta(bad.fix_run)).toMatchObject({ parent_run_id: ids[1], outcome: 'goal_met' });
    expect(rec.message).toMatch(new RegExp(`^stopped at run ${ids[1]}: \`test ! -f bad\\.txt\` failed \\(exit 1\\) after merging agentctl/${ids[1]} \\(again after fix run ${bad.fix_run}\\); output: \\S+after-fix\\.test\\.log; main and the checkout were not touched$`));
    expect(head(repo)).toBe(base);
  });

  it('a checkout with uncommitted changes is left alone: the integration branch is kept and named with how to take it', async () => {
    const repo = landRepo('dirty');
    const base = head(repo);
    const [id] = await worktreeRuns(repo, ['One\n@fake write=one.txt:1\\n\n']);
    writeFileSync(join(repo, 'README.md'), '# my edit\n');
    const r = await t.run(['land', id!, '--test', 'sh check.sh', '--json']);
    expect(r.code).toBe(1);
    const [rec] = parseJsonLines(r.stdout);
    expect(rec).toMatchObject({ status: 'integrated', branch_moved: false });
    const branch = rec.integration_branch;
    expect(branch).toBe(`agentctl-land/${rec.land_id.slice(5)}`);
    expect(rec.message).toBe(`all 1 run merged and tested on branch ${branch}, but main was not moved: the checkout ${repo} has uncommitted changes (README.md); take it with "git -C ${repo} merge --ff-only ${branch}" once they are committed or stashed`);
    expect(head(repo)).toBe(base);
    expect(read(repo, 'README.md')).toBe('# my edit\n');
    expect(head(repo, branch)).toBe(rec.head);
    expect(existsSync(rec.integration_worktree)).toBe(false);
    // doing as told takes it
    git(repo, 'checkout', '--', 'README.md');
    git(repo, 'merge', '--ff-only', branch);
    expect(read(repo, 'one.txt')).toBe('1\n');

    // a branch checked out nowhere is moved without touching any checkout
    git(repo, 'switch', '-q', '-c', 'elsewhere');
    const [id2] = await worktreeRuns(repo, ['Two\n@fake write=two.txt:2\\n\n']);
    const mainBefore = head(repo, 'main');
    const m = await t.run(['land', id2!, '--into', 'main', '--no-test', '--json']);
    expect(m.code, m.stderr).toBe(0);
    const [moved] = parseJsonLines(m.stdout);
    expect(moved).toMatchObject({ status: 'landed', test_command: null, test_source: 'none' });
    expect(git(repo, 'rev-parse', 'main^1')).toBe(mainBefore);
    expect(head(repo, 'main')).toBe(moved.head);
    expect(existsSync(join(repo, 'two.txt'))).toBe(false);
    git(repo, 'switch', '-q', 'main');
  });

  it('--fix: the run whose branch conflicts, and the run whose tests fail, are resumed with the evidence and the queue goes on', async () => {
    const repo = landRepo('fix');
    const base = head(repo);
    const ids = await worktreeRuns(repo, [
      'A\n@fake write=shared.txt:from A\\n\n',
      // its version of the file carries the resolution, which the conflict excerpt shows the fix worker
      'B\n@fake write=shared.txt:from B\\n@fake write=shared.txt:from A and B\\\\n\\n\n',
      'C\n@fake write=bad.txt:bad\\n\n',
    ]);
    const r = await t.run(['land', ...ids, '--test', 'sh check.sh', '--fix'], { timeoutMs: 150_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    const landId = /^land (land-\S+):/.exec(lines[0]!)![1]!;
    const rec = landRecord(landId);
    expect(rec.status).toBe('landed');
    const [, b, c] = rec.runs;
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(new RegExp(`^merged   ${ids[0]}  `)),
      `fixing   ${ids[1]}  conflict in shared.txt: resuming the run`,
      `fixed    ${ids[1]}  by run ${b.fix_run}: merging again`,
      expect.stringMatching(new RegExp(`^merged   ${ids[1]}  `)),
      `fixing   ${ids[2]}  tests failed: resuming the run`,
      `fixed    ${ids[2]}  by run ${c.fix_run}: merging again`,
      expect.stringMatching(new RegExp(`^merged   ${ids[2]}  `)),
      `landed 3 runs onto main: it is now at ${head(repo).slice(0, 10)}`,
    ]);
    // the fixes are resumes of the runs that broke the queue, with the evidence in their prompts
    expect(t.meta(b.fix_run)).toMatchObject({ parent_run_id: ids[1], mode: 'resume', outcome: 'goal_met' });
    const bPrompt = read(t.home, 'runs', b.fix_run, 'prompt.md');
    expect(bPrompt).toContain(`Your branch agentctl/${ids[1]} broke that queue.`);
    expect(bPrompt).toContain('--- the conflicts ---\nshared.txt:\n<<<<<<< HEAD\nfrom A\n=======\nfrom B\n');
    const cPrompt = read(t.home, 'runs', c.fix_run, 'prompt.md');
    expect(cPrompt).toContain('Once merged, the test command `sh check.sh` failed (exit 3).');
    expect(cPrompt).toContain('FAIL: bad.txt needs fix.txt');
    expect(b.tests.map((x: any) => x.passed)).toEqual([true]);
    expect(c.tests.map((x: any) => x.passed)).toEqual([false, true]);
    // the result on main: both sides of the conflict resolved, the fix for the tests in
    expect(read(repo, 'shared.txt')).toBe('from A and B\n');
    expect(read(repo, 'fix.txt')).toBe('fixed');
    expect(git(repo, 'rev-list', '--count', `${base}..main`)).not.toBe('0');
    expect(git(repo, 'status', '--porcelain')).toBe('');
  });

  it("a finished workflow's id lands its branch; one still running is refused", async () => {
    const repo = landRepo('workflow');
    const [first, last] = await worktreeRuns(repo, ['Implement\n@fake write=impl.txt:1\\n\n', 'Other\n@fake write=other.txt:1\\n\n']);
    // the workflow's record as the workflow driver keeps it: its steps' runs, newest last, in one worktree
    const workflow = (id: string, status: string) => {
      const dir = join(t.home, 'workflows', id);
      mkdirSync(dir, { recursive: true });
      const wt = t.meta(last!).worktree;
      writeFileSync(join(dir, 'workflow.json'), JSON.stringify({ workflow_id: id, status, worktree: wt, iterations: [{ n: 1, runs: [{ run_id: first }, { run_id: last }] }] }));
    };
    workflow('wf-abc123', 'finished');
    workflow('wf-def456', 'running');
    const refused = await t.run(['land', 'wf-def456', '--no-test']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('cannot land: workflow wf-def456 has not finished (running)');
    const r = await t.run(['land', 'wf-abc123', '--no-test', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(parseJsonLines(r.stdout)[0]).toMatchObject({ status: 'landed', runs: [{ run_id: last, branch: `agentctl/${last}`, state: 'merged' }] });
    expect(read(repo, 'other.txt')).toBe('1\n');
    expect(existsSync(join(repo, 'impl.txt'))).toBe(false);
  });

  it('refuses, run by run and before anything is made, what cannot be landed', async () => {
    const repo = landRepo('refuse');
    const [done] = await worktreeRuns(repo, ['Done\n@fake write=d.txt:d\\n\n']);
    const plain = await t.start(['--project', repo, '--profile', 'spark', '--no-worktree'], 'In place\n');
    const discarded = (await worktreeRuns(repo, ['Thrown away\n@fake write=x.txt:x\\n\n']))[0]!;
    await t.run(['wait', plain]);
    expect((await t.run(['discard', discarded, '--force'])).code).toBe(0);
    const busy = await t.start(['--project', repo, '--profile', 'spark', '--worktree'], 'Working\n@fake hang\n');
    const before = lands();
    const r = await t.run(['land', done!, plain, discarded, busy, 'nosuchrun', done!, '--test', 'true']);
    expect(r.code).toBe(2);
    const stderr = r.stderr.trimEnd().split('\n');
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toContain('agentctl: cannot land: ');
    expect(stderr[0]).toContain(`run ${plain} is not a worktree run (it ran in ${repo}): its changes are already there`);
    expect(stderr[0]).toContain(`run ${discarded} was discarded (its branch agentctl/${discarded} is gone)`);
    expect(stderr[0]).toMatch(new RegExp(`run ${busy} has not finished \\((pending|running)\\)`));
    expect(stderr[0]).toContain('nosuchrun');
    expect(stderr[0]).toContain(`run ${done} is given twice`);
    expect(stderr[0]).toContain('(drop those ids)');
    expect(lands()).toEqual(before);
    await t.run(['cancel', busy]);

    // no test command given, configured or detected: said, with the ways out
    const none = await t.run(['land', done!]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(`no test command for ${repo}: none was given, none is configured, and none was detected on main`);
    expect(none.stderr).toContain('--test CMD');
    expect(none.stderr).toContain('--no-test');
    expect(lands()).toEqual(before);
  });

  it("uses the project's test command; one land per repository at a time; an interrupted land is cleaned up by the next", async () => {
    const repo = landRepo('locked');
    const gate = join(t.root, 'locked-gate');
    const started = join(t.root, 'locked-started');
    const add = await t.run(['add-project', 'locked', repo, '--test', `touch '${started}'; while [ ! -f '${gate}' ]; do sleep 0.05; done`]);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toContain('(test "touch');
    const [one, two] = await worktreeRuns(repo, ['One\n@fake write=one.txt:1\\n\n', 'Two\n@fake write=two.txt:2\\n\n']);
    const base = head(repo);
    const first = execa(BIN, ['land', one!], { env: t.env, extendEnv: false, cwd: t.root, reject: false });
    await waitFor(() => existsSync(started), 20_000, 'the first land to run its test');
    const second = await t.run(['land', two!, '--test', 'true']);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(new RegExp(`^agentctl: another land is under way on ${repo}`));
    // the first is killed in the middle of its test: its worktree and branch stay behind
    first.kill('SIGKILL');
    await first;
    writeFileSync(gate, ''); // its test command, in a process group of its own, ends too
    const [interrupted] = lands().filter((f) => landRecord(f.slice(0, -5)).status === 'running');
    expect(interrupted).toBeDefined();
    const old = landRecord(interrupted!.slice(0, -5));
    expect(existsSync(old.integration_worktree)).toBe(true);
    expect(branches(repo)).toContain(old.integration_branch);

    const r = await t.run(['land', one!, two!, '--json'], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(parseJsonLines(r.stdout)[0]).toMatchObject({ status: 'landed', test_source: 'project', test_command: expect.stringContaining('touch') });
    expect(landRecord(old.land_id)).toMatchObject({ status: 'failed', message: `land ${old.land_id} was interrupted before it ended; main and the checkout were not touched` });
    expect(existsSync(old.integration_worktree)).toBe(false);
    expect(branches(repo).filter((b) => b.startsWith('agentctl-land/'))).toEqual([]);
    expect(git(repo, 'rev-list', '--count', `${base}..main`)).toBe('4');
  });
});
