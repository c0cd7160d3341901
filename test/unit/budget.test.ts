// Budgets without tmux: the price table, estimates under each CLI's token convention, what a
// set of records spent and how `cost` groups it, the daily-budget refusal, the live limit check,
// and the parsing of --since, --max-cost and --max-tokens.
import { describe, expect, it } from 'vitest';
import { claudeAdapter } from '../../src/agents/claude.js';
import { costReport } from '../../src/app/cost.js';
import { estimateUsd, formatUsd, ownUsage, runCost, tokenCounts } from '../../src/core/budget/cost.js';
import { parseTokens, parseUsd, runLimits } from '../../src/core/budget/limits.js';
import { crossedLimit, exceededText } from '../../src/core/budget/live.js';
import { DEFAULT_PRICES, priceFor, priceTable } from '../../src/core/budget/prices.js';
import { parseSince } from '../../src/core/budget/since.js';
import { checkBudget, projectDayLimit, spent, startOfDay } from '../../src/core/budget/spent.js';
import { cliWording } from '../../src/cli/wording.js';
import { newMeta, type Meta } from '../../src/core/runs/meta.js';
import { AppError } from '../../src/core/sys/errors.js';
import { ConfigSchema } from '../../src/core/workspace/config.js';
import { inProcessWorkspace } from '../helpers/inprocess.js';

const cfg = { prices: {} };
const w = inProcessWorkspace();

function meta(over: Partial<Meta>): Meta {
  return newMeta({ run_id: 'r1', title: 't', project_dir: '/p', profile: 'spark', agent: 'codex', created_at: new Date().toISOString(), ...over });
}

function cliError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err.render(cliWording);
    throw err;
  }
  throw new Error('no error');
}

describe('price table', () => {
  const table = priceTable({});
  it('matches a model by exact name, then by the longest prefix', () => {
    expect(priceFor(table, 'gpt-5.1-codex-mini', 'codex')?.key).toBe('gpt-5.1-codex-mini');
    expect(priceFor(table, 'gpt-5.1-codex-mini-2026', 'codex')?.key).toBe('gpt-5.1-codex-mini');
    expect(priceFor(table, 'gpt-5.5', 'codex')?.key).toBe('gpt-5');
    expect(priceFor(table, 'claude-opus-4-1-20250805', 'claude')?.key).toBe('claude-opus-4-1');
    expect(priceFor(table, 'claude-opus-5-5', 'claude')?.key).toBe('claude-opus');
    expect(priceFor(table, 'gemini-2.5-flash-lite', 'gemini')?.key).toBe('gemini-2.5-flash-lite');
  });

  it("falls back to the agent's entry for a run without a model, or with one the table lacks", () => {
    expect(priceFor(table, null, 'codex')).toEqual({ key: 'codex', price: DEFAULT_PRICES.codex });
    expect(priceFor(table, 'my-local-model', 'gemini')?.key).toBe('gemini');
    expect(priceFor(table, null, 'shell')).toBeNull();
  });

  it("the user's entries win and the defaults stay for the rest; config.json accepts them", () => {
    const mine = priceTable({ 'gpt-5': { input: 9, output: 9 } });
    expect(mine['gpt-5']).toEqual({ input: 9, output: 9 });
    expect(mine['claude-sonnet']).toEqual(DEFAULT_PRICES['claude-sonnet']);
    const parsed = ConfigSchema.parse({ prices: { x: { input: 1, output: 2, cached_input: 0.1 } }, budgets: { per_run_usd: 1, per_project_day_usd: { api: 5, '*': 2 } } });
    expect(parsed.prices).toEqual({ x: { input: 1, output: 2, cached_input: 0.1 } });
    expect(ConfigSchema.parse({}).prices).toEqual(DEFAULT_PRICES);
    expect(() => ConfigSchema.parse({ prices: { x: { input: -1, output: 2 } } })).toThrow();
    expect(() => ConfigSchema.parse({ budgets: { per_run_usd: 0 } })).toThrow();
  });
});

describe('estimates', () => {
  it('codex and gemini count cached tokens inside input_tokens; claude apart from it', () => {
    expect(tokenCounts('codex', { input_tokens: 3900, cached_input_tokens: 1800, output_tokens: 52 })).toEqual({ input: 3900, output: 52, cached: 1800, cacheWrite: 0 });
    expect(tokenCounts('claude', { input_tokens: 2600, cached_input_tokens: 2400, cache_write_input_tokens: 100, output_tokens: 65 })).toEqual({ input: 5100, output: 65, cached: 2400, cacheWrite: 100 });
  });

  it('prices plain input, cached input, cache writes and output each at their rate', () => {
    // gpt-5.1-codex-max: $1.25 in, $0.125 cached, $10 out
    expect(estimateUsd(cfg, 'codex', 'gpt-5.1-codex-max', { input_tokens: 3900, cached_input_tokens: 1800, output_tokens: 52 })).toBeCloseTo((2100 * 1.25 + 1800 * 0.125 + 52 * 10) / 1e6, 12);
    // claude-sonnet: $3 in, $0.30 cache read, $3.75 cache write, $15 out
    expect(estimateUsd(cfg, 'claude', 'claude-sonnet-4-5', { input_tokens: 2600, cached_input_tokens: 2400, cache_write_input_tokens: 100, output_tokens: 65 })).toBeCloseTo((2600 * 3 + 2400 * 0.3 + 100 * 3.75 + 65 * 15) / 1e6, 12);
  });

  it('a reported cost wins and is not an estimate; shell runs cost nothing; no usage, no cost', () => {
    expect(runCost(meta({ agent: 'claude', cost_usd: 0.02, usage: { input_tokens: 10, output_tokens: 1 } }), cfg)).toEqual({ usd: 0.02, estimated: false, tokens: { input: 10, output: 1, cached: 0 } });
    expect(runCost(meta({ agent: 'shell', profile: 'shell' }), cfg).usd).toBe(0);
    expect(runCost(meta({}), cfg)).toEqual({ usd: null, estimated: false, tokens: { input: 0, output: 0, cached: 0 } });
    const est = runCost(meta({ usage: { input_tokens: 1_000_000, output_tokens: 0 } }), cfg);
    expect(est).toMatchObject({ usd: 1.25, estimated: true });
  });

  it("a codex resume reports its thread's total: its own usage is that less its parent's", () => {
    const parent = meta({ run_id: 'p', usage: { input_tokens: 1500, output_tokens: 30 } });
    const child = meta({ run_id: 'c', mode: 'resume', parent_run_id: 'p', usage: { input_tokens: 3200, output_tokens: 65 } });
    expect(ownUsage(child, parent)).toEqual({ input_tokens: 1700, output_tokens: 35 });
    // claude reports each invocation alone
    expect(ownUsage({ ...child, agent: 'claude' }, { ...parent, agent: 'claude' })).toEqual(child.usage);
  });

  it('formats amounts with ~ for an estimate', () => {
    expect(formatUsd(0.1234, true)).toBe('~$0.123');
    expect(formatUsd(0.3)).toBe('$0.30');
    expect(formatUsd(6.549)).toBe('$6.55');
    expect(formatUsd(0.0042)).toBe('$0.0042');
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatUsd(null)).toBe('-');
  });
});

describe("claude's running usage", () => {
  it('sums the usage of each model request (repeated per content block) until the result gives the total', () => {
    const reader = claudeAdapter.newReader();
    const msg = (id: string, input: number, output: number, text = 'x') =>
      JSON.stringify({ type: 'assistant', message: { id, content: [{ type: 'text', text }], usage: { input_tokens: input, cache_read_input_tokens: 100, output_tokens: output } } });
    reader.onLine(msg('m1', 1000, 1));
    reader.onLine(msg('m1', 1000, 40, 'second block of the same message'));
    expect(reader.state.usage).toEqual({ input_tokens: 1000, cached_input_tokens: 100, output_tokens: 40 });
    reader.onLine(msg('m2', 1200, 60));
    expect(reader.state.usage).toEqual({ input_tokens: 2200, cached_input_tokens: 200, output_tokens: 100 });
    reader.onLine(JSON.stringify({ type: 'result', subtype: 'success', is_error: false, result: '{}', total_cost_usd: 0.01, usage: { input_tokens: 2300, cache_read_input_tokens: 200, output_tokens: 120 } }));
    expect(reader.state.usage).toEqual({ input_tokens: 2300, cached_input_tokens: 200, output_tokens: 120 });
    reader.onLine(msg('m3', 5000, 5000));
    expect(reader.state.usage?.input_tokens).toBe(2300);
  });
});

describe('limits', () => {
  it("a run's limits: its own options, else budgets.per_run_*; none: null", () => {
    expect(runLimits({ per_run_usd: 2 }, { maxTokens: 1000 })).toEqual({ max_usd: 2, max_tokens: 1000, exceeded: null });
    expect(runLimits({ per_run_usd: 2 }, { maxCostUsd: 0.5 })).toEqual({ max_usd: 0.5, max_tokens: null, exceeded: null });
    expect(runLimits({}, {})).toBeNull();
  });

  it('the live check names the first limit crossed, with what was spent', () => {
    const limits = { max_usd: 0.01, max_tokens: 5000, exceeded: null };
    expect(crossedLimit(limits, cfg, { agent: 'codex', model: 'gpt-5', usage: { input_tokens: 4000, output_tokens: 500 }, costUsd: undefined })).toBeNull();
    const tokens = crossedLimit(limits, cfg, { agent: 'codex', model: 'gpt-5', usage: { input_tokens: 4900, output_tokens: 200 }, costUsd: undefined });
    expect(tokens).toEqual({ limit: 'tokens', max: 5000, spent: 5100, estimated: false });
    expect(exceededText(tokens!)).toBe("budget exceeded: 5100 tokens used, over the run's limit of 5000 tokens");
    const usd = crossedLimit({ ...limits, max_tokens: null }, cfg, { agent: 'claude', model: null, usage: { input_tokens: 10 }, costUsd: 0.02 });
    expect(usd).toEqual({ limit: 'usd', max: 0.01, spent: 0.02, estimated: false });
    expect(exceededText(usd!)).toBe("budget exceeded: $0.02 spent, over the run's limit of $0.01");
    const estimated = crossedLimit({ ...limits, max_tokens: null }, cfg, { agent: 'codex', model: 'gpt-5', usage: { input_tokens: 4000, output_tokens: 1000 }, costUsd: undefined });
    expect(estimated).toMatchObject({ limit: 'usd', estimated: true });
    expect(exceededText(estimated!)).toBe("budget exceeded: ~$0.015 spent, over the run's limit of $0.01");
  });

  it('parses amounts and token counts, and refuses others with the option named', () => {
    expect(parseUsd('0.50')).toBe(0.5);
    expect(parseUsd('$2')).toBe(2);
    expect(parseUsd(1.5)).toBe(1.5);
    expect(cliError(() => parseUsd('-1'))).toBe('invalid --max-cost "-1": give an amount in USD greater than zero, e.g. 0.50');
    expect(parseTokens('200k')).toBe(200_000);
    expect(parseTokens('1_000')).toBe(1000);
    expect(parseTokens('1.5m')).toBe(1_500_000);
    expect(cliError(() => parseTokens('0'))).toMatch(/^invalid --max-tokens "0": give a whole number of tokens/);
    expect(cliError(() => parseTokens('1.5'))).toMatch(/^invalid --max-tokens "1.5"/);
  });
});

describe('--since', () => {
  const now = new Date(2026, 11, 1, 15, 30);
  it('takes a duration back from now, a day, a date and time, or today', () => {
    expect(parseSince('7d', now).getTime()).toBe(now.getTime() - 7 * 86400_000);
    expect(parseSince('1h30m', now).getTime()).toBe(now.getTime() - 5400_000);
    expect(parseSince('2026-11-30', now)).toEqual(new Date(2026, 10, 30));
    expect(parseSince('2026-11-30T10:00:00Z', now).toISOString()).toBe('2026-11-30T10:00:00.000Z');
    expect(parseSince('today', now)).toEqual(new Date(2026, 11, 1));
    expect(startOfDay(now)).toEqual(new Date(2026, 11, 1));
  });

  it('refuses anything else, with the forms it takes', () => {
    for (const bad of ['last week', '2026-02-30', '7 days', '']) {
      expect(cliError(() => parseSince(bad, now))).toMatch(/^invalid --since .*: give a duration back from now \(7d, 12h\), a day \(2026-11-30\), a date and time \(ISO 8601\) or "today"$/);
    }
  });
});

describe('what was spent, and the budgets held against it', () => {
  const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000).toISOString();
  // api: a claude run ($0.30 reported) today, a codex run (1M input tokens: ~$1.25) today, one
  // two days ago ($5); web: a shell run; a workflow step of api
  w.record({ run_id: 'api-claude', project: 'api', profile: 'claude', agent: 'claude', status: 'finished', cost_usd: 0.3, usage: { input_tokens: 100, output_tokens: 10 }, created_at: hoursAgo(0.02) });
  w.record({ run_id: 'api-codex', project: 'api', profile: 'spark', agent: 'codex', status: 'finished', usage: { input_tokens: 1_000_000, output_tokens: 0 }, created_at: hoursAgo(0.01) });
  w.record({ run_id: 'api-old', project: 'api', profile: 'claude', agent: 'claude', status: 'finished', cost_usd: 5, created_at: hoursAgo(48) });
  w.record({ run_id: 'web-shell', project: 'web', profile: 'shell', agent: 'shell', status: 'finished', created_at: hoursAgo(0.03) });
  w.record({ run_id: 'api-wf', project: 'api', profile: 'spark', agent: 'codex', status: 'running', workflow_id: 'wf-abc', created_at: hoursAgo(0.005) });

  it('sums a filter: by project and time, by workflow, by ids', () => {
    const ctx = w.ctx();
    const today = spent(ctx.ws, cfg, { project: 'api', since: new Date(Date.now() - 86400_000) });
    expect(today).toMatchObject({ runs: 3, unknown: 1, estimated: true });
    expect(today.usd).toBeCloseTo(1.55, 10);
    expect(spent(ctx.ws, cfg, { project: 'api' }).usd).toBeCloseTo(6.55, 10);
    expect(spent(ctx.ws, cfg, { workflow: 'wf-abc' })).toEqual({ usd: 0, estimated: false, runs: 1, unknown: 1 });
    expect(spent(ctx.ws, cfg, { runIds: ['api-claude', 'web-shell'] })).toEqual({ usd: 0.3, estimated: false, runs: 2, unknown: 0 });
  });

  it('groups for `cost`: most expensive first, the total, estimates marked', () => {
    const r = costReport(w.ctx(), { since: '1d', by: 'agent' });
    expect(r.groups.map((g) => [g.key, g.runs, g.estimated])).toEqual([['codex', 2, true], ['claude', 1, false], ['shell', 1, false]]);
    expect(r.total).toMatchObject({ runs: 4, unknown_runs: 1, estimated: true, input_tokens: 1_000_100, output_tokens: 10 });
    expect(costReport(w.ctx(), { by: 'workflow' }).groups.map((g) => g.key)).toEqual([null, 'wf-abc']);
    expect(costReport(w.ctx(), {}).groups[0]).toMatchObject({ key: 'api', runs: 4 });
  });

  it('prints a table for people and one JSON line per group plus the total', async () => {
    const table = await w.cli(['cost', '--by', 'project']);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout.split('\n')).toEqual([
      'PROJECT  RUNS    COST    IN  CACHED  OUT',
      'api         4  ~$6.55  1.0M       0   10',
      'web         1   $0.00     0       0    0',
      'TOTAL       5  ~$6.55  1.0M       0   10',
      '~ estimated from tokens and the price table (config.json "prices")',
      '1 run recorded no usage: not in the cost',
      '',
    ]);
    const json = await w.cli(['cost', '--by', 'profile', '--json']);
    const lines = json.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toEqual({ profile: 'claude', runs: 2, usd: 5.3, estimated: false, unknown_runs: 0, input_tokens: 100, cached_input_tokens: 0, output_tokens: 10 });
    expect(lines.at(-1)).toMatchObject({ total: true, since: null, runs: 5, usd: 6.55 });
  });

  it("refuses a start for a project over its daily budget, naming the budget and the fix", () => {
    const ws = w.ctx().ws;
    expect(projectDayLimit({ budgets: { per_project_day_usd: { api: 1, '*': 10 } } }, 'web')).toBe(10);
    expect(projectDayLimit({ budgets: {} }, 'web')).toBeNull();
    const budgets = { per_project_day_usd: 1.5 };
    expect(cliError(() => checkBudget(ws, { prices: {}, budgets }, { project: 'api' }))).toBe(
      "project api's daily budget is used up: ~$1.55 spent today of $1.50 (budgets.per_project_day_usd): raise or remove it in config.json, or wait for tomorrow",
    );
    expect(() => checkBudget(ws, { prices: {}, budgets }, { project: 'web' })).not.toThrow();
    expect(() => checkBudget(ws, { prices: {}, budgets: { per_project_day_usd: 2 } }, { project: 'api' })).not.toThrow();
  });

  it("refuses a workflow's next step once its budget is used up, from its own limit or the config's", () => {
    w.record({ run_id: 'wf-step', project: 'x', profile: 'claude', agent: 'claude', status: 'finished', cost_usd: 0.4, workflow_id: 'wf-xyz' });
    const ws = w.ctx().ws;
    expect(cliError(() => checkBudget(ws, { prices: {}, budgets: { per_workflow_usd: 0.25 } }, { project: 'x', workflowId: 'wf-xyz' }))).toBe(
      "workflow wf-xyz's budget is used up: $0.40 spent of $0.25 (budgets.per_workflow_usd): raise or remove it in config.json",
    );
    expect(cliError(() => checkBudget(ws, { prices: {}, budgets: {} }, { project: 'x', workflowId: 'wf-xyz', workflowLimitUsd: 0.3, workflowBudget: '{opt:maxCost}' }))).toBe(
      "workflow wf-xyz's budget is used up: $0.40 spent of $0.30 (--max-cost): raise --max-cost",
    );
    expect(() => checkBudget(ws, { prices: {}, budgets: {} }, { project: 'x', workflowId: 'wf-xyz', workflowLimitUsd: 1 })).not.toThrow();
  });
});
