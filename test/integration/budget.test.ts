// Budgets with real runs of the fake agents on a private tmux server: a run stopped by its token
// or cost limit while it is still going, a codex run priced from its tokens, a project over its
// daily budget refused, and `agentctl cost` summing the records.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { describe, expect, it } from 'vitest';
import { BIN, parseJsonLines, type TestEnv, suiteEnv, writeConfig } from '../helpers/harness.js';

let t: TestEnv;
let repo: string;

suiteEnv((env) => {
  t = env;
  repo = t.repo('proj');
});

async function waitFor(id: string): Promise<{ code: number; line: any }> {
  const r = await t.run(['wait', '--timeout', '60', id]);
  expect(r.stderr).toBe('');
  return { code: r.code, line: parseJsonLines(r.stdout)[0] };
}

function events(id: string): any[] {
  return parseJsonLines(readFileSync(join(t.home, 'runs', id, 'events.jsonl'), 'utf8'));
}

describe('the live stop', () => {
  it('--max-tokens stops a claude run as soon as its stream crosses the limit, long before its end', async () => {
    // 6 requests of 1050 tokens, 3 s apart: the whole run would take 18 s and use 6300 tokens
    const id = await t.start(['--project', repo, '--profile', 'claude', '--max-tokens', '2000'], 'Count to six\n@fake steps=6:3\n');
    const { code, line } = await waitFor(id);
    expect(code).toBe(3);
    expect(line).toMatchObject({ outcome: 'budget_exceeded', goal_met: false, status: 'finished' });
    expect(line.error).toBe("budget exceeded: 2164 tokens used, over the run's limit of 2000 tokens");
    expect(line.duration_s).toBeLessThan(12);
    // two small requests (a message, a tool call) of 32 tokens, then two steps of 1050: stopped
    // after the second step, with no third and no result event
    const texts = events(id).filter((e) => e.type === 'assistant').map((e) => e.message.content[0]?.text);
    expect(texts).toContain('Step 2 of 6.');
    expect(texts).not.toContain('Step 3 of 6.');
    expect(events(id).some((e) => e.type === 'result')).toBe(false);
    const m = t.meta(id);
    expect(m.budget).toEqual({ max_usd: null, max_tokens: 2000, exceeded: { limit: 'tokens', max: 2000, spent: 2164, estimated: false } });
    expect(m.usage).toMatchObject({ input_tokens: 2016, output_tokens: 148 });
    expect(m.errors.at(-1)).toBe(line.error);
    // the pane, kept after a failure, says why and what it cost (estimated: claude never sent its result)
    const pane = t.tmux(['capture-pane', '-p', '-J', '-t', m.tmux.pane]);
    expect(pane).toContain(`stopping: ${line.error}`);
    expect(pane).toContain('cost ~$0.0083 (estimated) · tokens: 2016 in, 148 out');
  });

  it('a cost limit from config.json applies to every run and is estimated from tokens', async () => {
    // claude-sonnet: $3 / $15 per million; 2 requests of 1000 in + 50 out = $0.0075 > $0.005
    writeConfig(t, { budgets: { per_run_usd: 0.005 } });
    try {
      const id = await t.start(['--project', repo, '--profile', 'claude', '--model', 'sonnet'], 'Spend\n@fake steps=6:3\n');
      const { code, line } = await waitFor(id);
      expect(code).toBe(3);
      expect(line.outcome).toBe('budget_exceeded');
      expect(line.error).toMatch(/^budget exceeded: ~\$0\.00\d+ spent, over the run's limit of \$0\.0050$/);
      expect(t.meta(id).budget).toMatchObject({ max_usd: 0.005, max_tokens: null, exceeded: { limit: 'usd', max: 0.005, estimated: true } });
    } finally {
      writeConfig(t, { budgets: {} });
    }
  });

  it('codex reports its usage at the end of its turn: the run that crossed the limit still ends budget_exceeded', async () => {
    const id = await t.start(['--project', repo, '--profile', 'spark', '--max-tokens', '100'], 'Quick one\n');
    const { code, line } = await waitFor(id);
    expect(code).toBe(3);
    expect(line.outcome).toBe('budget_exceeded');
    const m = t.meta(id);
    const used = m.usage.input_tokens + m.usage.output_tokens;
    expect(line.error).toBe(`budget exceeded: ${used} tokens used, over the run's limit of 100 tokens`);
    expect(m.budget.exceeded).toEqual({ limit: 'tokens', max: 100, spent: used, estimated: false });
  });

  it('a run within its limits ends as usual', async () => {
    const id = await t.start(['--project', repo, '--profile', 'claude', '--max-tokens', '100000', '--max-cost', '5'], 'Small task\n@fake steps=2\n');
    const { code, line } = await waitFor(id);
    expect(code).toBe(0);
    expect(line.outcome).toBe('goal_met');
    expect(t.meta(id).budget).toEqual({ max_usd: 5, max_tokens: 100000, exceeded: null });
  });

  it('refuses a limit that is not a positive amount', async () => {
    const r = await t.run(['start', '--project', repo, '--max-cost', 'lots'], { input: 'x\n' });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('agentctl: invalid --max-cost "lots": give an amount in USD greater than zero, e.g. 0.50');
  });
});

describe('estimates and cost', () => {
  it('codex reports tokens only: show gives the estimate from the price table, marked', async () => {
    const id = await t.start(['--project', repo, '--profile', 'spark', '--model', 'gpt-5.1-codex-mini'], 'Estimate me\n');
    expect((await waitFor(id)).code).toBe(0);
    const m = t.meta(id);
    expect(m.cost_usd).toBeNull();
    const show = JSON.parse((await t.run(['show', id])).stdout);
    const input = m.usage.input_tokens;
    const output = m.usage.output_tokens;
    // gpt-5.1-codex-mini: $0.25 in, $2 out per million (no cached tokens on a first turn)
    expect(show.cost.estimated).toBe(true);
    expect(show.cost.usd).toBeCloseTo((input * 0.25 + output * 2) / 1e6, 10);
    expect(show.cost.tokens).toEqual({ input, output, cached: 0 });
  });

  it('cost: per project and per agent, estimates marked, one JSON line per group and the total', async () => {
    const other = t.repo('other');
    const a = await t.start(['--project', other, '--profile', 'claude'], 'Reported cost\n');
    const b = await t.start(['--project', other, '--profile', 'spark'], 'Estimated cost\n');
    await waitFor(a);
    await waitFor(b);
    const claudeCost = t.meta(a).cost_usd;
    expect(claudeCost).toBeGreaterThan(0);

    const json = await t.run(['cost', '--by', 'agent', '--since', '1h', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const lines = parseJsonLines(json.stdout);
    const total = lines.at(-1);
    expect(total).toMatchObject({ total: true });
    const claude = lines.find((l) => l.agent === 'claude');
    const codex = lines.find((l) => l.agent === 'codex');
    expect(codex.estimated).toBe(true);
    expect(claude.runs).toBeGreaterThanOrEqual(1);
    expect(total.runs).toBe(lines.slice(0, -1).reduce((s, l) => s + l.runs, 0));
    expect(total.usd).toBeCloseTo(lines.slice(0, -1).reduce((s, l) => s + l.usd, 0), 5);

    const people = await t.run(['cost', '--since', '1h']);
    expect(people.code, people.stderr).toBe(0);
    const rows = people.stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^PROJECT\s+RUNS\s+COST\s+IN\s+CACHED\s+OUT$/);
    expect(rows.find((r) => r.startsWith(other))).toMatch(/^\S+\s+2\s+~\$\d+\.\d+\s/);
    expect(rows.find((r) => r.startsWith('TOTAL'))).toMatch(/~\$/);
    expect(rows.at(-1)).toBe('~ estimated from tokens and the price table (config.json "prices")');

    const future = await t.run(['cost', '--since', '2999-01-01']);
    expect(future.stdout).toBe('no runs since then');
    const bad = await t.run(['cost', '--since', 'last week']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^agentctl: invalid --since "last week": give a duration back from now/);
  });

  it("a project over its daily budget is refused with the budget named and the fix; another project is not", async () => {
    const spender = t.repo('spender');
    const id = await t.start(['--project', spender, '--profile', 'claude'], 'Spend a little\n');
    await waitFor(id);
    writeConfig(t, { budgets: { per_project_day_usd: { [spender]: 0.0001 } } });
    try {
      const r = await t.run(['start', '--project', spender, '--profile', 'claude'], { input: 'One more\n' });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^agentctl: project \S+\/spender's daily budget is used up: \$0\.\d+ spent today of \$0\.0001 \(budgets\.per_project_day_usd\): raise or remove it in config\.json, or wait for tomorrow$/);
      const elsewhere = await t.start(['--project', repo, '--profile', 'shell', '--', 'true']);
      expect((await waitFor(elsewhere)).code).toBe(0);
    } finally {
      writeConfig(t, { budgets: {} });
    }
  });
});

describe('over MCP', () => {
  it('start_run takes max_tokens; wait_runs reports budget_exceeded with the limit', async () => {
    const client = new Client({ name: 'budget-test', version: '1.0.0' });
    await client.connect(new StdioClientTransport({ command: BIN, args: ['--home', t.home, 'mcp'], env: t.env, cwd: t.root, stderr: 'pipe' }));
    try {
      const call = async (name: string, args: Record<string, unknown>) => (await client.callTool({ name, arguments: args }, undefined, { timeout: 90_000 })) as any;
      const started = await call('start_run', { project: repo, profile: 'claude', prompt: 'Count\n@fake steps=6:3\n', max_tokens: 1500 });
      expect(started.isError, started.content[0]?.text).toBeFalsy();
      const done = await call('wait_runs', { ids: [started.structuredContent.run_id], timeout_s: 40 });
      expect(done.structuredContent.runs[0]).toMatchObject({ outcome: 'budget_exceeded', error: "budget exceeded: 2164 tokens used, over the run's limit of 1500 tokens" });
      const bad = await call('start_run', { project: repo, profile: 'claude', prompt: 'x', max_cost: -1 });
      expect(bad.isError).toBe(true);
    } finally {
      await client.close();
    }
  });
});
