// The live stop: after each event line the supervisor reads, the run's usage so far is priced
// and held against its limits; the first time it crosses one, the run is stopped (its agent's
// tree killed, as a cancel does) and the record says which limit, and what was spent then.
import type { AgentState, Usage } from '../../agents/types.js';
import type { LoadedConfig } from '../workspace/config.js';
import type { Meta } from '../runs/meta.js';
import { readMeta, updateMeta } from '../runs/store.js';
import type { Workspace } from '../workspace/paths.js';
import { estimateUsd, formatUsd, ownUsage, tokenCounts, totalTokens } from './cost.js';

type Limits = NonNullable<Meta['budget']>;
export type Exceeded = NonNullable<Limits['exceeded']>;

/** What crossing a limit reads as in the record's errors, wait's `error` and the pane. */
export function exceededText(e: Exceeded): string {
  return e.limit === 'usd'
    ? `budget exceeded: ${formatUsd(e.spent, e.estimated)} spent, over the run's limit of ${formatUsd(e.max)}`
    : `budget exceeded: ${e.spent} tokens used, over the run's limit of ${e.max} tokens`;
}

/** The first limit this usage crosses, or null. */
export function crossedLimit(limits: Limits, cfg: Pick<LoadedConfig, 'prices'>, f: { agent: string; model: string | null | undefined; usage: Usage | undefined; costUsd: number | undefined }): Exceeded | null {
  if (!f.usage && f.costUsd === undefined) return null;
  if (limits.max_tokens !== null) {
    const used = totalTokens(tokenCounts(f.agent, f.usage));
    if (used > limits.max_tokens) return { limit: 'tokens', max: limits.max_tokens, spent: used, estimated: false };
  }
  if (limits.max_usd !== null) {
    const reported = f.costUsd !== undefined;
    const usd = reported ? f.costUsd! : estimateUsd(cfg, f.agent, f.model, f.usage);
    if (usd !== null && usd > limits.max_usd) return { limit: 'usd', max: limits.max_usd, spent: usd, estimated: !reported };
  }
  return null;
}

/**
 * What the supervisor calls after each event line with the adapter's state; null when the run has
 * no limit. `stop` is called once, with the text of the limit crossed, after the record has it.
 */
export function budgetWatch(ws: Workspace, cfg: Pick<LoadedConfig, 'prices'>, meta: Meta, stop: (detail: string) => void): ((state: AgentState) => void) | null {
  const limits = meta.budget;
  if (!limits || (limits.max_usd === null && limits.max_tokens === null)) return null;
  // a codex resume reports its thread's running total: the parent's share is not this run's
  let parent: Meta | null = null;
  if (meta.agent === 'codex' && meta.mode === 'resume' && meta.parent_run_id) {
    try {
      parent = readMeta(ws, meta.parent_run_id);
    } catch {
      parent = null;
    }
  }
  let tripped = false;
  return (state) => {
    if (tripped) return;
    const usage = state.usage ? (ownUsage({ agent: meta.agent, mode: meta.mode, usage: state.usage }, parent) ?? undefined) : undefined;
    const crossed = crossedLimit(limits, cfg, { agent: meta.agent, model: state.model ?? meta.model, usage, costUsd: state.costUsd });
    if (!crossed) return;
    tripped = true;
    try {
      updateMeta(ws, meta.run_id, (m) => {
        m.budget = { ...(m.budget ?? limits), exceeded: crossed };
      });
    } catch {
      // the stop matters more than the note: the error line still says which limit
    }
    stop(exceededText(crossed));
  };
}
