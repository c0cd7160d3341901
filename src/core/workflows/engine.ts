// The workflow driver: the hidden `_workflow <id>` process that runs a workflow's steps as
// ordinary runs, one group at a time, in one worktree, until a stop condition, the last
// iteration, a failed step or the budget ends it. Everything it knows is in the record, written
// after each move, so a driver started again (resume, or whoever finds it dead) goes on from
// the last finished step: runs already started are waited for, not started twice.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, loadConfigOrNull, type LoadedConfig } from '../workspace/config.js';
import { startRun } from '../lifecycle/launch.js';
import { cancelRun } from '../lifecycle/cancel.js';
import { newRunId } from '../runs/ids.js';
import { type Meta, isEnded } from '../runs/meta.js';
import { openRun } from '../runs/repository.js';
import { watchRuns } from '../runs/watch.js';
import { readFileOrNull, tryHoldLock } from '../sys/fsutil.js';
import { procStartTime } from '../sys/proctree.js';
import { trace } from '../sys/trace.js';
import { runFiles, workspace, type Workspace } from '../workspace/paths.js';
import { applyReview, readReview, stepPrompt, stopReason } from './prompts.js';
import { finishWorkflow } from './report.js';
import { formatUsd, runCost } from '../budget/cost.js';
import { spent } from '../budget/spent.js';
import { isFinished, readWorkflow, updateWorkflow, workflowFiles } from './store.js';
import { isReview, type Iteration, type Step, type StepRun, type WorkflowOutcome, type WorkflowRecord } from './types.js';

/** How long a new driver waits for the lock of one that is finishing up. */
const LOCK_WAIT_MS = 20_000;

/** A lost step is started again once; a second loss ends the workflow. */
const MAX_ATTEMPTS = 2;

/** The driver's body: returns once the workflow is finished (or another driver holds it). */
export async function driveWorkflow(home: string, id: string, env: NodeJS.ProcessEnv): Promise<void> {
  const files = workflowFiles(home, id);
  // a driver still finishing (announcing the end a resume has just undone) holds the lock for
  // moments: wait for it; one at work for longer is the workflow's driver, and this one goes
  let held = tryHoldLock(files.driverLock);
  for (const until = Date.now() + LOCK_WAIT_MS; !held && Date.now() < until; held = tryHoldLock(files.driverLock)) {
    await new Promise((r) => setTimeout(r, 200));
  }
  if (!held) return;
  held.mark();
  const ws = workspace(home);
  try {
    const rec = updateWorkflow(home, id, (r) => {
      // a second driver started by two readers at once gets the lock only once the workflow
      // ended: it drove nothing and is no restart
      if (isFinished(r)) return;
      r.driver = { pid: process.pid, start: procStartTime(process.pid), restarts: r.driver.pid === null ? r.driver.restarts : r.driver.restarts + 1 };
    });
    if (isFinished(rec)) return;
    trace('workflow driving');
    await drive(ws, id, env);
  } catch (err) {
    await finishWorkflow(ws, loadConfigOrNull(ws), env, id, 'step_failed', `the workflow's driver failed: ${(err as Error).message}`).catch(() => {});
  } finally {
    held.release();
  }
}

/** The steps of group gi that run in iteration n (the first iteration runs all). */
export function stepsOf(rec: Pick<WorkflowRecord, 'definition'>, gi: number, n: number): Step[] {
  return rec.definition.groups[gi]!.filter((s) => n === 1 || s.repeat);
}

function latest(it: Iteration, step: Step): StepRun | undefined {
  return it.runs.filter((r) => r.step === step.name).at(-1);
}

async function drive(ws: Workspace, id: string, env: NodeJS.ProcessEnv): Promise<void> {
  const home = ws.home;
  const files = workflowFiles(home, id);
  const cfg = loadConfig(ws);
  for (;;) {
    const rec = readWorkflow(home, id);
    if (isFinished(rec)) return;
    if (existsSync(files.cancel)) return void (await finishWorkflow(ws, cfg, env, id, 'cancelled', 'cancelled before it finished'));
    const it = rec.iterations.at(-1);
    if (!it) {
      updateWorkflow(home, id, (r) => void r.iterations.push({ n: 1, done: [], runs: [], opened: [], closed: [] }));
      continue;
    }
    const gi = rec.definition.groups.findIndex((_, i) => !it.done.includes(i) && stepsOf(rec, i, it.n).length > 0);
    if (gi < 0) {
      const next = afterIteration(rec, it);
      if (next) return void (await finishWorkflow(ws, cfg, env, id, next.outcome, next.reason));
      updateWorkflow(home, id, (r) => void r.iterations.push({ n: it.n + 1, done: [], runs: [], opened: [], closed: [] }));
      continue;
    }
    const steps = stepsOf(rec, gi, it.n);
    const toStart = steps.filter((s) => {
      const r = latest(it, s);
      return !r || (r.outcome === 'lost' && r.attempt < MAX_ATTEMPTS) || (r.outcome !== null && !stepOk(r) && it.retry?.includes(s.name));
    });
    if (toStart.length) {
      const over = budgetProblem(ws, rec, cfg);
      if (over) return void (await finishWorkflow(ws, cfg, env, id, 'budget_exceeded', over));
      for (const step of toStart) {
        const problem = await startStep(ws, env, id, step);
        if (problem) return void (await finishWorkflow(ws, cfg, env, id, 'step_failed', problem));
      }
      continue;
    }
    const running = steps.map((s) => latest(it, s)!).filter((r) => r.outcome === null);
    if (settleVanished(home, id, it.n, running)) continue;
    if (running.length) {
      await waitEnded(ws, cfg, running.map((r) => r.run_id));
      for (const r of running) await recordEnded(ws, cfg, id, it.n, r.run_id);
      continue;
    }
    const runs = steps.map((s) => latest(it, s)!);
    const failed = runs.find((r) => !stepOk(r));
    if (failed?.outcome === 'budget_exceeded') {
      return void (await finishWorkflow(ws, cfg, env, id, 'budget_exceeded', `step ${failed.step} (run ${failed.run_id}) was stopped at its budget`));
    }
    if (failed) {
      const twice = failed.attempt > 1 ? ` on attempt ${failed.attempt}` : '';
      return void (await finishWorkflow(ws, cfg, env, id, 'step_failed', `step ${failed.step} (run ${failed.run_id}) ended ${failed.outcome}${twice}${failed.kind.includes('review') && failed.findings === null ? ' without a findings list' : ''}`));
    }
    const done = completeGroup(home, id, it.n, gi, runs);
    const reviews = runs.filter((r) => isReview(r.kind));
    if (reviews.length) {
      const reason = stopReason(done.definition.stop, {
        reported: reviews.reduce((a, r) => a + (r.findings ?? 0), 0),
        scores: reviews.map((r) => r.quality_score),
        open: done.findings.filter((f) => f.closed_in === null).length,
      });
      if (reason) return void (await finishWorkflow(ws, cfg, env, id, 'goal_met', reason));
    }
  }
}

/** A step that ended well: a review with a findings list (met or not), any other step with its goal met. */
export function stepOk(r: StepRun): boolean {
  if (isReview(r.kind)) return (r.outcome === 'goal_met' || r.outcome === 'goal_not_met') && r.findings !== null;
  return r.outcome === 'goal_met';
}

/** The group's reviews laid over the findings and the group marked done, in one write (resume-safe). */
function completeGroup(home: string, id: string, n: number, gi: number, runs: StepRun[]): WorkflowRecord {
  return updateWorkflow(home, id, (r) => {
    const it = r.iterations.find((i) => i.n === n)!;
    if (it.done.includes(gi)) return;
    for (const run of runs) {
      if (!isReview(run.kind)) continue;
      const review = readReview(readResult(home, run.run_id));
      if (!review) continue;
      const { opened, closed } = applyReview(r.findings, { step: run.step, iteration: n, runId: run.run_id, reported: review.findings });
      it.opened.push(...opened);
      it.closed.push(...closed);
    }
    it.done.push(gi);
  });
}

/** After an iteration's last group: finished (outcome and why), or null to run another. */
function afterIteration(rec: WorkflowRecord, it: Iteration): { outcome: WorkflowOutcome; reason: string } | null {
  const repeats = rec.definition.groups.some((g) => g.some((s) => s.repeat));
  const hasReviews = rec.definition.groups.some((g) => g.some((s) => isReview(s.kind)));
  const open = rec.findings.filter((f) => f.closed_in === null).length;
  if (repeats && it.n < rec.max_iterations) return null;
  const why = repeats ? `max_iterations ${rec.max_iterations} reached` : 'every step ran';
  if (!hasReviews) return { outcome: 'goal_met', reason: `${why}: every step met its goal` };
  if (open === 0) return { outcome: 'goal_met', reason: `${why} with no open findings` };
  return { outcome: 'goal_not_met', reason: `${why} with ${open} finding${open === 1 ? '' : 's'} open at the last review` };
}

/**
 * Why the next step must not start, or null: the workflow's budget (its own, else config's
 * budgets.per_workflow_usd) is spent, or the next step, at the average cost of the steps so far,
 * would go beyond it. What was spent counts every run of the workflow (core/budget), estimates too.
 */
export function budgetProblem(ws: Workspace, rec: WorkflowRecord, cfg: LoadedConfig): string | null {
  const limit = rec.budget_usd ?? cfg.budgets?.per_workflow_usd ?? null;
  if (limit === null) return null;
  const source = rec.budget_usd !== null ? 'the workflow\'s budget' : 'budgets.per_workflow_usd';
  const s = spent(ws, cfg, { workflow: rec.workflow_id });
  const steps = rec.iterations.flatMap((i) => i.runs).filter((r) => r.outcome !== null).length;
  const typical = steps ? s.usd / steps : 0;
  const used = formatUsd(s.usd, s.estimated);
  if (s.usd >= limit) return `${source} of ${formatUsd(limit)} is spent (${used})`;
  if (s.usd + typical > limit) return `the next step (about ${formatUsd(typical, true)}, the average so far) would go beyond ${source} of ${formatUsd(limit)} (${used} spent)`;
  return null;
}

/** Start one step as a run; the record names it before anything else happens. Returns a problem, or null. */
async function startStep(ws: Workspace, env: NodeJS.ProcessEnv, id: string, step: Step): Promise<string | null> {
  const home = ws.home;
  const files = workflowFiles(home, id);
  const rec = readWorkflow(home, id);
  const it = rec.iterations.at(-1)!;
  const attempt = (latest(it, step)?.attempt ?? 0) + 1;
  const prompt = stepPrompt({
    workflowId: id,
    workflowName: rec.name,
    task: readFileOrNull(files.task) ?? '',
    step,
    iteration: it.n,
    maxIterations: rec.max_iterations,
    previous: rec.iterations.flatMap((i) => i.runs),
    open: rec.findings.filter((f) => f.closed_in === null),
  });
  // the record names the run before it exists: a driver that dies while starting it leaves a
  // name a later driver finds without a run (see settleVanished), never a run nobody knows of
  const runId = newRunId();
  updateWorkflow(home, id, (r) => {
    const cur = r.iterations.find((i) => i.n === it.n)!;
    cur.retry = cur.retry?.filter((name) => name !== step.name);
    cur.runs.push({
      step: step.name, profile: step.profile, kind: step.kind, run_id: runId, attempt, outcome: null, summary: null, cost_usd: null, findings: null, quality_score: null, files_changed: null,
    });
  });
  let meta: Meta;
  try {
    ({ meta } = await startRun({
      runId,
      home,
      env,
      cwd: rec.project_dir,
      prompt,
      project: rec.project ?? rec.project_dir,
      profile: step.profile,
      title: `${rec.name}/${step.name} #${it.n}: ${rec.title}`.slice(0, 200),
      schemaFile: isReview(step.kind) ? files.findingsSchema : undefined,
      timeout: step.timeout ?? undefined,
      worktree: rec.worktree ? undefined : true,
      workflowId: id,
      sharedWorktree: rec.worktree,
    }));
  } catch (err) {
    const problem = `step ${step.name} could not start: ${(err as Error).message}`;
    setOutcome(home, id, it.n, runId, 'not_started');
    return problem;
  }
  const after = updateWorkflow(home, id, (r) => {
    if (!r.worktree && meta.worktree) r.worktree = meta.worktree;
  });
  trace(`workflow step ${step.name} started`);
  // cancelled while it was starting: the run must not outlive the workflow
  if (isFinished(after)) await cancelRun(ws, null, meta.run_id).catch(() => {});
  return null;
}

function setOutcome(home: string, id: string, n: number, runId: string, outcome: string): void {
  updateWorkflow(home, id, (r) => {
    r.iterations.find((i) => i.n === n)!.runs.find((x) => x.run_id === runId)!.outcome = outcome;
  });
}

/**
 * Step runs the record names that never came to exist (a driver died while starting them)
 * count as lost, so they are started again once; true when there was one.
 */
function settleVanished(home: string, id: string, n: number, running: StepRun[]): boolean {
  const gone = running.filter((r) => !existsSync(runFiles(home, r.run_id).dir) && !existsSync(join(home, 'runs', `.start-${r.run_id}`)));
  for (const r of gone) setOutcome(home, id, n, r.run_id, 'lost');
  return gone.length > 0;
}

function readResult(home: string, runId: string): unknown {
  try {
    return JSON.parse(readFileSync(runFiles(home, runId).result, 'utf8'));
  } catch {
    return null;
  }
}

/** What the record keeps of a step run that ended. */
async function recordEnded(ws: Workspace, cfg: LoadedConfig, id: string, n: number, runId: string): Promise<void> {
  const m = await openRun(ws, cfg, runId);
  const review = readReview(readResult(ws.home, runId));
  updateWorkflow(ws.home, id, (r) => {
    const run = r.iterations.find((i) => i.n === n)!.runs.find((x) => x.run_id === runId)!;
    run.outcome = m.outcome ?? m.status;
    run.summary = m.summary;
    run.cost_usd = runCost(m, cfg).usd;
    run.files_changed = m.worktree?.files_changed ?? m.git?.files_changed ?? null;
    if (isReview(run.kind) && review) {
      run.findings = review.findings.length;
      run.quality_score = review.quality;
    }
  });
}

/** Until every run named has ended (a watch on their records, with the liveness timer of `wait`). */
async function waitEnded(ws: Workspace, cfg: LoadedConfig, ids: string[]): Promise<void> {
  const allEnded = async () => {
    for (const id of ids) if (!isEnded(await openRun(ws, cfg, id))) return false;
    return true;
  };
  if (await allEnded()) return;
  await new Promise<void>((resolve, reject) => {
    let over = false;
    let busy = false;
    const watcher = watchRuns(ws, ids, () => {
      if (over || busy) return;
      busy = true;
      allEnded().then(
        (done) => {
          busy = false;
          if (done && !over) {
            over = true;
            void watcher.close().then(resolve, reject);
          }
        },
        (err: unknown) => {
          over = true;
          void watcher.close();
          reject(err as Error);
        },
      );
    });
  });
}

