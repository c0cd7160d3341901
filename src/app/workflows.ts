// Workflows for the front-ends: start one (or plan it), resume, cancel, read, list and wait.
// Reading a workflow whose driver died starts a new driver (with the reader's environment):
// a workflow goes on after a crash as soon as anyone looks at it.
import { cancelWorkflow, continueIfOrphaned, reopenWorkflow, spawnDriver } from '../core/workflows/control.js';
import { driveWorkflow } from '../core/workflows/engine.js';
import { buildReport, reportMarkdown, workflowExitCode } from '../core/workflows/report.js';
import { createWorkflow, type Plan, planWorkflow } from '../core/workflows/start.js';
import { driverAlive, isFinished, listWorkflows as listRecords, readWorkflow, workflowFiles } from '../core/workflows/store.js';
import { isWorkflowId, type WorkflowRecord } from '../core/workflows/types.js';
import { AppError } from '../core/sys/errors.js';
import { setLongTimeout } from '../core/sys/duration.js';
import { onChanges } from '../core/sys/follow.js';
import { trace } from '../core/sys/trace.js';
import type { AppContext } from './context.js';
import type { WorkflowView } from './workflow-views.js';

export { isWorkflowId };
export type { Plan };

export interface WorkflowOptions {
  name: string;
  project?: string;
  /** A string as typed on a command line is accepted. */
  maxIterations?: number | string;
  budgetUsd?: number;
}

function request(ctx: AppContext, o: WorkflowOptions) {
  const n = o.maxIterations === undefined ? undefined : Number(o.maxIterations);
  return { home: ctx.home, env: ctx.env, cwd: ctx.cwd, name: o.name, project: o.project, maxIterations: n, budgetUsd: o.budgetUsd };
}

/** What `--dry-run` prints: the steps, profiles, missing CLIs and budget; nothing is started. */
export function planFor(ctx: AppContext, o: WorkflowOptions): Plan {
  return planWorkflow(request(ctx, o)).plan;
}

/** Start a workflow; the task is asked for once the workflow is known to exist. Returns at once. */
export async function runWorkflow(ctx: AppContext, o: WorkflowOptions, task: () => string | Promise<string>): Promise<WorkflowView> {
  const req = request(ctx, o);
  planWorkflow(req); // an unknown workflow or a bad file is said before stdin is read
  return workflowView(ctx, createWorkflow(req, await task()));
}

/** A workflow as list, wait and workflow_status show it. */
export function workflowView(ctx: AppContext, r: WorkflowRecord): WorkflowView {
  const runs = r.iterations.flatMap((i) => i.runs);
  return {
    workflow_id: r.workflow_id,
    name: r.name,
    title: r.title,
    project: r.project,
    status: r.status,
    outcome: r.outcome,
    goal_met: r.outcome === 'goal_met',
    stop_reason: r.stop_reason,
    iteration: r.iterations.at(-1)?.n ?? 0,
    max_iterations: r.max_iterations,
    steps_run: runs.length,
    running: runs.filter((s) => s.outcome === null).map((s) => s.run_id),
    open_findings: r.findings.filter((f) => f.closed_in === null).length,
    findings: r.findings.length,
    cost_usd: r.cost_usd ?? buildReport(r).cost_usd,
    branch: r.worktree?.branch ?? null,
    worktree: r.worktree?.cwd ?? null,
    created_at: r.created_at,
    ended_at: r.ended_at,
    exit_code: isFinished(r) ? workflowExitCode(r) : null,
    report: isFinished(r) ? workflowFiles(ctx.home, r.workflow_id).reportMd : null,
  };
}
export type { WorkflowView };

/** The record as it stands; a workflow whose driver died gets a new one (noted in its view). */
export function openWorkflow(ctx: AppContext, id: string): WorkflowRecord {
  const rec = readWorkflow(ctx.home, id);
  continueIfOrphaned(ctx.home, rec, ctx.env);
  return rec;
}

/** `show ID` for a workflow: the whole record, its report so far and its files. */
export function workflowStatus(ctx: AppContext, id: string) {
  const rec = openWorkflow(ctx, id);
  const files = workflowFiles(ctx.home, id);
  return { ...workflowView(ctx, rec), driver_alive: driverAlive(ctx.home, id), report_so_far: buildReport(rec), files: { dir: files.dir, task: files.task, report_md: files.reportMd, report_json: files.reportJson, driver_log: files.driverLog } };
}

/** `logs ID` for a workflow: its report so far, as Markdown lines. */
export function workflowLogLines(ctx: AppContext, id: string): string[] {
  return reportMarkdown(buildReport(openWorkflow(ctx, id))).trimEnd().split('\n');
}

export function listWorkflowViews(ctx: AppContext, o: { limit?: number } = {}): WorkflowView[] {
  const recs = listRecords(ctx.ws);
  for (const r of recs) continueIfOrphaned(ctx.home, r, ctx.env);
  return recs.slice(0, o.limit || undefined).map((r) => workflowView(ctx, r));
}

/**
 * `workflow resume ID`: a workflow whose driver is gone goes on from its last finished step;
 * one that stopped short (a failed step, its budget, a cancel) is reopened first, its failed
 * steps tried once more, with budgetUsd as its new budget when given.
 */
export function resumeWorkflow(ctx: AppContext, id: string, o: { budgetUsd?: number } = {}): WorkflowView {
  if (!isFinished(readWorkflow(ctx.home, id)) && driverAlive(ctx.home, id)) throw new AppError(`workflow ${id} is still being driven`, { fix: `wait for it ("{cmd:wait ${id}}")` });
  const rec = reopenWorkflow(ctx.home, id, o);
  spawnDriver(ctx.home, id, ctx.env);
  return workflowView(ctx, rec);
}

export async function cancelWorkflowById(ctx: AppContext, id: string): Promise<WorkflowView> {
  return workflowView(ctx, await cancelWorkflow(ctx.ws, ctx.configOrNull(), ctx.env, id));
}

/** The hidden `_workflow ID` command's body. */
export function driveWorkflowHere(ctx: AppContext, id: string): Promise<void> {
  return driveWorkflow(ctx.home, id, ctx.env);
}

export interface WorkflowWait {
  lines: WorkflowView[];
  code: number;
  timedOut: boolean;
  pending: string[];
}

/** Wait for workflows to end: a watch on their records, and a timer that finds dead drivers. */
export async function waitForWorkflows(ctx: AppContext, o: { ids: string[]; timeoutS: number | null; any?: boolean; signal?: AbortSignal }): Promise<WorkflowWait> {
  const bad = o.ids.find((id) => !isWorkflowId(id));
  if (bad) throw new AppError(`${bad} is a run id: wait for runs and workflows in separate calls`, { fix: `"{cmd:wait ${bad}}" for the run` });
  const ids = [...new Set(o.ids)];
  for (const id of ids) readWorkflow(ctx.home, id); // unknown ids fail before waiting
  const done = () => {
    const recs = ids.map((id) => openWorkflow(ctx, id));
    return { recs, over: o.any ? recs.some(isFinished) : recs.every(isFinished) };
  };
  let state = done();
  let timedOut = false;
  if (!state.over) {
    await new Promise<void>((resolve) => {
      let finished = false;
      const changes = onChanges(ids.map((id) => workflowFiles(ctx.home, id).record), () => look());
      const timer = setInterval(() => look(), 700);
      let cancelTimer: (() => void) | undefined;
      const end = (timeUp: boolean) => {
        if (finished) return;
        finished = true;
        timedOut = timeUp;
        clearInterval(timer);
        cancelTimer?.();
        o.signal?.removeEventListener('abort', abort);
        void changes.stop().then(() => resolve());
      };
      const abort = () => end(true);
      function look() {
        if (finished) return;
        try {
          state = done();
        } catch {
          return; // a record being rewritten: the next event reads it whole
        }
        if (state.over) end(false);
      }
      trace('watching');
      if (o.timeoutS !== null) cancelTimer = setLongTimeout(() => end(true), o.timeoutS * 1000);
      if (o.signal?.aborted) end(true);
      else o.signal?.addEventListener('abort', abort, { once: true });
      look();
    });
    if (timedOut) state = done();
  }
  const shown = o.any && !timedOut ? state.recs.filter(isFinished).slice(0, 1) : state.recs;
  const codes = shown.map(workflowExitCode);
  const code = timedOut ? 5 : Math.max(0, ...codes);
  return { lines: shown.map((r) => workflowView(ctx, r)), code, timedOut, pending: state.recs.filter((r) => !isFinished(r)).map((r) => r.workflow_id) };
}
