// Noticing runs whose supervisor or pane died. Short-lived commands (wait, show, list) check
// the recorded supervisor pid; a run still pending is checked against its tmux pane.
import { rmSync } from 'node:fs';
import type { LoadedConfig } from '../workspace/config.js';
import { type Meta, isEnded } from '../runs/meta.js';
import { endRun } from './end.js';
import { runFiles, type Workspace } from '../workspace/paths.js';
import { killTree, running, sameProcessAlive } from '../sys/proctree.js';
import { tmuxFor } from '../tmux/tmux.js';

/** How long a run may stay pending (supervisor not yet running) before its pane is checked. */
const PENDING_GRACE_MS = 1500;
/** A pending run whose pane still exists but whose supervisor never started. */
const PENDING_GIVE_UP_MS = 60_000;

/** Where a run's pane lives; the function is tmux.ts's, named here too for older importers. */

/** Why the run is dead, or null while it may still be alive. */
export function deathReason(m: Meta, now = Date.now()): string | null {
  if (m.status === 'running') {
    const pid = m.pids.supervisor;
    if (pid && !(sameProcessAlive(pid, m.pids.supervisor_start) && running(pid))) return `supervisor process ${pid} died (killed, or its pane or tmux server went away)`;
    return null;
  }
  if (m.status === 'pending') {
    const age = pendingAgeMs(m, now);
    if (age < PENDING_GRACE_MS) return null;
    if (m.tmux.pane) {
      const info = tmuxFor(m).paneInfo(m.tmux.pane);
      if (!info || info.paneId !== m.tmux.pane || info.dead) return `worker pane ${m.tmux.pane} is gone and the supervisor never started`;
    }
    if (age > PENDING_GIVE_UP_MS) return 'the supervisor never started in the worker pane';
  }
  return null;
}

/** When this process first saw each pending run whose creation date it cannot trust (monotonic ms). */
const firstSeenPending = new Map<string, number>();

/**
 * How long a pending run has waited for its supervisor. A record dated in the future (a clock
 * stepped back, a workspace from another machine) or undated tells nothing, and must not keep it
 * pending for ever: its age then counts from when this process first saw it.
 */
function pendingAgeMs(m: Meta, now: number): number {
  const age = now - Date.parse(m.created_at);
  if (age >= -PENDING_GRACE_MS) return age;
  const seen = firstSeenPending.get(m.run_id) ?? performance.now();
  firstSeenPending.set(m.run_id, seen);
  return performance.now() - seen;
}

/** Returns the record, marked lost (and its agent's process tree killed) when it is dead. */
export async function refreshLiveness(ws: Workspace, cfg: LoadedConfig | null, m: Meta): Promise<Meta> {
  if (isEnded(m)) return m;
  const reason = deathReason(m);
  if (!reason) return m;
  return markLost(ws, cfg, m.run_id, reason);
}

/** `force`: the caller knows the run is over (its own supervisor failed), alive or not. */
export async function markLost(ws: Workspace, cfg: LoadedConfig | null, runId: string, reason: string, force = false): Promise<Meta> {
  const { meta } = await endRun(ws, cfg, runId, { outcome: 'lost', reason, summary: `run lost: ${reason}` }, {
    events: ['lost'],
    wake: true,
    // it may have come alive meanwhile (a pending run's supervisor starting)
    mayEnd: (cur) => force || deathReason(cur) !== null,
    stopRemains: async (m) => {
      rmSync(runFiles(ws.home, runId).env, { force: true });
      if (m.pids.agent && sameProcessAlive(m.pids.agent, m.pids.agent_start)) await killTree(m.pids.agent, 1000);
    },
  });
  return meta;
}
