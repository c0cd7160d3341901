// A new run's own limits: what its start asked for, else config.json's budgets.per_run_*.
import { AppError } from '../sys/errors.js';
import type { Meta } from '../runs/meta.js';
import type { Budgets } from './prices.js';

export interface RunLimitRequest {
  /** USD. */
  maxCostUsd?: number;
  maxTokens?: number;
}

/** The record's budget field: null when the run has no limit at all. */
export function runLimits(budgets: Budgets | undefined, req: RunLimitRequest): Meta['budget'] {
  const max_usd = req.maxCostUsd ?? budgets?.per_run_usd ?? null;
  const max_tokens = req.maxTokens ?? budgets?.per_run_tokens ?? null;
  return max_usd === null && max_tokens === null ? null : { max_usd, max_tokens, exceeded: null };
}

/** An amount in USD as a user writes it: 2, 0.50, $0.50. */
export function parseUsd(value: string | number, what = '{opt:maxCost}'): number {
  const n = typeof value === 'number' ? value : /^\s*\$?\d+(\.\d+)?\s*$/.test(value) ? Number(value.trim().replace(/^\$/, '')) : NaN;
  if (!(n > 0) || !Number.isFinite(n)) throw new AppError(`invalid ${what} ${JSON.stringify(String(value))}: give an amount in USD greater than zero, e.g. 0.50`);
  return n;
}

/** A token count: a positive whole number (1000, 1_000 or 1k / 2m are accepted too). */
export function parseTokens(value: string | number, what = '{opt:maxTokens}'): number {
  let n = NaN;
  if (typeof value === 'number') n = value;
  else {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([km]?)\s*$/i.exec(value.replace(/_/g, ''));
    if (m) n = Number(m[1]) * (m[2]!.toLowerCase() === 'k' ? 1e3 : m[2]!.toLowerCase() === 'm' ? 1e6 : 1);
  }
  if (!(n > 0) || !Number.isInteger(n)) throw new AppError(`invalid ${what} ${JSON.stringify(String(value))}: give a whole number of tokens greater than zero, e.g. 200000 or 200k`);
  return n;
}
