// What was spent, from the run records, grouped as asked: the data behind `agentctl cost`.
import { costedRuns, projectKey } from '../core/budget/spent.js';
import { parseSince } from '../core/budget/since.js';
import type { Meta } from '../core/runs/meta.js';
import { AppError } from '../core/sys/errors.js';
import type { AppContext } from './context.js';

export const COST_GROUPS = ['project', 'profile', 'agent', 'workflow', 'model'] as const;
export type CostGroupBy = (typeof COST_GROUPS)[number];

export interface CostRequest {
  /** 7d, 12h, 2026-11-30, an ISO date and time, today; omitted: every run. */
  since?: string;
  by?: CostGroupBy;
}

export interface CostLine {
  /** The group's value (null: runs without one, e.g. no workflow); the total's is null. */
  key: string | null;
  runs: number;
  usd: number;
  /** Part of usd is estimated from tokens and the price table. */
  estimated: boolean;
  /** Runs without recorded usage: counted in runs, not in usd. */
  unknown_runs: number;
  input_tokens: number;
  cached_input_tokens: number;
  output_tokens: number;
}

export interface CostReport {
  by: CostGroupBy;
  since: string | null;
  groups: CostLine[];
  total: CostLine;
}

function keyOf(m: Meta, by: CostGroupBy): string | null {
  switch (by) {
    case 'project':
      return projectKey(m);
    case 'profile':
      return m.profile;
    case 'agent':
      return m.agent;
    case 'workflow':
      return m.workflow_id ?? null;
    case 'model':
      return m.model ?? null;
  }
}

const emptyLine = (key: string | null): CostLine => ({ key, runs: 0, usd: 0, estimated: false, unknown_runs: 0, input_tokens: 0, cached_input_tokens: 0, output_tokens: 0 });

/** Spending per group, most expensive first, and the total. */
export function costReport(ctx: AppContext, o: CostRequest = {}): CostReport {
  const by = o.by ?? 'project';
  if (!COST_GROUPS.includes(by)) throw new AppError(`invalid {opt:by} ${JSON.stringify(by)}: use one of ${COST_GROUPS.join(', ')}`);
  const since = o.since === undefined ? undefined : parseSince(o.since);
  const groups = new Map<string | null, CostLine>();
  const total = emptyLine(null);
  for (const { meta, cost } of costedRuns(ctx.ws, ctx.config(), { since })) {
    const key = keyOf(meta, by);
    let line = groups.get(key);
    if (!line) groups.set(key, (line = emptyLine(key)));
    for (const l of [line, total]) {
      l.runs += 1;
      if (cost.usd === null) l.unknown_runs += 1;
      else {
        l.usd += cost.usd;
        if (cost.estimated && cost.usd > 0) l.estimated = true;
      }
      l.input_tokens += cost.tokens.input;
      l.cached_input_tokens += cost.tokens.cached;
      l.output_tokens += cost.tokens.output;
    }
  }
  const sorted = [...groups.values()].sort((a, b) => b.usd - a.usd || String(a.key).localeCompare(String(b.key)));
  return { by, since: since ? since.toISOString() : null, groups: sorted, total };
}
