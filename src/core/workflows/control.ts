// Starting, continuing and stopping a workflow's driver from outside it: the detached
// `_workflow` process, the check that finds a dead one, and cancel.
import { spawn } from 'node:child_process';
import { closeSync, openSync, rmSync } from 'node:fs';
import { cancelRun } from '../lifecycle/cancel.js';
import { AppError } from '../sys/errors.js';
import { writeFileAtomic } from '../sys/fsutil.js';
import { selfCommand } from '../sys/self.js';
import type { LoadedConfig } from '../workspace/config.js';
import type { Workspace } from '../workspace/paths.js';
import { stepOk } from './engine.js';
import { finishWorkflow } from './report.js';
import { driverAlive, isFinished, readWorkflow, updateWorkflow, workflowFiles } from './store.js';
import type { WorkflowRecord } from './types.js';

/** How long a new workflow's first driver may take to hold its lock before others start one. */
const DRIVER_START_GRACE_MS = 10_000;

/** Start the driver as a detached process of its own (not a pane: steps get the panes; it has nothing to show). */
export function spawnDriver(home: string, id: string, env: NodeJS.ProcessEnv): void {
  const files = workflowFiles(home, id);
  const log = openSync(files.driverLog, 'a', 0o600);
  try {
    const [cmd, ...args] = selfCommand(env);
    // the MCP server's token is its own (see launch.ts): the driver and its steps never get it
    const { AGENTCTL_MCP_TOKEN: _token, ...driverEnv } = env;
    const child = spawn(cmd!, [...args, '_workflow', id, '--home', home], { detached: true, stdio: ['ignore', log, log], env: driverEnv, cwd: home });
    child.unref();
  } finally {
    closeSync(log);
  }
}

/** A workflow whose driver is gone while it is not finished gets a new one; true when one was started. */
export function continueIfOrphaned(home: string, rec: WorkflowRecord, env: NodeJS.ProcessEnv): boolean {
  if (isFinished(rec) || driverAlive(home, rec.workflow_id)) return false;
  // just started: its first driver may not have taken its lock yet
  if (rec.driver.pid === null && Date.now() - Date.parse(rec.created_at) < DRIVER_START_GRACE_MS) return false;
  spawnDriver(home, rec.workflow_id, env);
  return true;
}

/** Stop a workflow: no further step starts, the steps at work are cancelled, and it ends as cancelled. */
export async function cancelWorkflow(ws: Workspace, cfg: LoadedConfig | null, env: NodeJS.ProcessEnv, id: string): Promise<WorkflowRecord> {
  const rec = readWorkflow(ws.home, id);
  if (isFinished(rec)) throw new AppError(`workflow ${id} already ended (${rec.outcome})`, { fix: `see "{cmd:show ${id}}"` });
  writeFileAtomic(workflowFiles(ws.home, id).cancel, '', 0o600);
  for (const run of rec.iterations.flatMap((i) => i.runs)) {
    if (run.outcome !== null) continue;
    await cancelRun(ws, cfg, run.run_id).catch(() => {}); // ended meanwhile: nothing to stop
  }
  return finishWorkflow(ws, cfg, env, id, 'cancelled', 'cancelled before it finished');
}

/** Outcomes a resume may go on from: the task is not done, and what stopped it can be fixed. */
const RESUMABLE = ['step_failed', 'budget_exceeded', 'cancelled'];

/**
 * Reopen a workflow that stopped short (a failed step, its budget, a cancel) so a new driver
 * goes on from its last finished step: failed steps get one more attempt; budgetUsd replaces
 * its budget. A workflow that met its goal, or ran all its iterations, is not reopened.
 */
export function reopenWorkflow(home: string, id: string, o: { budgetUsd?: number }): WorkflowRecord {
  return updateWorkflow(home, id, (r) => {
    if (!isFinished(r)) return;
    if (!RESUMABLE.includes(r.outcome ?? '')) {
      throw new AppError(`workflow ${id} already ended (${r.outcome}: ${r.stop_reason})`, { fix: `start it again with "{cmd:workflow run ${r.name}}"` });
    }
    const it = r.iterations.at(-1);
    if (it) {
      const failed = [...new Set(it.runs.filter((s) => s.outcome !== null && !stepOk(s)).map((s) => s.step))];
      it.retry = [...new Set([...(it.retry ?? []), ...failed])];
    }
    r.errors.push(`resumed after ${r.outcome}: ${r.stop_reason}`);
    r.status = 'running';
    r.outcome = null;
    r.stop_reason = null;
    r.ended_at = null;
    if (o.budgetUsd !== undefined) r.budget_usd = o.budgetUsd;
    rmSync(workflowFiles(home, id).cancel, { force: true });
  });
}
