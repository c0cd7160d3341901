// Cancelling a run: the supervisor is asked to stop (it kills the agent's tree and ends the run
// as cancelled); only when there is no live supervisor, or it does not finish in time, is what
// is left stopped and the run ended here.
import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LoadedConfig } from '../workspace/config.js';
import { AppError } from '../sys/errors.js';
import { type Meta, isEnded } from '../runs/meta.js';
import { runFiles, type Workspace } from '../workspace/paths.js';
import { killTree, running, sameProcessAlive } from '../sys/proctree.js';
import { openRun } from '../runs/repository.js';
import { readMeta } from '../runs/store.js';
import { tmuxFor } from '../tmux/tmux.js';
import { endRun } from './end.js';

const CANCEL_WAIT_MS = 10_000;

/** The record's last error for a cancel (recorded text, not an error shown: the command is named plainly). */
export const CANCELLED_BY_COMMAND = 'cancelled by agentctl cancel';

/** Cancel the run an id names (exact, prefix or suffix); returns its final record. */
export async function cancelRun(ws: Workspace, cfg: LoadedConfig | null, idOrPrefix: string): Promise<Meta> {
  let m = await openRun(ws, cfg, idOrPrefix);
  const id = m.run_id;
  if (isEnded(m)) throw new AppError(`run ${id} already ended (${m.outcome ?? m.status}): nothing to cancel`);
  // the supervisor tells a cancel from other SIGTERMs by this file
  writeFileSync(runFiles(ws.home, id).cancel, new Date().toISOString());

  const sup = m.pids.supervisor;
  if (m.status === 'running' && sup && sameProcessAlive(sup, m.pids.supervisor_start) && running(sup)) {
    process.kill(sup, 'SIGTERM');
    const deadline = Date.now() + CANCEL_WAIT_MS;
    while (Date.now() < deadline) {
      m = readMeta(ws, id);
      if (isEnded(m)) return m;
      await sleep(25); // never blocks an MCP server's other calls
    }
  }
  // no supervisor (still pending, or stuck): stop what is left, then end the run here
  const agent = m.pids.agent;
  if (agent && sameProcessAlive(agent, m.pids.agent_start)) await killTree(agent, 2000);
  if (sup && sameProcessAlive(sup, m.pids.supervisor_start)) await killTree(sup, 1000);
  if (m.status === 'pending' && m.tmux.pane) tmuxFor(m).killPane(m.tmux.pane);
  const ended = await endRun(ws, cfg, id, { outcome: 'cancelled', reason: CANCELLED_BY_COMMAND, summary: 'cancelled before it finished' }, { events: ['cancel'], wake: true });
  return ended.meta;
}
