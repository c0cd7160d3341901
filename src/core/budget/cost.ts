// What a run cost: the CLI's own figure when it reports one (claude), else an estimate from the
// tokens it reported and the price table (codex, gemini), marked as such. What a project, a
// workflow or a set of runs spent is the sum over their records.
import type { Usage } from '../../agents/types.js';
import type { LoadedConfig } from '../workspace/config.js';
import type { Meta } from '../runs/meta.js';
import { priceFor, priceTable } from './prices.js';

export interface TokenCounts {
  /** Every input token, cached ones included, whatever the CLI's own convention. */
  input: number;
  output: number;
  /** Input tokens read from the provider's cache (a part of input). */
  cached: number;
}

export interface RunCost {
  /** null: neither reported nor estimable (no usage recorded). */
  usd: number | null;
  estimated: boolean;
  tokens: TokenCounts;
}

/** What an estimate is made from: one run's (or one instance's) usage, as its CLI reported it. */
export interface UsageFacts {
  agent: string;
  model: string | null | undefined;
  usage: Usage | null | undefined;
  /** The CLI's own figure, when it gives one. */
  cost_usd?: number | null;
}

const n = (v: number | undefined): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0);

/**
 * Tokens under one convention. claude counts cache reads and cache writes apart from
 * input_tokens; codex and gemini count cached tokens as part of input_tokens.
 */
export function tokenCounts(agent: string, usage: Usage | null | undefined): TokenCounts & { cacheWrite: number } {
  if (!usage) return { input: 0, output: 0, cached: 0, cacheWrite: 0 };
  const cached = n(usage.cached_input_tokens);
  if (agent === 'claude') {
    const cacheWrite = n(usage.cache_write_input_tokens);
    return { input: n(usage.input_tokens) + cached + cacheWrite, output: n(usage.output_tokens), cached, cacheWrite };
  }
  return { input: n(usage.input_tokens), output: n(usage.output_tokens), cached: Math.min(cached, n(usage.input_tokens)), cacheWrite: 0 };
}

/** Input plus output tokens: what --max-tokens counts. */
export function totalTokens(t: TokenCounts): number {
  return t.input + t.output;
}

/** The price table's estimate of these tokens; null when no price applies. */
export function estimateUsd(cfg: Pick<LoadedConfig, 'prices'>, agent: string, model: string | null | undefined, usage: Usage | null | undefined): number | null {
  const found = priceFor(priceTable(cfg.prices), model, agent);
  if (!found) return null;
  const p = found.price;
  const t = tokenCounts(agent, usage);
  const plain = Math.max(0, t.input - t.cached - t.cacheWrite);
  const micro = plain * p.input + t.cached * (p.cached_input ?? p.input) + t.cacheWrite * (p.cache_write_input ?? p.input) + t.output * p.output;
  return micro / 1e6;
}

/** Cost of any usage: the reported figure, else the estimate; shell runs cost nothing. */
export function usageCost(cfg: Pick<LoadedConfig, 'prices'>, f: UsageFacts): RunCost {
  const { input, output, cached } = tokenCounts(f.agent, f.usage);
  const tokens = { input, output, cached };
  if (typeof f.cost_usd === 'number') return { usd: f.cost_usd, estimated: false, tokens };
  if (f.agent === 'shell') return { usd: 0, estimated: false, tokens };
  if (!f.usage) return { usd: null, estimated: false, tokens };
  const usd = estimateUsd(cfg, f.agent, f.model, f.usage);
  return { usd, estimated: usd !== null, tokens };
}

/**
 * codex reports the running total of its thread: a resume's own usage is its total less the
 * parent's. Other CLIs report each invocation alone.
 */
export function ownUsage(meta: Pick<Meta, 'agent' | 'mode' | 'usage'>, parent: Pick<Meta, 'agent' | 'usage'> | null | undefined): Usage | null {
  const usage = meta.usage;
  if (!usage || meta.agent !== 'codex' || meta.mode !== 'resume' || parent?.agent !== 'codex' || !parent.usage) return usage ?? null;
  const out: Usage = {};
  for (const [k, v] of Object.entries(usage) as [keyof Usage, number | undefined][]) {
    if (typeof v === 'number') out[k] = Math.max(0, v - n(parent.usage[k]));
  }
  return out;
}

/** A run's cost: cost_usd when its CLI reported it, else estimated from its usage (marked), else null. */
export function runCost(meta: Meta, cfg: Pick<LoadedConfig, 'prices'>, parent?: Meta | null): RunCost {
  return usageCost(cfg, { agent: meta.agent, model: meta.model, usage: ownUsage(meta, parent), cost_usd: meta.cost_usd });
}

/** "$0.12", "~$0.12" for an estimate, "$0.0042" below a cent, "-" when unknown. */
export function formatUsd(usd: number | null, estimated = false): string {
  if (usd === null) return '-';
  const text = usd === 0 ? '0.00' : usd < 0.01 ? usd.toFixed(4) : usd.toFixed(2);
  return `${estimated ? '~' : ''}$${text}`;
}
