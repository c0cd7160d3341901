// Cancelling a run: the one place that stops a worker on request and records it.
import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../core/sys/errors.js';
import { tmuxFor } from '../core/lifecycle/liveness.js';
import { type Meta, isEnded } from '../core/runs/meta.js';
import { appendNotification, notification } from '../core/lifecycle/notify.js';
import { runFiles } from '../core/workspace/paths.js';
import { killTree, running, sameProcessAlive } from '../core/sys/proctree.js';
import { readMeta, updateMeta } from '../core/runs/store.js';
import type { AppContext } from './context.js';
import { openRun } from './runs.js';

const CANCEL_WAIT_MS = 10_000;

/**
 * Ask the supervisor to stop (it kills the agent's tree and records the outcome); when there
 * is no live supervisor, stop what is left and record the cancel here. Returns the final record.
 */
export async function cancelRun(ctx: AppContext, query: string): Promise<Meta> {
  const { ws } = ctx;
  // as it stands: a dead worker is cancelled (what is left of it stopped), not reported lost
  let m = await openRun(ctx, query, { liveness: false });
  const id = m.run_id;
  if (isEnded(m)) throw new AppError(`run ${id} already ended (${m.outcome ?? m.status}): nothing to cancel`);
  writeFileSync(runFiles(ws.home, id).cancel, new Date().toISOString());

  const sup = m.pids.supervisor;
  if (m.status === 'running' && sup && sameProcessAlive(sup, m.pids.supervisor_start) && running(sup)) {
    process.kill(sup, 'SIGTERM');
    const deadline = Date.now() + CANCEL_WAIT_MS;
    while (Date.now() < deadline) {
      m = readMeta(ws, id);
      if (isEnded(m)) break;
      await sleep(25); // never blocks an MCP server's other calls
    }
  }
  if (!isEnded(m)) {
    // no supervisor (still pending, or dead, or stuck): finish the job here
    const agent = m.pids.agent;
    if (agent && sameProcessAlive(agent, m.pids.agent_start)) await killTree(agent, 2000);
    if (sup && sameProcessAlive(sup, m.pids.supervisor_start)) await killTree(sup, 1000);
    if (m.status === 'pending' && m.tmux.pane) tmuxFor(m).killPane(m.tmux.pane);
    m = updateMeta(ws, id, (cur) => {
      if (isEnded(cur)) return cur;
      cur.status = 'finished';
      cur.outcome = 'cancelled';
      cur.goal_met = false;
      cur.ended_at = new Date().toISOString();
      cur.errors.push('cancelled by agentctl cancel');
      cur.summary ??= 'cancelled before it finished';
    });
  }
  appendNotification(ws, notification('cancel', m));
  return m;
}
