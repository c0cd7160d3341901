// Noticing runs whose supervisor or pane died. Short-lived commands (wait, show, list) check
// the recorded supervisor pid; a run still pending is checked against its tmux pane.
import { rmSync } from 'node:fs';
import type { LoadedConfig } from '../workspace/config.js';
import { type Meta, isEnded } from '../runs/meta.js';
import { appendNotification, notification, tmuxNotify } from './notify.js';
import { runFiles, type Workspace } from '../workspace/paths.js';
import { killTree, running, sameProcessAlive } from '../sys/proctree.js';
import { updateMeta } from '../runs/store.js';
import { Tmux } from '../tmux/tmux.js';

/** How long a run may stay pending (supervisor not yet running) before its pane is checked. */
const PENDING_GRACE_MS = 1500;
/** A pending run whose pane still exists but whose supervisor never started. */
const PENDING_GIVE_UP_MS = 60_000;

export function tmuxFor(m: Meta): Tmux {
  return new Tmux({ socket: m.tmux.socket, socketName: m.tmux.socket_name });
}

/** Why the run is dead, or null while it may still be alive. */
export function deathReason(m: Meta, now = Date.now()): string | null {
  if (m.status === 'running') {
    const pid = m.pids.supervisor;
    if (pid && !(sameProcessAlive(pid, m.pids.supervisor_start) && running(pid))) return `supervisor process ${pid} died (killed, or its pane or tmux server went away)`;
    return null;
  }
  if (m.status === 'pending') {
    const age = now - Date.parse(m.created_at);
    if (age < PENDING_GRACE_MS) return null;
    if (m.tmux.pane) {
      const info = tmuxFor(m).paneInfo(m.tmux.pane);
      if (!info || info.paneId !== m.tmux.pane || info.dead) return `worker pane ${m.tmux.pane} is gone and the supervisor never started`;
    }
    if (age > PENDING_GIVE_UP_MS) return 'the supervisor never started in the worker pane';
  }
  return null;
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
  let changed = false;
  const m = updateMeta(ws, runId, (cur) => {
    if (isEnded(cur) || (!force && deathReason(cur) === null)) return cur; // it ended or came alive meanwhile
    changed = true;
    cur.status = 'lost';
    cur.outcome = 'lost';
    cur.goal_met = false;
    cur.ended_at = new Date().toISOString();
    cur.errors.push(reason);
    cur.summary ??= `run lost: ${reason}`;
  });
  if (!changed) return m;
  rmSync(runFiles(ws.home, runId).env, { force: true });
  if (m.pids.agent && sameProcessAlive(m.pids.agent, m.pids.agent_start)) await killTree(m.pids.agent, 1000);
  appendNotification(ws, notification('lost', m));
  if (cfg) await tmuxNotify(ws, cfg, tmuxFor(m), m, { wake: true });
  return m;
}
