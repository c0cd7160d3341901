// `clean --panes`: close the worker panes kept on screen for inspection (remain-on-exit) once
// their runs have ended. Never a pane whose run is still going, nor one agentctl did not make.
import { isEnded, type Meta } from '../core/runs/meta.js';
import { type PaneInfo, tmuxFor } from '../core/tmux/tmux.js';
import type { AppContext } from './context.js';
import { recentRuns } from './runs.js';

export interface ClosedPane {
  run_id: string;
  pane: string;
}

/** Close (or with dryRun, list) the dead panes of ended runs; one tmux listing per server. */
export async function closeEndedPanes(ctx: AppContext, o: { dryRun: boolean }): Promise<ClosedPane[]> {
  const closed: ClosedPane[] = [];
  const servers = new Map<string, PaneInfo[]>();
  for await (const entry of recentRuns(ctx, { liveness: false })) {
    if ('corrupt' in entry || !entry.meta.tmux.pane || !isEnded(entry.meta)) continue;
    const m = entry.meta;
    const tmux = tmuxFor(m);
    const key = JSON.stringify([m.tmux.socket, m.tmux.socket_name]);
    if (!servers.has(key)) servers.set(key, tmux.listAllPanes());
    const pane = servers.get(key)!.find((p) => p.paneId === m.tmux.pane);
    if (!pane || !madeFor(pane, m)) continue;
    if (o.dryRun || tmux.killPane(pane.paneId)) closed.push({ run_id: m.run_id, pane: pane.paneId });
  }
  return closed;
}

/**
 * Whether a pane is this run's, kept after it ended: dead, and started as this run's supervisor
 * (pane ids start over on a new tmux server, so the id alone may name someone else's pane).
 */
function madeFor(pane: PaneInfo, m: Meta): boolean {
  return pane.dead && /(^|\s|")_supervise"?\s/.test(pane.startCommand) && pane.startCommand.includes(m.run_id);
}
