// The fast tier, part 1: parsing user input and deciding outcomes, in-process (no tmux, no
// built CLI). Errors are checked as the CLI prints them. core.test.ts holds the basic cases;
// these are the edges and the exact messages.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliWording } from '../../src/cli/wording.js';
import { formatSeconds, parseDuration } from '../../src/core/sys/duration.js';
import { AppError } from '../../src/core/sys/errors.js';
import { readPrompt } from '../../src/core/sys/stdin.js';
import { assertName, assertRunId } from '../../src/core/runs/ids.js';
import { type Meta, newMeta } from '../../src/core/runs/meta.js';
import { compactResult, decideOutcome, durationSeconds } from '../../src/core/runs/result.js';

/** What the CLI prints (after "agentctl: ") for the AppError that fn throws, and its exit code. */
async function cliError(fn: () => unknown): Promise<{ text: string; exit: number }> {
  try {
    await fn();
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return { text: err.render(cliWording), exit: err.exitCode };
  }
  throw new Error('expected an error');
}

const dir = mkdtempSync(join(tmpdir(), 'agentctl-parse-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('durations', () => {
  it.each([
    [' 15M ', 900],
    ['1.5m', 90],
    ['1d2h', 93_600],
    ['2h30m15s', 9015],
    ['0.25', 0.25],
  ])('reads %j as %d s (spaces and letter case do not matter)', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it('a malformed duration names what it was for, quotes it, and shows the accepted forms', async () => {
    expect(await cliError(() => parseDuration('10 min', '--timeout'))).toEqual({ text: 'invalid --timeout "10 min": use seconds or units like 90s, 15m, 1h30m', exit: 2 });
    expect((await cliError(() => parseDuration('15x'))).text).toBe('invalid duration "15x": use seconds or units like 90s, 15m, 1h30m');
  });

  it.each(['0', '0s', '0m0s', '0.0h'])('a zero duration (%j) is refused as such', async (text) => {
    expect((await cliError(() => parseDuration(text, '--older-than'))).text).toBe(`invalid --older-than ${JSON.stringify(text)}: must be greater than zero`);
  });

  it.each([
    [0, '0s'],
    [59, '59s'],
    [60, '1m'],
    [3599, '59m59s'],
    [3600, '1h0m'],
    [86_400, '1d0h'],
    [90_061, '1d1h'],
  ])('%d s is shown as %s', (sec, text) => expect(formatSeconds(sec)).toBe(text));
});

describe('run ids and names', () => {
  const RULE = "use 1-80 letters, digits, '.', '_' or '-', starting with a letter or digit";

  it('a bad run id is refused with the rule, under the name the caller gives it', async () => {
    expect(await cliError(() => assertRunId('a/b'))).toEqual({ text: `invalid run id "a/b": ${RULE}`, exit: 2 });
    expect((await cliError(() => assertRunId('', 'parent run id'))).text).toBe(`invalid parent run id "": ${RULE}`);
  });

  it.each(['api', 'my.api_2-x', 'A', 'a'.repeat(64)])('name %j is accepted', (name) => expect(assertName(name, 'project name')).toBe(name));

  it.each(['', '-x', '.x', '_x', 'a b', 'a/b', 'a..b', 'a'.repeat(65), 'é'])('name %j is refused with the rule', async (name) => {
    expect((await cliError(() => assertName(name, 'project name'))).text).toBe(
      `invalid project name ${JSON.stringify(name)}: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit`,
    );
  });
});

describe('outcomes beyond the basic table', () => {
  const answer = (value: unknown, extra = {}) => ({ rawText: JSON.stringify(value), value, ...extra });
  const valid = { goal_met: true, summary: 'did it', followup_prompt: 'next', notes: '' };

  it("a stop keeps a valid answer's summary and follow-up, but never counts the goal as met", () => {
    expect(decideOutcome({ stop: 'cancelled', final: answer(valid), validationErrors: [], exitCode: null })).toEqual({ outcome: 'cancelled', goal_met: false, summary: 'did it', followup_prompt: 'next' });
    expect(decideOutcome({ stop: 'lost', final: { rawText: null, value: undefined }, validationErrors: [], exitCode: null })).toEqual({ outcome: 'lost', goal_met: false, summary: null, followup_prompt: null });
  });

  it("an agent error keeps the agent's own summary, else says why it failed", () => {
    expect(decideOutcome({ stop: null, final: answer(valid, { agentError: 'exit 2' }), validationErrors: [], exitCode: 2 }).summary).toBe('did it');
    expect(decideOutcome({ stop: null, final: { rawText: null, value: undefined, agentError: 'rate limited' }, validationErrors: [], exitCode: 1 })).toEqual({ outcome: 'agent_error', goal_met: false, summary: 'agent failed: rate limited', followup_prompt: null });
  });

  it('without goal_met in the answer, a non-zero exit means the goal was not met', () => {
    expect(decideOutcome({ stop: null, final: answer({ summary: 'tried' }), validationErrors: [], exitCode: 1 })).toEqual({ outcome: 'goal_not_met', goal_met: false, summary: 'tried', followup_prompt: null });
    expect(decideOutcome({ stop: null, final: answer([1, 2]), validationErrors: [], exitCode: 0 })).toEqual({ outcome: 'goal_met', goal_met: true, summary: null, followup_prompt: null });
  });

  it('invalid output never carries a follow-up, and says why the answer was unusable', () => {
    const bad = decideOutcome({ stop: null, final: answer(valid), validationErrors: ['/notes must be string', '/x is extra'], exitCode: 0 });
    expect(bad).toEqual({ outcome: 'invalid_output', goal_met: false, summary: 'invalid output: /notes must be string', followup_prompt: null });
    expect(decideOutcome({ stop: null, final: { rawText: 'not json', value: undefined }, validationErrors: [], exitCode: 0 }).summary).toBe('invalid output: the final answer is not JSON (unparseable)');
    expect(decideOutcome({ stop: null, final: { rawText: null, value: undefined }, validationErrors: [], exitCode: 0 }).summary).toBe('invalid output: the agent gave no final answer');
  });

  const run = (over: Partial<Meta>) => newMeta({ run_id: 'r1', title: 't', project_dir: dir, profile: 'spark', agent: 'codex', created_at: '2026-01-01T00:00:00.000Z', ...over });

  it('durations: to the end, else to now while running, to a tenth of a second', () => {
    expect(durationSeconds(run({ status: 'finished', started_at: '2026-01-01T00:00:01.000Z', ended_at: '2026-01-01T00:01:02.449Z' }))).toBe(61.4);
    expect(durationSeconds(run({ status: 'running' }), Date.parse('2026-01-01T00:00:03.260Z'))).toBe(3.3); // from created_at
    expect(durationSeconds(run({ status: 'lost', ended_at: null }))).toBeNull();
  });

  it('the compact result names a worktree run\'s branch and directory, and the error only of a failure', () => {
    const worktree = {
      path: join(dir, 'wt'), cwd: join(dir, 'wt', 'sub'), branch: 'agentctl/r1', repo_root: dir, base_ref: 'HEAD', base: 'abc', with_changes: false, created_by: 'r1',
      commit: null, head: null, diff_stat: null, files_changed: null, merged: null, removed_at: null, branch_deleted_at: null,
    };
    const wt = compactResult(run({ status: 'finished', outcome: 'goal_not_met', worktree, errors: ['commit skipped'] }));
    expect(wt).toMatchObject({ branch: 'agentctl/r1', worktree: join(dir, 'wt', 'sub') });
    expect(wt.error).toBeNull();
    const plain = compactResult(run({ status: 'finished', outcome: 'agent_error', errors: ['exit 1'] }));
    expect(plain).toMatchObject({ branch: null, worktree: null });
    expect(plain.error).toBe('exit 1');
  });
});

describe('the prompt from --prompt-file', () => {
  it('is read byte for byte: multi-byte text, no trailing newline, or empty', async () => {
    for (const text of ['Réparer « auth » — 修复 ✓', 'line 1\r\nline 2\n\n', '']) {
      const file = join(dir, 'prompt.md');
      writeFileSync(file, text);
      expect(await readPrompt({ promptFile: file, optional: false })).toBe(text);
    }
  });

  it('a file that cannot be read is named, with the reason', async () => {
    const missing = join(dir, 'missing.md');
    expect(await cliError(() => readPrompt({ promptFile: missing, optional: false }))).toEqual({ text: `cannot read --prompt-file ${missing}: ENOENT`, exit: 2 });
    const folder = join(dir, 'a-directory');
    mkdirSync(folder);
    expect((await cliError(() => readPrompt({ promptFile: folder, optional: true }))).text).toBe(`cannot read --prompt-file ${folder}: EISDIR`);
  });
});
