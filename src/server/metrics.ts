// /metrics: families computed from the run records (through RunStats: an ended run is read
// once), the wait latency this server measured, and what each source adds. The text is kept
// until something changes on disk.
import type { AppContext } from '../app/context.js';
import { VERSION } from '../version.js';
import { type Family, Histogram, renderFamilies } from './metrics-text.js';
import type { RunStats } from './stats.js';

const DURATION_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200];

function counted(name: string, help: string, type: Family['type'], totals: Map<string, { labels: Record<string, string>; value: number }>): Family {
  return { name, help, type, samples: [...totals.values()].sort((a, b) => JSON.stringify(a.labels).localeCompare(JSON.stringify(b.labels))) };
}

function add(totals: Map<string, { labels: Record<string, string>; value: number }>, labels: Record<string, string>, v: number): void {
  const key = JSON.stringify(labels);
  const t = totals.get(key);
  if (t) t.value += v;
  else totals.set(key, { labels, value: v });
}

/** The run families, from every run's stat. */
export function runFamilies(ctx: AppContext, stats: RunStats): Family[] {
  const runs = new Map<string, { labels: Record<string, string>; value: number }>();
  const tokens = new Map<string, { labels: Record<string, string>; value: number }>();
  const cost = new Map<string, { labels: Record<string, string>; value: number }>();
  const durations = new Histogram(DURATION_BUCKETS);
  let active = 0;
  for (const s of stats.all(ctx).values()) {
    for (const [kind, n] of Object.entries(s.tokens)) add(tokens, { agent: s.agent, kind }, n);
    if (s.cost_usd !== null) add(cost, { agent: s.agent }, s.cost_usd);
    if (!s.ended) {
      active++;
      continue;
    }
    add(runs, { agent: s.agent, profile: s.profile, outcome: s.outcome ?? 'none' }, 1);
    if (s.duration_s !== null) durations.observe({ agent: s.agent }, s.duration_s);
  }
  // a sum of many small fractions drifts (100.00000000001425): to the micro-dollar
  for (const c of cost.values()) c.value = Math.round(c.value * 1e6) / 1e6;
  return [
    counted('agentctl_runs_total', 'Ended runs recorded in the workspace, by agent, profile and outcome (records removed by clean --runs no longer count).', 'counter', runs),
    durations.family('agentctl_run_duration_seconds', 'How long ended runs ran, from start to end, by agent.'),
    { name: 'agentctl_runs_active', help: 'Runs pending or running now.', type: 'gauge', samples: [{ labels: {}, value: active }] },
    counted('agentctl_tokens_total', 'Tokens the agents reported using, by agent and kind (input, cached_input, cache_write_input, output, reasoning_output).', 'counter', tokens),
    counted('agentctl_cost_usd_total', 'Cost in US dollars the agents reported, by agent (agents that report none add nothing).', 'counter', cost),
  ];
}

export class Metrics {
  private text: string | null = null;
  constructor(private readonly build: () => Promise<Family[]>) {}

  invalidate(): void {
    this.text = null;
  }

  async render(): Promise<string> {
    // the wait latency and uptime change without a write: only the record families are cached
    this.text ??= renderFamilies(await this.build());
    return this.text;
  }
}

export const buildInfo = (): Family => ({ name: 'agentctl_build_info', help: 'The agentctl version serving these metrics (always 1).', type: 'gauge', samples: [{ labels: { version: VERSION }, value: 1 }] });
