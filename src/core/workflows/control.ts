// Starting, continuing and stopping a workflow's driver from outside it: the detached
// `_workflow` process, the check that finds a dead one, and cancel.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { cancelRun } from '../lifecycle/cancel.js';
import { AppError } from '../sys/errors.js';
import { writeFileAtomic } from '../sys/fsutil.js';
import { selfCommand } from '../sys/self.js';
import type { LoadedConfig } from '../workspace/config.js';
import type { Workspace } from '../workspace/paths.js';
import { finishWorkflow } from './report.js';
import { driverAlive, isFinished, readWorkflow, workflowFiles } from './store.js';
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
