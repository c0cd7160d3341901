// The price table and budget settings of config.json. Kept apart from config.ts so the cost
// code and the config schema share one definition without importing each other.
import * as z from 'zod';

/** USD per million tokens. cached_input: cache reads; cache_write_input: cache writes (claude), default the input price. */
export const PriceSchema = z.object({
  input: z.number().min(0),
  output: z.number().min(0),
  cached_input: z.number().min(0).optional(),
  cache_write_input: z.number().min(0).optional(),
});
export type Price = z.infer<typeof PriceSchema>;

const usd = z.number().positive();

/**
 * Limits on spending (USD) and tokens. per_project_day_usd is one limit for every project, or one
 * per project name ("*": the projects not named); a day starts at local midnight.
 */
export const BudgetsSchema = z.looseObject({
  per_run_usd: usd.nullable().optional(),
  per_run_tokens: z.number().int().positive().nullable().optional(),
  per_project_day_usd: z.union([usd, z.record(z.string(), usd)]).nullable().optional(),
  per_workflow_usd: usd.nullable().optional(),
  per_instance_usd: usd.nullable().optional(),
});
export type Budgets = z.infer<typeof BudgetsSchema>;

/**
 * List prices (USD per million tokens) of the models agentctl's profiles use, as published when
 * this was written; a key matches a model exactly or as its longest prefix. An agent's name is
 * the price of a run whose model is not recorded (codex takes it from its own config).
 */
export const DEFAULT_PRICES: Record<string, Price> = {
  'gpt-5.1-codex-max': { input: 1.25, output: 10, cached_input: 0.125 },
  'gpt-5.1-codex-mini': { input: 0.25, output: 2, cached_input: 0.025 },
  'gpt-5-mini': { input: 0.25, output: 2, cached_input: 0.025 },
  'gpt-5-nano': { input: 0.05, output: 0.4, cached_input: 0.005 },
  'gpt-5': { input: 1.25, output: 10, cached_input: 0.125 },
  'claude-opus-4-1': { input: 15, output: 75, cached_input: 1.5, cache_write_input: 18.75 },
  'claude-opus-4-0': { input: 15, output: 75, cached_input: 1.5, cache_write_input: 18.75 },
  'claude-opus': { input: 5, output: 25, cached_input: 0.5, cache_write_input: 6.25 },
  'claude-sonnet': { input: 3, output: 15, cached_input: 0.3, cache_write_input: 3.75 },
  'claude-haiku': { input: 1, output: 5, cached_input: 0.1, cache_write_input: 1.25 },
  opus: { input: 5, output: 25, cached_input: 0.5, cache_write_input: 6.25 },
  sonnet: { input: 3, output: 15, cached_input: 0.3, cache_write_input: 3.75 },
  haiku: { input: 1, output: 5, cached_input: 0.1, cache_write_input: 1.25 },
  'gemini-2.5-pro': { input: 1.25, output: 10, cached_input: 0.31 },
  'gemini-2.5-flash-lite': { input: 0.1, output: 0.4, cached_input: 0.025 },
  'gemini-2.5-flash': { input: 0.3, output: 2.5, cached_input: 0.075 },
  'gemini-3-pro': { input: 2, output: 12, cached_input: 0.2 },
  codex: { input: 1.25, output: 10, cached_input: 0.125 },
  claude: { input: 3, output: 15, cached_input: 0.3, cache_write_input: 3.75 },
  gemini: { input: 1.25, output: 10, cached_input: 0.31 },
};

/** The user's prices over the defaults: a table that names one model keeps the others' defaults. */
export function priceTable(prices: Record<string, Price> | undefined): Record<string, Price> {
  return { ...DEFAULT_PRICES, ...prices };
}

/**
 * The price of a model: its exact name, else the longest key it starts with; a run whose model is
 * not recorded or not in the table is priced by its agent's entry (an estimate either way).
 */
export function priceFor(table: Record<string, Price>, model: string | null | undefined, agent: string): { key: string; price: Price } | null {
  if (model) {
    const exact = table[model];
    if (exact) return { key: model, price: exact };
    let best: string | null = null;
    for (const key of Object.keys(table)) if (model.startsWith(key) && (best === null || key.length > best.length)) best = key;
    if (best) return { key: best, price: table[best]! };
  }
  const byAgent = table[agent];
  return byAgent ? { key: agent, price: byAgent } : null;
}
