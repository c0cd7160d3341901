// What /metrics and the cost chart need of every run, kept in memory: an ended run's record
// does not change what it contributes, so it is read once; only runs still going and runs new
// since the last look are read again. The first look reads every record (10,000 runs: a few
// hundred ms); after that a look costs a directory listing and the records that changed.
import type { AppContext } from '../app/context.js';
import { isEnded, type Meta } from '../core/runs/meta.js';
import { META_MAX_BYTES, runIdsNewestFirst } from '../core/runs/store.js';
import { readFileBounded } from '../core/sys/fsutil.js';
import { runFiles } from '../core/workspace/paths.js';

export interface RunStat {
  agent: string;
  profile: string;
  status: Meta['status'];
  outcome: string | null;
  created_at: string;
  ended: boolean;
  duration_s: number | null;
  cost_usd: number | null;
  tokens: Record<string, number>;
}

const TOKEN_KINDS = ['input', 'cached_input', 'cache_write_input', 'output', 'reasoning_output'] as const;

type StatFields = Pick<Meta, 'agent' | 'profile' | 'status' | 'outcome' | 'created_at' | 'started_at' | 'ended_at' | 'timings' | 'usage' | 'cost_usd'>;

/**
 * The fields a stat needs, without validating the whole record (the first look reads every
 * record: the full schema check would cost seconds with 10,000 runs); null when unreadable.
 */
function readStatFields(ctx: AppContext, runId: string): StatFields | null {
  try {
    const m = JSON.parse(readFileBounded(runFiles(ctx.home, runId).meta, META_MAX_BYTES) ?? 'null') as Partial<StatFields> | null;
    if (!m || typeof m.agent !== 'string' || typeof m.profile !== 'string' || typeof m.status !== 'string' || typeof m.created_at !== 'string') return null;
    return {
      agent: m.agent,
      profile: m.profile,
      status: m.status,
      outcome: typeof m.outcome === 'string' ? m.outcome : null,
      created_at: m.created_at,
      started_at: typeof m.started_at === 'string' ? m.started_at : null,
      ended_at: typeof m.ended_at === 'string' ? m.ended_at : null,
      timings: { queued_ms: null, duration_ms: typeof m.timings?.duration_ms === 'number' ? m.timings.duration_ms : null },
      usage: m.usage && typeof m.usage === 'object' ? m.usage : null,
      cost_usd: typeof m.cost_usd === 'number' && Number.isFinite(m.cost_usd) ? m.cost_usd : null,
    };
  } catch {
    return null;
  }
}

function statOf(m: StatFields): RunStat {
  const tokens: Record<string, number> = {};
  for (const k of TOKEN_KINDS) {
    const v = m.usage?.[`${k}_tokens`];
    if (typeof v === 'number' && Number.isFinite(v)) tokens[k] = v;
  }
  const ms = m.timings.duration_ms ?? (m.started_at && m.ended_at ? Date.parse(m.ended_at) - Date.parse(m.started_at) : null);
  return {
    agent: m.agent,
    profile: m.profile,
    status: m.status,
    outcome: m.outcome,
    created_at: m.created_at,
    ended: isEnded(m),
    duration_s: ms === null || !Number.isFinite(ms) ? null : ms / 1000,
    cost_usd: m.cost_usd,
    tokens,
  };
}

export class RunStats {
  private readonly byId = new Map<string, RunStat>();
  private dirty = true;

  /** Something changed on disk: the next look reads again what may have changed. */
  invalidate(): void {
    this.dirty = true;
  }

  /** Every run's stat (ids newest first). */
  all(ctx: AppContext): Map<string, RunStat> {
    if (!this.dirty) return this.byId;
    this.dirty = false;
    const ids = runIdsNewestFirst(ctx.ws);
    const present = new Set(ids);
    for (const id of this.byId.keys()) if (!present.has(id)) this.byId.delete(id);
    for (const id of ids) {
      const known = this.byId.get(id);
      if (known?.ended) continue;
      const m = readStatFields(ctx, id);
      if (m) this.byId.set(id, statOf(m));
      else this.byId.delete(id);
    }
    return this.byId;
  }
}
