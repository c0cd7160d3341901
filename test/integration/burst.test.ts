// Many starts at once on one workspace: an orchestrator fanning out a wave of workers. Every
// start must get its run (no lock timeout), and every run must end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEnv, type TestEnv } from '../helpers/harness.js';

const RUN_ID = /^\d{8}-\d{6}-[a-z0-9]{4}$/;
let t: TestEnv;

beforeAll(async () => {
  t = await makeEnv();
  expect((await t.run(['init'])).code).toBe(0);
  t.orchestratorPane('burst');
});
afterAll(async () => {
  await t?.cleanup();
});

describe('a burst of starts', () => {
  it('50 shell runs started at once all get ids, and all end', async () => {
    const n = 50;
    const starts = await Promise.all(
      Array.from({ length: n }, (_, i) => t.run(['start', '--agent', 'shell', '--title', `burst ${i}`, '--', 'true'], { timeoutMs: 120_000 })),
    );
    const failed = starts.filter((r) => r.code !== 0).map((r) => r.stderr.trim());
    expect(failed).toEqual([]);
    const ids = starts.map((r) => r.stdout.trim());
    for (const id of ids) expect(id).toMatch(RUN_ID);
    expect(new Set(ids).size).toBe(n);

    const w = await t.run(['wait', '--timeout', '100s', ...ids], { timeoutMs: 120_000 });
    expect(w.code, w.stderr).toBe(0);
    const lines = w.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.run_id).sort()).toEqual([...ids].sort());
    for (const l of lines) expect(l).toMatchObject({ status: 'finished', outcome: 'goal_met' });
  }, 240_000);
});
