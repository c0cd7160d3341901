// One list of everything at work, for people: runs (and, where they exist, persistent instances
// and workflows) newest first, each reduced to the same row shape so `top` and the dashboard
// can show them side by side. Only as many records are read as the caller can show.
import { isEnded, type Meta } from '../core/runs/meta.js';
import { durationSeconds } from '../core/runs/result.js';
import type { AppContext } from './context.js';
import { recentRuns } from './runs.js';

export type RowKind = 'run' | 'instance' | 'workflow';

/** How a row's state reads at a glance: drives colour, and the "needs you" count. */
export type Tone = 'active' | 'attention' | 'good' | 'bad' | 'quiet';

export interface OverviewRow {
  kind: RowKind;
  id: string;
  /** The word shown: a run's outcome (or status while it runs), an instance's status, a workflow's state. */
  state: string;
  tone: Tone;
  title: string;
  project: string | null;
  /** profile/agent of a run; role/agent of an instance; the workflow's name. */
  who: string;
  created_at: string;
  ended_at: string | null;
  duration_s: number | null;
  cost_usd: number | null;
  /** The cost was estimated from tokens (the agent reported none). */
  cost_estimated: boolean;
  /** An instance's current turn or pending question; a workflow's step and iteration. */
  detail: string | null;
  /** Where its worker lives, to jump there. */
  pane: { pane: string; socket: string | null; socket_name: string | null } | null;
}

export interface OverviewRequest {
  /** Rows wanted (after filtering). */
  limit: number;
  project?: string;
  /** A state word (goal_met, running, needs_permission...) or a tone (active, attention, good, bad). */
  status?: string;
}

export interface Overview {
  rows: OverviewRow[];
  /** More matched than `limit`. */
  more: boolean;
  at: string;
}

export const TONES: readonly Tone[] = ['active', 'attention', 'good', 'bad', 'quiet'];

export function runTone(m: Meta): Tone {
  if (!isEnded(m)) return 'active';
  if (m.outcome === 'goal_met') return 'good';
  if (m.outcome === 'cancelled') return 'quiet';
  return 'bad';
}

export function runRow(m: Meta, now = Date.now()): OverviewRow {
  return {
    kind: 'run',
    id: m.run_id,
    state: m.outcome ?? m.status,
    tone: runTone(m),
    title: m.title,
    project: m.project,
    who: m.profile === m.agent ? m.agent : `${m.profile}/${m.agent}`,
    created_at: m.created_at,
    ended_at: m.ended_at,
    duration_s: durationSeconds(m, now),
    cost_usd: m.cost_usd,
    cost_estimated: false,
    detail: m.escalated_to ? `escalated to ${m.escalated_to}` : null,
    pane: m.tmux.pane ? { pane: m.tmux.pane, socket: m.tmux.socket, socket_name: m.tmux.socket_name } : null,
  };
}

export function rowMatches(row: OverviewRow, req: Pick<OverviewRequest, 'project' | 'status'>): boolean {
  if (req.project && row.project !== req.project) return false;
  if (req.status && row.state !== req.status && row.tone !== req.status) return false;
  return true;
}

/** The newest rows of every kind, filtered, at most `limit` (runs read only until enough match). */
export async function overview(ctx: AppContext, req: OverviewRequest): Promise<Overview> {
  const now = Date.now();
  const rows: OverviewRow[] = [];
  let more = false;
  for await (const entry of recentRuns(ctx)) {
    if ('corrupt' in entry) continue;
    const row = runRow(entry.meta, now);
    if (!rowMatches(row, req)) continue;
    if (rows.length >= req.limit) {
      more = true;
      break;
    }
    rows.push(row);
  }
  rows.sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0));
  if (rows.length > req.limit) {
    rows.length = req.limit;
    more = true;
  }
  return { rows, more, at: new Date(now).toISOString() };
}
