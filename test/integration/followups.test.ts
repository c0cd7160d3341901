// Issue 9: the run after a failed one is told what happened and sees the evidence: a shell
// run's notes and stderr tail reach the escalation's prompt; a cancelled run is worded as such.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { suiteEnv, type TestEnv } from '../helpers/harness.js';

let t: TestEnv;

const prompt = (id: string) => readFileSync(join(t.home, 'runs', id, 'prompt.md'), 'utf8');

async function ended(id: string): Promise<void> {
  await t.run(['wait', '--timeout', '60', id], { timeoutMs: 70_000 });
}

/** Escalate an ended run to claude (a fresh session) and return the prompt the child got. */
async function escalatedPrompt(id: string): Promise<string> {
  await ended(id);
  const e = await t.run(['escalate', id, '--profile', 'claude']);
  expect(e.code, e.stderr).toBe(0);
  const child = e.stdout.trim();
  await ended(child);
  return prompt(child);
}

describe('follow-ups carry what the next worker needs', () => {
  suiteEnv((env) => {
    t = env;
  });

  it('escalating a failed shell run: the prompt has its notes and the last lines of its stderr', async () => {
    const repo = t.repo('shellfail');
    const id = await t.start(['--project', repo, '--agent', 'shell', '--', 'sh', '-c', 'echo 3 tests, 1 failed; echo "AssertionError: expected 2 to be 3" >&2; exit 1']);
    const text = await escalatedPrompt(id);
    expect(text).toContain('worked on this task and did not meet the goal (outcome goal_not_met).');
    expect(text).toMatch(/--- its notes ---\nstdout \(last lines\):\n3 tests, 1 failed\n/);
    expect(text).toContain('--- the last lines of its stderr ---\nAssertionError: expected 2 to be 3\n--- end of the last lines of its stderr ---');
    expect(text).toMatch(/# Your task\n`sh -c .*` exited with code 1\. Look at its failing output \(see notes\)/);
  });

  it('escalating a cancelled run says it was cancelled, not "fix the cause"', async () => {
    const repo = t.repo('shellcancel');
    const id = await t.start(['--project', repo, '--agent', 'shell', '--', 'sh', '-c', 'echo working; sleep 60']);
    expect((await t.run(['cancel', id])).code).toBe(0);
    const text = await escalatedPrompt(id);
    expect(text).toMatch(new RegExp(`# Your task\\nThe previous attempt \\(run ${id}\\) was cancelled before it finished`));
    expect(text).not.toContain('fix the cause');
  });
});
