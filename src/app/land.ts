// `land`: the merge queue. Finished worktree runs are merged one at a time into an integration
// worktree (its own branch, made from the project's branch, under <home>/lands/<id>/), and the
// project's test command runs after each merge. The first conflict or failing test stops the
// queue (or, with fix, starts one repair per run: land-fix.ts). Only when every merge passed is
// the project's branch moved, by a fast-forward, and only where that touches nothing of the
// user's: the branch is checked out nowhere, or in a clean checkout. The record of each land is
// <home>/lands/<id>.json; one land per repository at a time (a lock held throughout).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { newRunId } from '../core/runs/ids.js';
import { isEnded, type Meta } from '../core/runs/meta.js';
import { addWorktree, branchExists, changedPaths, currentBranch, deleteBranch, GitFailed, GitTimedOut, listWorktrees, mergeBranch, pruneWorktrees, removeWorktree, repoTop, resolveCommit, withGitTimeout } from '../core/git/git.js';
import { checkoutOf, conflictExcerpts, fastForward, isAncestor, LAND_BRANCH_PREFIX, moveBranch, previewMerge, resetHard, treeAt } from '../core/git/land.js';
import { gitMessage, list, recordOnSharing, runsSharing, underRepoLock } from '../core/git/worktree.js';
import { parseDuration } from '../core/sys/duration.js';
import { AppError, plainWording, word } from '../core/sys/errors.js';
import { readFileOrNull, tryHoldLock, writeJsonAtomic } from '../core/sys/fsutil.js';
import { loadProjects } from '../core/workspace/projects.js';
import type { AppContext } from './context.js';
import { type Breakage, fixRun } from './land-fix.js';
import { detectTestCommand, logTail, runTestCommand } from './land-test.js';
import type { LandRunView, LandView } from './land-views.js';
import { isWorkflowId, workflowLandingRun } from './land-workflow.js';
import { openRun } from './runs.js';

export interface LandOptions {
  /** Runs (ids, prefixes or suffixes) or workflows (their branch), in the order they are merged. */
  ids: string[];
  /** The test command; else the project's, else detected. */
  test?: string;
  /** Land without running tests (when none is configured or detected). */
  noTest?: boolean;
  /** How long one test run may take: 90s, 15m (default 20m). */
  testTimeout?: string;
  /** Repair a conflict or failing test with a resume of the run that broke the queue, once per run. */
  fix?: boolean;
  /** The branch to land onto (default: the one the project's checkout has checked out). */
  into?: string;
  /** Told each step as it happens (a line a person reads). */
  onProgress?: (line: string) => void;
}

const DEFAULT_TEST_TIMEOUT = '20m';
/** Each git command of a land may take this long (a hook that hangs must not hold the queue for ever). */
const GIT_LIMIT_MS = 120_000;

export function landsDir(home: string): string {
  return join(home, 'lands');
}

/** Land runs (see the module comment); the record as it ended. Refusals before anything is made are AppErrors. */
export async function landRuns(ctx: AppContext, o: LandOptions): Promise<LandView> {
  return withGitTimeout(GIT_LIMIT_MS, () => land(ctx, o)).catch((err: unknown) => {
    if (err instanceof GitFailed || err instanceof GitTimedOut) throw new AppError(`git failed while landing (${gitMessage(err)}): the project's branch and checkout were not touched`);
    throw err;
  });
}

interface Target {
  meta: Meta;
  branch: string;
}

async function land(ctx: AppContext, o: LandOptions): Promise<LandView> {
  if (!o.ids.length) throw new AppError('no runs to land', { fix: 'give the ids of finished worktree runs, in the order to merge them' });
  if (o.test !== undefined && o.noTest) throw new AppError('{opt:test} and {opt:noTest} contradict each other', { fix: 'give one of them' });
  const timeoutS = parseDuration(o.testTimeout ?? DEFAULT_TEST_TIMEOUT, '{opt:testTimeout}');
  const { targets, repo, into } = await checkTargets(ctx, o);
  const top = await repoTop(repo, ctx.env);
  const hash = createHash('sha1').update(top?.commonDir ?? repo).digest('hex').slice(0, 12);
  const held = tryHoldLock(join(ctx.ws.locks, `land-${hash}.lock`));
  if (!held) throw new AppError(`another land is under way on ${repo}`, { fix: 'wait for it to end (its record is in <home>/lands), then land again' });
  held.mark();
  try {
    await sweepInterrupted(ctx, repo);
    const base = await resolveCommit(repo, `refs/heads/${into}`, ctx.env);
    if (!base) throw new AppError(`branch ${into} does not exist in ${repo}`, { fix: 'give an existing branch with {opt:into}' });
    const test = await testCommand(ctx, o, targets[0]!.meta, repo, into);
    return await runQueue(ctx, o, { targets, repo, into, base, test, timeoutS });
  } finally {
    held.release();
  }
}

/** Refuse up front, one reason per run, what cannot be landed; the repository and branch they land onto. */
async function checkTargets(ctx: AppContext, o: LandOptions): Promise<{ targets: Target[]; repo: string; into: string }> {
  const problems: string[] = [];
  const targets: Target[] = [];
  for (const id of o.ids) {
    let m: Meta;
    try {
      m = await openRun(ctx, isWorkflowId(id) ? workflowLandingRun(ctx, id) : id);
    } catch (err) {
      problems.push(err instanceof AppError ? err.problem : (err as Error).message);
      continue;
    }
    const wt = m.worktree;
    const busy = wt ? runsSharing(ctx.ws, wt).find((r) => !isEnded(r)) : undefined;
    if (!wt) problems.push(`run ${m.run_id} is not a worktree run (it ran in ${m.project_dir}): its changes are already there`);
    else if (!isEnded(m)) problems.push(`run ${m.run_id} has not finished (${m.status})`);
    else if (busy) problems.push(`run ${busy.run_id} is still working in run ${m.run_id}'s worktree`);
    else if (wt.branch_deleted_at || !existsSync(wt.repo_root) || !(await branchExists(wt.repo_root, wt.branch, ctx.env))) problems.push(`run ${m.run_id} was discarded (its branch ${wt.branch} is gone)`);
    else if (targets.some((t) => t.branch === wt.branch)) problems.push(`run ${m.run_id} is given twice (or with a run sharing its branch ${wt.branch})`);
    else if (targets.length && targets[0]!.meta.worktree!.repo_root !== wt.repo_root) problems.push(`run ${m.run_id} belongs to ${wt.repo_root}, not ${targets[0]!.meta.worktree!.repo_root}: land each repository's runs separately`);
    else {
      const loose = existsSync(wt.path) && !wt.removed_at ? await changedPaths(wt.path, ctx.env) : [];
      if (loose.length) problems.push(`run ${m.run_id}'s worktree ${wt.path} has uncommitted changes (${list(loose)})`);
      else targets.push({ meta: m, branch: wt.branch });
    }
  }
  const repo = targets[0]?.meta.worktree!.repo_root;
  let into = o.into;
  if (repo && !into) {
    into = (await currentBranch(repo, ctx.env)) ?? undefined;
    if (!into) throw new AppError(`the checkout ${repo} is on a detached HEAD: say which branch to land onto`, { fix: 'pass {opt:into} BRANCH' });
  }
  if (repo && into) {
    const intoTip = await resolveCommit(repo, `refs/heads/${into}`, ctx.env);
    for (const t of [...targets]) {
      if (intoTip && (await isAncestor(repo, `refs/heads/${t.branch}`, intoTip, ctx.env))) {
        const tip = await resolveCommit(repo, `refs/heads/${t.branch}`, ctx.env);
        problems.push(tip === t.meta.worktree!.base ? `run ${t.meta.run_id} changed nothing: its branch has no commits to land` : `run ${t.meta.run_id} is already merged into ${into}`);
        targets.splice(targets.indexOf(t), 1);
      }
    }
  }
  if (problems.length) {
    throw new AppError(`cannot land: ${problems.join('; ')}`, { fix: 'land only finished worktree runs not merged yet (drop those ids)' });
  }
  return { targets, repo: repo!, into: into! };
}

interface TestChoice {
  command: string | null;
  source: LandView['test_source'];
}

async function testCommand(ctx: AppContext, o: LandOptions, first: Meta, repo: string, into: string): Promise<TestChoice> {
  if (o.test !== undefined) {
    if (!o.test.trim()) throw new AppError('empty {opt:test} command', { fix: 'give a command, or pass {opt:noTest}' });
    return { command: o.test, source: 'option' };
  }
  if (o.noTest) return { command: null, source: 'none' };
  const configured = first.project ? loadProjects(ctx.ws).projects[first.project]?.test : undefined;
  if (configured) return { command: configured, source: 'project' };
  const rel = relative(repo, first.project_dir);
  const prefix = rel && !rel.startsWith('..') ? `${rel}/` : '';
  const tree = await treeAt(repo, `refs/heads/${into}:${prefix}`, ctx.env).catch(() => null);
  const detected = tree ? await detectTestCommand(tree) : null;
  if (detected) return { command: detected, source: 'detected' };
  throw new AppError(`no test command for ${first.project ? `project ${first.project}` : repo}: none was given, none is configured, and none was detected on ${into} (package.json test script, pytest, go.mod, Cargo.toml)`, {
    fix: `pass {opt:test} CMD, set one with "{cmd:add-project ${first.project ?? 'NAME'} ${first.project_dir} --test CMD}", or pass {opt:noTest} to land untested`,
  });
}

interface Queue {
  targets: Target[];
  repo: string;
  into: string;
  base: string;
  test: TestChoice;
  timeoutS: number;
}

async function runQueue(ctx: AppContext, o: LandOptions, q: Queue): Promise<LandView> {
  const landId = `land-${newRunId()}`;
  const dir = join(landsDir(ctx.home), landId);
  const wtPath = join(dir, 'worktree');
  const branch = `${LAND_BRANCH_PREFIX}${landId.slice(5)}`;
  const rec: LandView = {
    land_id: landId, project: q.targets[0]!.meta.project, repo_root: q.repo, into: q.into, base: q.base,
    integration_branch: branch, integration_worktree: wtPath, test_command: q.test.command, test_source: q.test.source, fix: o.fix ?? false,
    status: 'running', runs: q.targets.map((t): LandRunView => ({ run_id: t.meta.run_id, branch: t.branch, state: 'pending', commit: null, conflicts: [], tests: [], fix_run: null, fix_outcome: null, error: null })),
    stopped_at: null, head: null, branch_moved: false, message: '', started_at: new Date().toISOString(), ended_at: null,
  };
  const save = () => writeJsonAtomic(join(landsDir(ctx.home), `${landId}.json`), { ...rec, message: word(rec.message, plainWording) });
  mkdirSync(dir, { recursive: true });
  save();
  const say = o.onProgress ?? (() => {});
  say(`land ${landId}: ${q.targets.length} run${q.targets.length === 1 ? '' : 's'} onto ${q.into} in ${wtPath} (${q.test.command ? `test: ${q.test.command}` : 'no tests'})`);
  const rel = relative(q.repo, q.targets[0]!.meta.project_dir);
  const testDir = rel && !rel.startsWith('..') ? join(wtPath, rel) : wtPath;
  let keepBranch = false;
  try {
    await underRepoLock(ctx.ws, q.repo, ctx.env, () => addWorktree(q.repo, wtPath, branch, q.base, ctx.env));
    for (const [i, t] of q.targets.entries()) {
      const r = rec.runs[i]!;
      const ok = await landOne(ctx, o, q, { t, r, n: i + 1, wtPath, testDir, dir, landId, say, save });
      save();
      if (!ok) {
        rec.status = 'stopped';
        rec.stopped_at = t.meta.run_id;
        for (const later of rec.runs.slice(i + 1)) later.state = 'skipped';
        rec.message = stopMessage(rec, r);
        return rec;
      }
    }
    rec.head = await resolveCommit(wtPath, 'HEAD', ctx.env);
    const moved = await moveForward(ctx, rec);
    rec.branch_moved = moved.moved;
    rec.status = moved.moved ? 'landed' : 'integrated';
    rec.message = moved.message;
    keepBranch = !moved.moved;
    if (moved.moved) {
      for (const [i, t] of q.targets.entries()) {
        const merged = { into: q.into, commit: rec.runs[i]!.commit!, squash: false, branch_head: (await resolveCommit(q.repo, `refs/heads/${t.branch}`, ctx.env))!, at: new Date().toISOString() };
        recordOnSharing(ctx.ws, t.meta.worktree!, (w) => void (w.merged = merged));
      }
    }
    return rec;
  } catch (err) {
    rec.status = 'failed';
    rec.message = `land ${landId} failed: ${err instanceof AppError ? err.problem : gitMessage(err)}; ${q.into} and the checkout were not touched`;
    throw err;
  } finally {
    rec.ended_at = new Date().toISOString();
    save();
    // the worktree is agentctl's scratch space; the branch stays only when it is the result to take
    await underRepoLock(ctx.ws, q.repo, ctx.env, async () => {
      await removeWorktree(q.repo, wtPath, true, ctx.env).catch(() => rmSync(wtPath, { recursive: true, force: true }));
      await pruneWorktrees(q.repo, ctx.env).catch(() => {});
      if (!keepBranch) await deleteBranch(q.repo, branch, ctx.env).catch(() => {});
    }).catch(() => {});
  }
}

interface Step {
  t: Target;
  r: LandRunView;
  n: number;
  wtPath: string;
  testDir: string;
  dir: string;
  landId: string;
  say: (line: string) => void;
  save: () => void;
}

/** Merge one run and test it; with fix, one repair when either fails. false: the queue stops here. */
async function landOne(ctx: AppContext, o: LandOptions, q: Queue, s: Step): Promise<boolean> {
  const { t, r } = s;
  const before = (await resolveCommit(s.wtPath, 'HEAD', ctx.env))!;
  for (let attempt = 0; ; attempt++) {
    const breakage = await mergeAndTest(ctx, q, s, before, attempt);
    if (!breakage) {
      r.state = 'merged';
      r.error = null;
      const tested = r.tests.at(-1);
      s.say(`merged   ${t.meta.run_id}  ${t.branch}  ${tested ? `tests passed (${tested.duration_s}s)` : 'untested'}`);
      return true;
    }
    if (!o.fix || attempt > 0) return false;
    s.say(`fixing   ${t.meta.run_id}  ${breakage.kind === 'conflict' ? `conflict in ${list(breakage.files)}` : 'tests failed'}: resuming the run`);
    s.save();
    const fixed = await fixRun(ctx, { landId: s.landId, meta: t.meta, before, into: q.into, breakage });
    r.fix_run = fixed.runId;
    r.fix_outcome = fixed.outcome;
    if (fixed.error) {
      r.error = fixed.error;
      return false;
    }
    s.say(`fixed    ${t.meta.run_id}  by run ${fixed.runId}: merging again`);
  }
}

/** One merge into the integration worktree and its test; what broke, or null. The worktree is back at `before` on failure. */
async function mergeAndTest(ctx: AppContext, q: Queue, s: Step, before: string, attempt: number): Promise<Breakage | null> {
  const { t, r } = s;
  const ref = `refs/heads/${t.branch}`;
  const preview = await previewMerge(s.wtPath, ref, ctx.env);
  if (preview.conflicts.length) {
    r.state = 'conflict';
    r.conflicts = preview.conflicts;
    return { kind: 'conflict', files: preview.conflicts, excerpts: await conflictExcerpts(s.wtPath, preview.tree, preview.conflicts, ctx.env) };
  }
  const title = t.meta.title.split('\n')[0] ?? t.meta.run_id;
  try {
    r.commit = await mergeBranch(s.wtPath, t.branch, { squash: false, message: [`Merge agentctl run ${t.meta.run_id}: ${title}`, `Agentctl-Run: ${t.meta.run_id}\nAgentctl-Land: ${s.landId}`] }, ctx.env);
  } catch (err) {
    r.state = 'error';
    r.error = `git could not merge ${t.branch} (${gitMessage(err)})`;
    throw new AppError(`${r.error}; the queue stopped at run ${t.meta.run_id}`);
  }
  if (!q.test.command) return null;
  const log = join(s.dir, `${String(s.n).padStart(2, '0')}-${t.meta.run_id}${attempt ? '-after-fix' : ''}.test.log`);
  const run = await runTestCommand(q.test.command, { cwd: s.testDir, env: ctx.env, log, timeoutMs: q.timeoutS * 1000 });
  r.tests.push(run);
  if (run.passed) return null;
  r.state = 'test_failed';
  await resetHard(s.wtPath, before, ctx.env);
  r.commit = null;
  return { kind: 'test', test: run };
}

function stopMessage(rec: LandView, r: LandRunView): string {
  const untouched = `${rec.into} and the checkout were not touched`;
  const fixNote = r.error ? ` (${r.error})` : r.fix_run ? ` (again after fix run ${r.fix_run})` : '';
  if (r.state === 'conflict') {
    const next = rec.fix ? '' : `; land again with {opt:fix} to have run ${r.run_id} resolve it, or land it later or alone`;
    return `stopped at run ${r.run_id}: its branch ${r.branch} conflicts with ${rec.into}${rec.runs.indexOf(r) ? ' and the runs merged before it' : ''} in ${list(r.conflicts)}${fixNote}; that merge was not made, ${untouched}${next}`;
  }
  if (r.state === 'test_failed') {
    const last = r.tests.at(-1)!;
    const how = last.timed_out ? `did not finish within the time limit` : `failed (exit ${last.exit_code ?? 'none'})`;
    const next = rec.fix ? '' : `; land again with {opt:fix} to have run ${r.run_id} fix it`;
    return `stopped at run ${r.run_id}: \`${last.command}\` ${how} after merging ${r.branch}${fixNote}; output: ${last.log}; ${untouched}${next}`;
  }
  return `stopped at run ${r.run_id}${fixNote}; ${untouched}`;
}

/**
 * Move the project's branch to the integration branch's tip, by fast-forward only, where that
 * touches nothing of the user's; otherwise say how to take the integration branch.
 */
async function moveForward(ctx: AppContext, rec: LandView): Promise<{ moved: boolean; message: string }> {
  const { repo_root: repo, into, integration_branch: branch } = rec;
  const head = rec.head!;
  const n = rec.runs.length;
  const landed = `landed ${n} run${n === 1 ? '' : 's'} onto ${into}: it is now at ${head.slice(0, 10)}`;
  const left = (why: string, take: string, when = '') => ({
    moved: false,
    message: `all ${n} run${n === 1 ? '' : 's'} merged and tested on branch ${branch}, but ${into} was not moved: ${why}; take it with "${take}"${when}`,
  });
  return underRepoLock(ctx.ws, repo, ctx.env, async () => {
    const checkout = await checkoutOf(repo, into, ctx.env);
    if (!checkout) {
      try {
        await moveBranch(repo, into, rec.base, head, ctx.env);
        return { moved: true, message: landed };
      } catch {
        return left(`${into} moved on while landing`, `git switch ${into} && git merge ${branch}`);
      }
    }
    const dirty = await changedPaths(checkout, ctx.env, { untracked: false });
    if (dirty.length) return left(`the checkout ${checkout} has uncommitted changes (${list(dirty)})`, `git -C ${checkout} merge --ff-only ${branch}`, ' once they are committed or stashed');
    try {
      await fastForward(checkout, head, ctx.env);
      return { moved: true, message: landed };
    } catch (err) {
      return left(`git refused to fast-forward the checkout ${checkout} (${gitMessage(err)})`, `git -C ${checkout} merge ${branch}`);
    }
  });
}

/**
 * A land whose process was killed midway (its lock is free now, so it is gone) left its
 * integration worktree and branch behind: both go, and its record says it was interrupted.
 */
async function sweepInterrupted(ctx: AppContext, repo: string): Promise<void> {
  const root = landsDir(ctx.home);
  for (const e of await listWorktrees(repo, ctx.env)) {
    if (!e.branch?.startsWith(LAND_BRANCH_PREFIX) || !e.path.startsWith(`${root}/`)) continue;
    await underRepoLock(ctx.ws, repo, ctx.env, async () => {
      await removeWorktree(repo, e.path, true, ctx.env).catch(() => rmSync(e.path, { recursive: true, force: true }));
      await pruneWorktrees(repo, ctx.env).catch(() => {});
      await deleteBranch(repo, e.branch!, ctx.env).catch(() => {});
    });
    const file = join(root, `${basename(dirname(e.path))}.json`);
    try {
      const rec = JSON.parse(readFileOrNull(file) ?? 'null') as LandView | null;
      if (rec?.status === 'running') {
        writeJsonAtomic(file, { ...rec, status: 'failed', ended_at: new Date().toISOString(), message: `land ${rec.land_id} was interrupted before it ended; ${rec.into} and the checkout were not touched` });
      }
    } catch {
      // an unreadable record is left as it is: the worktree was what mattered
    }
  }
}

/** Lines of the failing output, for the front-ends to show under the stop message. */
export function failureTail(rec: LandView): string {
  const r = rec.runs.find((x) => x.run_id === rec.stopped_at);
  const last = r?.state === 'test_failed' ? r.tests.at(-1) : undefined;
  return last ? logTail(last.log, 20) : '';
}
