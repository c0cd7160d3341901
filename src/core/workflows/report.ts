// The end of a workflow: its report (report.json for programs, report.md for people), the
// notify.log line, the flash and the one wake-up line of the whole workflow.
import type { LoadedConfig } from '../workspace/config.js';
import { writeFileAtomic } from '../sys/fsutil.js';
import { appendNotification, type Notification, tmuxAnnounce } from '../lifecycle/notify.js';
import { socketFrom, Tmux } from '../tmux/tmux.js';
import { trace } from '../sys/trace.js';
import type { Workspace } from '../workspace/paths.js';
import { isFinished, updateWorkflow, workflowFiles } from './store.js';
import type { WorkflowOutcome, WorkflowRecord } from './types.js';

/** `wait`'s exit code for a workflow, the scale runs use: 0 goal met, 1 not met, 3 failed, 4 stopped. */
export function workflowExitCode(r: Pick<WorkflowRecord, 'status' | 'outcome'>): number {
  const codes: Record<WorkflowOutcome, number> = { goal_met: 0, goal_not_met: 1, step_failed: 3, budget_exceeded: 4, cancelled: 4 };
  return r.status === 'finished' && r.outcome ? codes[r.outcome] : 5;
}

export function totalCost(r: WorkflowRecord): number | null {
  const costs = r.iterations.flatMap((i) => i.runs.map((s) => s.cost_usd)).filter((c): c is number => c !== null);
  return costs.length ? Math.round(costs.reduce((a, b) => a + b, 0) * 1e6) / 1e6 : null;
}

/** The files the workflow changed: its branch against the base as the last step saw it, else every step's. */
export function filesChanged(r: WorkflowRecord): string[] {
  const runs = r.iterations.flatMap((i) => i.runs);
  return [...new Set(runs.flatMap((s) => s.files_changed ?? []))].sort();
}

export function buildReport(r: WorkflowRecord) {
  return {
    workflow_id: r.workflow_id,
    name: r.name,
    title: r.title,
    project: r.project,
    project_dir: r.project_dir,
    status: r.status,
    outcome: r.outcome,
    goal_met: r.outcome === 'goal_met',
    stop_reason: r.stop_reason,
    created_at: r.created_at,
    ended_at: r.ended_at,
    branch: r.worktree?.branch ?? null,
    worktree: r.worktree?.cwd ?? null,
    iterations: r.iterations.map((i) => ({ n: i.n, steps: i.runs, findings_opened: i.opened, findings_closed: i.closed })),
    findings: r.findings,
    open_findings: r.findings.filter((f) => f.closed_in === null).length,
    files_changed: filesChanged(r),
    cost_usd: totalCost(r),
    errors: r.errors,
  };
}
export type WorkflowReport = ReturnType<typeof buildReport>;

export function reportMarkdown(rep: WorkflowReport): string {
  const out = [
    `# Workflow ${rep.name} ${rep.workflow_id}: ${rep.outcome ?? rep.status}`,
    '',
    `Task: ${rep.title}`,
    `Stopped because: ${rep.stop_reason ?? '(still running)'}`,
    `Branch: ${rep.branch ?? '(none)'}${rep.worktree ? ` in ${rep.worktree}` : ''}`,
    `Cost: ${rep.cost_usd === null ? 'unknown' : `$${rep.cost_usd.toFixed(4)}`}`,
    '',
  ];
  for (const it of rep.iterations) {
    out.push(`## Iteration ${it.n}`, '', '| step | kind | profile | run | outcome | findings | cost |', '|---|---|---|---|---|---|---|');
    for (const s of it.steps) {
      out.push(`| ${s.step}${s.attempt > 1 ? ` (attempt ${s.attempt})` : ''} | ${s.kind} | ${s.profile} | ${s.run_id} | ${s.outcome ?? 'running'} | ${s.findings ?? ''} | ${s.cost_usd ?? ''} |`);
    }
    out.push('', `Findings opened: ${it.findings_opened.join(', ') || 'none'}; closed: ${it.findings_closed.join(', ') || 'none'}`, '');
  }
  if (rep.findings.length) {
    out.push('## Findings', '');
    for (const f of rep.findings) {
      const state = f.closed_in === null ? 'open' : `closed in iteration ${f.closed_in}`;
      out.push(`- ${f.id} [${f.severity}] ${f.file}${f.line !== null ? `:${f.line}` : ''} (${f.step}, iteration ${f.opened_in}; ${state}): ${f.text.replace(/\s+/g, ' ')}`);
    }
    out.push('');
  }
  out.push('## Files changed', '', ...(rep.files_changed.length ? rep.files_changed.map((f) => `- ${f}`) : ['(none)']), '');
  if (rep.errors.length) out.push('## Errors', '', ...rep.errors.map((e) => `- ${e}`), '');
  return out.join('\n');
}

export function writeReport(home: string, r: WorkflowRecord): WorkflowReport {
  const files = workflowFiles(home, r.workflow_id);
  const rep = buildReport(r);
  writeFileAtomic(files.reportJson, `${JSON.stringify(rep, null, 2)}\n`, 0o600);
  writeFileAtomic(files.reportMd, reportMarkdown(rep), 0o600);
  return rep;
}

/** The orchestrator's wake-up line for a workflow (orchestrator prompts match "[AI_ORCH DONE"). */
export function workflowWakeLine(r: WorkflowRecord): string {
  return `[AI_ORCH DONE workflow_id=${r.workflow_id} goal_met=${r.outcome === 'goal_met'} exit=${workflowExitCode(r)}]`;
}

function workflowNotification(r: WorkflowRecord, event: Notification['event']): Notification {
  return {
    ts: new Date().toISOString(),
    event,
    run_id: r.workflow_id,
    workflow_id: r.workflow_id,
    title: r.title,
    profile: `workflow ${r.name}`,
    project: r.project,
    status: r.status,
    outcome: r.outcome,
    goal_met: r.outcome === 'goal_met',
    exit_code: workflowExitCode(r),
    summary: r.stop_reason,
  };
}

/** notify.log, the flash, and the wake-up line: once, when the workflow ends. */
export async function announceWorkflowEnd(ws: Workspace, cfg: LoadedConfig | null, env: NodeJS.ProcessEnv, r: WorkflowRecord): Promise<string | null> {
  const failed = appendNotification(ws, workflowNotification(r, 'workflow'));
  if (cfg) {
    const flash = `agentctl: ${r.workflow_id} ${r.outcome} (workflow ${r.name}) ${r.title}`.slice(0, 200);
    await tmuxAnnounce(ws, cfg, new Tmux(socketFrom(cfg, env)), { flash, wakeLine: workflowWakeLine(r), buffer: `agentctl-${r.workflow_id}`, skipped: (reason) => void appendNotification(ws, { ...workflowNotification(r, 'wake_skipped'), reason }) }, { wake: true });
  }
  return failed;
}

/**
 * End the workflow (driver, cancel): the record, the report, notify.log and the wake-up line.
 * A workflow already finished is left as it is; returns the record as it now stands.
 */
export async function finishWorkflow(ws: Workspace, cfg: LoadedConfig | null, env: NodeJS.ProcessEnv, id: string, outcome: WorkflowOutcome, reason: string): Promise<WorkflowRecord> {
  let ended = false;
  const rec = updateWorkflow(ws.home, id, (r) => {
    if (isFinished(r)) return;
    ended = true;
    r.status = 'finished';
    r.outcome = outcome;
    r.stop_reason = reason;
    r.ended_at = new Date().toISOString();
    r.cost_usd = totalCost(r);
  });
  if (!ended) return rec;
  writeReport(ws.home, rec);
  const failed = await announceWorkflowEnd(ws, cfg, env, rec);
  trace('workflow finished');
  return failed ? updateWorkflow(ws.home, id, (r) => void r.errors.push(failed)) : rec;
}
