// budgets.per_instance_usd with the real codex TUI (its rollout records each model request's
// tokens): once the session has cost more, the instance is stopped between turns, saying why,
// and the session stays resumable. Skipped without $AGENTCTL_REAL_CLIS (bash .ci/run sets it).
import { describe, expect, it } from 'vitest';
import { createContext } from '../../src/app/context.js';
import { askInstance, spawnInstance, stopInstances } from '../../src/app/instances.js';
import { instanceNow, until } from '../../src/core/instances/until.js';
import { makeEnv, writeConfig } from '../helpers/harness.js';
import { startModelServer } from '../helpers/model-server.mjs';
import { REAL_CLIS, whyNoRealCli } from '../helpers/real-clis.js';
import { offlineTuiEnv } from '../helpers/tui.js';

const why = whyNoRealCli('codex');

describe.skipIf(why)(`an instance over its budget${why ? ` (skipped: ${why})` : ''}`, () => {
  it('is stopped after the turn that crossed budgets.per_instance_usd, with the spend in its events', async () => {
    const t = await makeEnv();
    const server = await startModelServer();
    try {
      const repo = t.repo();
      expect((await t.run(['init'])).code).toBe(0);
      // gpt-5.5's default price: 2 turns of 100k input tokens cost more than this
      writeConfig(t, { budgets: { per_instance_usd: 0.05 } });
      const env = { ...t.env, PATH: `${REAL_CLIS}:${t.env.PATH}`, TMPDIR: t.dir('tmp'), ...offlineTuiEnv(server.url, t.userHome, t.env.CODEX_HOME!) };
      const ctx = createContext({ home: t.home, env, cwd: repo });
      server.addRules({ api: 'openai', times: Infinity, reply: { text: 'done', usage: { input: 100_000, output: 200 } } });
      const v = await spawnInstance(ctx, { agent: 'codex', name: 'spender', model: 'gpt-5.5', permissions: 'bypass' });
      const first = await askInstance(ctx, { id: v.id, message: 'first task', timeoutMs: 60_000 });
      expect(first).toMatchObject({ outcome: 'completed', usage: { input_tokens: 100_000, output_tokens: 200 } });
      expect(first.usage!.cost_usd).toBeGreaterThan(0);
      const spentOnce = first.usage!.cost_usd!;
      const turnsNeeded = Math.floor(0.05 / spentOnce) + 1;
      for (let i = 1; i < turnsNeeded; i++) await askInstance(ctx, { id: v.id, message: `task ${i + 1}`, timeoutMs: 60_000 });
      const ended = await until(t.home, v.id, (n) => (n.status.status === 'exited' ? n : undefined), { timeoutMs: 30_000, what: 'the budget stop' });
      const over = ended.events.find((e) => e.kind === 'budget_exceeded') as Record<string, unknown> | undefined;
      expect(over?.why).toMatch(/^over its budget: ~\$[0-9.]+ spent over \d+ turns, budgets.per_instance_usd is \$0.05$/);
      expect(over?.spent_usd as number).toBeGreaterThan(0.05);
      expect(instanceNow(t.home, v.id).record.session_id).toBeTruthy(); // resumable with revive
      await stopInstances(ctx, { ids: [v.id] }).catch(() => {});
    } finally {
      await server.close();
      await t.cleanup();
    }
  }, 180_000);
});
