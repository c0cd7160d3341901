// Where a worker's pane goes: beside the orchestrator up to max_panes_per_window workers (in a
// column that leaves the orchestrator its width), else an agents window (agents, agents-2, ...), or a window of its own when asked. The tmux calls go through tmux.ts; this
// module decides, and remembers where the next worker would go (.locks/next-split.json) so a
// start usually needs one tmux call.
import { rmSync } from 'node:fs';
import type { LoadedConfig } from '../workspace/config.js';
import { AppError } from '../sys/errors.js';
import { readFileOrNull, withLock, writeFileAtomic } from '../sys/fsutil.js';
import type { Meta } from '../runs/meta.js';
import type { Workspace } from '../workspace/paths.js';
import type { NewPane, PaneInfo, Tmux } from './tmux.js';
import { isRecordedPane } from './wake.js';

export interface Placement {
  /** Put the run in a window of its own. */
  window?: boolean;
  /** Split this pane's window instead of the orchestrator's. */
  target?: string;
}

/** What placement needs of a start: where its caller asked for the pane, and the caller's environment (its own pane). */
export interface PlaceRequest {
  placement?: Placement;
  env: NodeJS.ProcessEnv;
}

export interface Placed {
  pane: string;
  session: string;
  placement: NonNullable<Meta['tmux']['placement']>;
}

/**
 * Where the next worker goes when nothing has changed since the last start: learnt by each
 * placement, so a start usually takes one tmux call (the split) instead of two (look, then
 * split). Kept only for the first choices (beside the orchestrator; an agents window when there
 * is none), valid only for the same tmux server instance and the same placement settings.
 * `count` can only be too high (panes close, none open but ours), so trusting it never
 * overfills a window; when it says full, or the split fails, placement looks again.
 */
interface NextSplit {
  server: string;
  key: string;
  session: string;
  target: string;
  horizontal: boolean;
  count: number;
  placement: 'split' | 'agents-window';
  /** split: the orchestrator's pane, whose width each split keeps. */
  orchestrator?: string;
}

/**
 * Where a worker's pane goes: its own window when asked; else beside the orchestrator (the
 * wake-up pane, or the caller's pane on this server) up to max_panes_per_window workers; else
 * an agents window. Serialised, so parallel starts never overfill a window.
 */
export function placePane(tmux: Tmux, cfg: LoadedConfig, ws: Workspace, req: PlaceRequest, command: string[], cwd: string, label: string): Placed {
  return withLock(`${ws.locks}/tmux.lock`, () => {
    const planFile = `${ws.locks}/next-split.json`;
    const server = req.placement?.window ? null : tmux.serverIdentity();
    const candidates = orchestratorCandidates(tmux, cfg, req);
    const key = JSON.stringify([candidates, cfg.tmux_session, cfg.agents_window, cfg.max_panes_per_window]);
    const plan = server ? readPlan(planFile) : null;
    if (plan && plan.server === server && plan.key === key && plan.count < cfg.max_panes_per_window) {
      try {
        const made = tmux.splitWindow({ target: plan.target, cwd, command, horizontal: plan.horizontal });
        if (plan.placement === 'split' && plan.orchestrator) tmux.spreadKeepingWidth(made.paneId, plan.orchestrator);
        writePlan(planFile, nextPlan(plan, made));
        return { pane: made.paneId, session: plan.session, placement: plan.placement };
      } catch {
        // the pane or window planned on is gone: look at the server as it is now
      }
    }
    let placed: PlaceResult;
    try {
      placed = place(tmux, cfg, req, candidates, command, cwd, label);
    } catch {
      // a worker that just ended may have closed the pane or window chosen (a finished
      // run's pane closes): look again, once; a lasting problem fails the same way twice
      placed = place(tmux, cfg, req, candidates, command, cwd, label);
    }
    const now = placed.next && tmux.serverIdentity();
    if (placed.next && now) writePlan(planFile, { ...placed.next, server: now, key });
    else if (!req.placement?.window) rmSync(planFile, { force: true }); // a run in its own window changes no plan
    return { pane: placed.pane, session: placed.session, placement: placed.placement };
  });
}

function readPlan(file: string): NextSplit | null {
  try {
    return JSON.parse(readFileOrNull(file) ?? 'null') as NextSplit | null;
  } catch {
    return null; // not JSON (edited by hand?): placement looks again
  }
}

function writePlan(file: string, plan: NextSplit): void {
  writeFileAtomic(file, JSON.stringify(plan));
}

/** After a planned split: beside the orchestrator the new pane is now the last worker. */
function nextPlan(plan: NextSplit, made: NewPane): NextSplit {
  return plan.placement === 'split'
    ? { ...plan, target: made.paneId, horizontal: false, count: plan.count + 1 }
    : { ...plan, horizontal: made.windowPanes % 2 === 1, count: made.windowPanes };
}

type PlaceResult = Placed & { next: Omit<NextSplit, 'server' | 'key'> | null };

/** label: the run id, or an instance id (i-xxxxxx, its own window's name as it is). */
function place(tmux: Tmux, cfg: LoadedConfig, req: PlaceRequest, candidates: string[], command: string[], cwd: string, label: string): PlaceResult {
  const windowName = label.startsWith('i-') ? label : `run-${label.slice(-8)}`;
  const orch = orchestratorWindow(tmux, cfg, req, candidates);
  if (req.placement?.window) {
    const session = orch?.[0]?.sessionName ?? cfg.tmux_session;
    if (tmux.listWindows(session) === null) return { pane: tmux.newSession({ session, windowName, cwd, command }).paneId, session, placement: 'new-session', next: null };
    return { pane: tmux.newWindow({ session, windowName, cwd, command }).paneId, session, placement: 'own-window', next: null };
  }
  if (orch) {
    const [me, workers] = [orch[0]!, orch.filter((p) => /\b_(supervise|instance)\b/.test(p.startCommand))];
    const last = workers[workers.length - 1];
    // the first worker opens a column beside the orchestrator, as wide as the orchestrator can
    // spare; the next ones split that column, so the orchestrator keeps its width
    const columns = last ? 0 : workerColumns(req.placement?.target ? 0 : cfg.orchestrator_min_width, me.width);
    if (workers.length < cfg.max_panes_per_window && (last || columns)) {
      const made = last
        ? tmux.splitWindow({ target: last.paneId, cwd, command, horizontal: false })
        : tmux.splitWindow({ target: me.paneId, cwd, command, horizontal: true, size: String(columns) });
      if (last) tmux.spreadKeepingWidth(made.paneId, me.paneId);
      const next = { session: me.sessionName, target: made.paneId, horizontal: false, count: workers.length + 1, placement: 'split' as const, orchestrator: me.paneId };
      return { pane: made.paneId, session: me.sessionName, placement: 'split', next };
    }
  }
  // an orchestrator window that is full is looked at again next time: it may have room by then
  const learn = !orch;
  const session = orch?.[0]?.sessionName ?? cfg.tmux_session;
  const windows = tmux.listWindows(session);
  const agentsWindow = (made: NewPane, placement: 'new-session' | 'agents-window'): PlaceResult => ({
    pane: made.paneId,
    session,
    placement,
    next: learn ? { session, target: made.windowId, horizontal: made.windowPanes % 2 === 1, count: made.windowPanes, placement: 'agents-window' } : null,
  });
  if (windows === null) return agentsWindow(tmux.newSession({ session, windowName: cfg.agents_window, cwd, command }), 'new-session');
  const win = windows.find((w) => isAgentsWindow(cfg.agents_window, w.name) && w.panes < cfg.max_panes_per_window);
  if (win) return agentsWindow(tmux.splitWindow({ target: win.windowId, cwd, command, horizontal: win.panes % 2 === 1 }), 'agents-window');
  return agentsWindow(tmux.newWindow({ session, windowName: freeAgentsName(cfg.agents_window, windows), cwd, command }), 'agents-window');
}

/** The narrowest worker column worth opening beside the orchestrator. */
const MIN_WORKER_COLUMNS = 20;

/**
 * Columns for the first worker beside an orchestrator pane `width` wide: what is left once the
 * orchestrator keeps half, and at least minWidth (orchestrator_min_width; none for a pane the
 * caller named with --target); 0 when that leaves too little.
 */
function workerColumns(minWidth: number, width: number): number {
  const keep = Math.max(minWidth, Math.ceil(width / 2));
  const columns = width - keep - 1; // one column is the border between them
  return columns >= MIN_WORKER_COLUMNS ? columns : 0;
}

/** Overflow windows are named agents, agents-2, agents-3, ...: one name each, to tell them apart. */
function isAgentsWindow(base: string, name: string): boolean {
  return name === base || (name.startsWith(`${base}-`) && /^[2-9]\d*$|^1\d+$/.test(name.slice(base.length + 1)));
}

function freeAgentsName(base: string, windows: { name: string }[]): string {
  const taken = new Set(windows.map((w) => w.name));
  let n = 1;
  while (taken.has(n === 1 ? base : `${base}-${n}`)) n++;
  return n === 1 ? base : `${base}-${n}`;
}

/** Panes that may be the orchestrator's, best first: --target, else the wake-up pane and the caller's pane on this server. */
function orchestratorCandidates(tmux: Tmux, cfg: LoadedConfig, req: PlaceRequest): string[] {
  if (req.placement?.target) return [req.placement.target];
  const candidates: string[] = [];
  if (cfg.tmux_sendkeys_target) candidates.push(cfg.tmux_sendkeys_target);
  if (req.env.TMUX_PANE && req.env.TMUX && sameServer(tmux, req.env.TMUX)) candidates.push(req.env.TMUX_PANE);
  return candidates;
}

/**
 * The orchestrator's pane first, then the other panes of its window; null when there is no
 * orchestrator pane on this server. One tmux call per candidate.
 */
function orchestratorWindow(tmux: Tmux, cfg: LoadedConfig, req: PlaceRequest, candidates: string[]): PaneInfo[] | null {
  for (const target of candidates) {
    const panes = tmux.listPanes(target);
    // list-panes -t PANE lists that pane's window; find the pane itself to know who is who
    const me = panes.find((p) => p.paneId === target) ?? (target.startsWith('%') ? undefined : panes.find((p) => p.active));
    // the wake-up pane's id may name another program's pane on a restarted server
    const recorded = target !== cfg.tmux_sendkeys_target || (me !== undefined && isRecordedPane(me, target, cfg.tmux_sendkeys_identity));
    if (me && !me.dead && recorded) return [me, ...panes.filter((p) => p !== me)];
  }
  if (req.placement?.target) throw new AppError(`tmux target ${req.placement.target} not found: give an existing pane (e.g. %3 or ai:0.1)`);
  return null;
}

/** $TMUX is "socket_path,pid,session": the caller's pane only counts on the server we use. */
function sameServer(tmux: Tmux, tmuxEnv: string): boolean {
  if (!tmux.sock.socket && !tmux.sock.socketName) return true;
  return tmux.isServerAt(tmuxEnv.split(',')[0] ?? '');
}

