// What an instance's turns cost: tokens from the agent's own transcript/rollout (its hooks
// carry none), priced with the workspace's price table (core/budget). Used by `wait`'s reports
// and by the per-instance budget (budgets.per_instance_usd), which the supervisor checks after
// each turn.
import type { InteractiveAdapter, TranscriptTurn, TurnUsage } from '../../agents/interactive/types.js';
import type { Usage } from '../../agents/types.js';
import { usageCost } from '../budget/cost.js';
import type { LoadedConfig } from '../workspace/config.js';
import type { InstanceRecord } from './types.js';

/** A turn's tokens in the agent's own convention: claude's input excludes what came from the cache, codex's includes it. */
export function agentUsage(agent: InstanceRecord['agent'], u: TurnUsage): Usage {
  return agent === 'claude'
    ? { input_tokens: u.input_tokens, cached_input_tokens: u.cached_input_tokens, output_tokens: u.output_tokens }
    : { input_tokens: u.input_tokens + u.cached_input_tokens, cached_input_tokens: u.cached_input_tokens, output_tokens: u.output_tokens };
}

/** One turn's cost in USD from the price table; null when it has no tokens recorded or no price applies. */
export function turnCost(cfg: Pick<LoadedConfig, 'prices'>, record: InstanceRecord, u: TurnUsage | undefined): number | null {
  if (!u) return null;
  return usageCost(cfg, { agent: record.agent, model: record.model, usage: agentUsage(record.agent, u) }).usd;
}

/** The transcript's turns, or none when it cannot be found or read yet. */
export function transcriptTurns(adapter: InteractiveAdapter, record: InstanceRecord, env: NodeJS.ProcessEnv): TranscriptTurn[] {
  const path = record.transcript_path ?? (record.session_id ? adapter.transcriptPath(record.session_id, record.cwd, env) : null);
  if (!path) return [];
  try {
    return adapter.readTranscript(path);
  } catch {
    return [];
  }
}

/** What the instance's session has cost so far (estimated from its tokens), and over how many turns. */
export function instanceSpent(cfg: Pick<LoadedConfig, 'prices'>, record: InstanceRecord, turns: TranscriptTurn[]): { usd: number; turns: number } {
  let usd = 0;
  let priced = 0;
  for (const t of turns) {
    const c = turnCost(cfg, record, t.usage);
    if (c === null) continue;
    usd += c;
    priced++;
  }
  return { usd, turns: priced };
}
