// `land --fix`: when a run breaks the queue (a conflict, or failing tests once merged), a resume
// of that run repairs it, once. The worker works in the run's OWN worktree, not the integration
// one: agentctl first starts merging what landed before it (the integration branch) into the
// run's branch there, so its worktree holds exactly the state that broke (conflict markers, or
// the merged tree whose tests failed); the worker fixes that, and the commit at the end of its
// run concludes the merge on the run's branch. Its session finds its own directory again
// (claude keys sessions by directory), it needs no access to anything but its worktree, and
// the integration worktree only ever holds merges that passed. The queue then merges the
// run's branch again, which is now a clean merge, and tests it.
import { isEnded, type Meta, type Worktree } from '../core/runs/meta.js';
import { resumeRun } from '../core/lifecycle/chain.js';
import { abortMerge, filesWithMarkers, mergeInProgress, startMergeForFix } from '../core/git/land.js';
import { gitMessage, list, runsSharing } from '../core/git/worktree.js';
import { AppError } from '../core/sys/errors.js';
import type { AppContext } from './context.js';
import { logTail, type TestRun } from './land-test.js';
import { waitForRuns } from './wait.js';

export type Breakage =
  | { kind: 'conflict'; files: string[]; excerpts: string }
  | { kind: 'test'; test: TestRun };

export interface FixRequest {
  landId: string;
  /** The run as given to land. */
  meta: Meta;
  /** The integration branch's tip before this run's merge: what landed before it. */
  before: string;
  into: string;
  breakage: Breakage;
}

export interface FixResult {
  runId: string | null;
  outcome: string | null;
  /** Why the fix did not work; null when the run's branch is ready to merge again. */
  error: string | null;
}

/** Start the fix worker, wait for it, and check that it left the branch ready to merge again. */
export async function fixRun(ctx: AppContext, r: FixRequest): Promise<FixResult> {
  const wt = r.meta.worktree!;
  // the newest run in the worktree holds its latest session: the fix continues that one
  const parent = runsSharing(ctx.ws, wt).find(isEnded) ?? r.meta;
  let conflicts: string[];
  try {
    conflicts = await startMergeForFix(wt.path, r.before, `Merge ${r.into} and the runs landed before it into ${wt.branch}`, ctx.env);
  } catch (err) {
    return { runId: null, outcome: null, error: `could not start the merge in ${wt.path} for a fix (${gitMessage(err)})` };
  }
  let fixId: string;
  try {
    const { meta } = await resumeRun({
      home: ctx.home,
      env: ctx.env,
      cwd: ctx.cwd,
      parent,
      prompt: fixPrompt(r, wt, conflicts),
      title: `land fix: ${r.meta.title}`.slice(0, 200),
      placement: {},
    });
    fixId = meta.run_id;
  } catch (err) {
    await abortMerge(wt.path, ctx.env).catch(() => {});
    return { runId: null, outcome: null, error: `no fix worker could be started: ${err instanceof AppError ? err.problem : (err as Error).message}` };
  }
  const { lines } = await waitForRuns(ctx, { ids: [fixId], timeoutS: null });
  const outcome = lines[0]?.outcome ?? null;
  if (outcome !== 'goal_met') return { runId: fixId, outcome, error: `fix run ${fixId} ended with outcome ${outcome ?? lines[0]?.status ?? 'unknown'}` };
  if (await mergeInProgress(wt.path, ctx.env)) {
    return { runId: fixId, outcome, error: `fix run ${fixId} ended but the merge in ${wt.path} is not concluded (its commit failed?)` };
  }
  const left = await filesWithMarkers(wt.repo_root, `refs/heads/${wt.branch}`, conflicts, ctx.env);
  if (left.length) return { runId: fixId, outcome, error: `fix run ${fixId} left conflict markers in ${list(left)}` };
  return { runId: fixId, outcome, error: null };
}

/** The fix worker's task, with the evidence: conflict regions, or the failing test output. */
export function fixPrompt(r: FixRequest, wt: Worktree, conflicts: string[]): string {
  const head = `agentctl is landing several runs onto ${r.into}, one at a time, testing after each (land ${r.landId}). Your branch ${wt.branch} broke that queue.`;
  const noCommit = 'Do not commit and do not abort the merge: agentctl commits your changes when you end, which concludes the merge. Then your branch is merged and tested again.';
  if (r.breakage.kind === 'conflict') {
    return [
      head,
      `Merging it conflicted with ${r.into} and the runs landed before it in: ${r.breakage.files.join(', ')}.`,
      `That merge is now under way in your worktree (${wt.path}): ${conflicts.length ? `${list(conflicts)} hold${conflicts.length === 1 ? 's' : ''} conflict markers` : 'the files are staged'}. Resolve every conflict so that both sides' intent is kept, and check that the project still builds and its tests pass.`,
      noCommit,
      '',
      '--- the conflicts ---',
      r.breakage.excerpts,
      '--- end of the conflicts ---',
      '',
    ].join('\n');
  }
  const t = r.breakage.test;
  const how = t.timed_out ? `did not finish in time (killed after ${t.duration_s}s)` : `failed (exit ${t.exit_code ?? 'none'})`;
  return [
    head,
    `Once merged, the test command \`${t.command}\` ${how}.`,
    `What landed before your branch is now being merged into your worktree (${wt.path}), so it holds exactly the state whose tests failed. Find the cause and fix it so that \`${t.command}\` passes there.`,
    noCommit,
    '',
    `--- the last lines of the test output (all of it: ${t.log}) ---`,
    logTail(t.log),
    '--- end of the test output ---',
    '',
  ].join('\n');
}
