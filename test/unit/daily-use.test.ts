// Issue 9 in this process: moving a registered project needs force, a hand-written project name
// never leads outside, follow-up prompts carry what happened and its evidence, and diff says
// when there is nothing to show.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execaSync } from 'execa';
import { describe, expect, it } from 'vitest';
import { createContext } from '../../src/app/context.js';
import { carryPrompt, escalationPrompt, evidenceLines } from '../../src/core/lifecycle/chain.js';
import { type Meta, newMeta } from '../../src/core/runs/meta.js';
import { runFiles } from '../../src/core/workspace/paths.js';
import { AppError } from '../../src/core/sys/errors.js';
import { addProject } from '../../src/mcp/tools/add_project.js';
import { mcpWording } from '../../src/mcp/wording.js';
import { finished, inProcessWorkspace } from '../helpers/inprocess.js';

const w = inProcessWorkspace();
const ws = () => createContext({ env: w.env }).ws;

describe('add-project', () => {
  it('an existing name moves to another directory only with --force; the same directory stays idempotent', async () => {
    const a = join(w.root, 'proj-a');
    const b = join(w.root, 'proj-b');
    mkdirSync(a);
    mkdirSync(b);
    expect(await w.cli(['add-project', 'app', a])).toMatchObject({ code: 0, stdout: `added project app -> ${a}\n` });
    expect(await w.cli(['add-project', 'app', a])).toMatchObject({ code: 0, stdout: `updated project app -> ${a}\n` });
    expect(await w.cli(['add-project', 'app', b])).toEqual({
      code: 2,
      stdout: '',
      stderr: `agentctl: project app is already registered for ${a}, not ${b}: pass --force to point it at ${b}, or choose another name\n`,
    });
    expect(JSON.parse((await w.cli(['projects', '--json'])).stdout)).toEqual([expect.objectContaining({ name: 'app', path: a })]);
    // the MCP tool's words for the same refusal
    const viaMcp = await addProject.run({ name: 'app', path: b }, { ctx: w.ctx() } as never).catch((err: AppError) => err.render(mcpWording));
    expect(viaMcp).toBe(`project app is already registered for ${a}, not ${b}: pass force: true to point it at ${b}, or choose another name`);
    expect(await w.cli(['add-project', 'app', b, '--force'])).toMatchObject({ code: 0, stdout: `updated project app -> ${b}\n` });
    expect(JSON.parse((await w.cli(['projects', '--json'])).stdout)).toEqual([expect.objectContaining({ name: 'app', path: b })]);
    await w.cli(['remove-project', 'app']);
  });

  it('a project name like ../../x written by hand in projects.json is refused when read, naming the file and the fix', async () => {
    const p = ws().projects;
    writeFileSync(p, JSON.stringify({ projects: { '../../x': { path: w.root } } }));
    const r = await w.cli(['start', '--project', '../../x', '--agent', 'shell', '--', 'true']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `agentctl: ${p}: invalid project name "../../x": use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit: rename that entry (or remove it) in that file\n`,
    );
    expect((await w.cli(['projects'])).stderr).toBe(r.stderr);
    writeFileSync(p, JSON.stringify({ projects: {} }));
  });
});

describe('follow-up prompts', () => {
  /** A finished shell run with an answer, stderr and errors, as the supervisor leaves them. */
  function failedRun(id: string, extra: Partial<Meta>, o: { notes?: string; stderr?: string } = {}): Meta {
    const m = w.record({ ...finished(id, 'goal_not_met'), command: ['npm', 'test'], ...extra });
    const files = runFiles(w.home, id);
    writeFileSync(files.prompt, 'Make the tests pass\n');
    if (o.notes !== undefined) writeFileSync(files.result, JSON.stringify({ goal_met: false, summary: m.summary, followup_prompt: m.followup_prompt, notes: o.notes }));
    if (o.stderr !== undefined) writeFileSync(files.stderr, o.stderr);
    return m;
  }
  const shellFollowup = '`npm test` exited with code 1. Look at its failing output (see notes) and fix the cause, then run it again.';

  it('an escalation of a failed shell run carries its notes and the last lines of its stderr, bounded', () => {
    const stderr = `${Array.from({ length: 500 }, (_, i) => `noise ${i}`).join('\n')}\nAssertionError: expected 2 to be 3\n    at sum.test.js:4:10\n`;
    const m = failedRun('20260101-000000-fail', { followup_prompt: shellFollowup }, { notes: 'stdout (last lines):\nFAIL sum.test.js', stderr });
    expect(escalationPrompt(m)).toBe(shellFollowup);
    const text = carryPrompt(w.home, m, escalationPrompt(m));
    expect(text).toContain('worked on this task and did not meet the goal (outcome goal_not_met).');
    expect(text).toContain('--- its notes ---\nstdout (last lines):\nFAIL sum.test.js\n--- end of its notes ---');
    expect(text).toContain('AssertionError: expected 2 to be 3\n    at sum.test.js:4:10\n--- end of the last lines of its stderr ---');
    expect(text).not.toContain('noise 100\n');
    expect(text.length).toBeLessThan(6000);
    expect(text.indexOf('# Your task')).toBeGreaterThan(text.indexOf('AssertionError'));
  });

  it('cancelled, timed-out and lost runs are worded for what happened, without the "fix the cause" follow-up', () => {
    for (const [outcome, words] of [
      ['cancelled', 'was cancelled before it finished'],
      ['timed_out', 'was stopped when its time limit (60s) ran out, before it finished'],
      ['lost', 'was lost (its worker stopped without recording an end) before it finished'],
    ] as const) {
      const m = failedRun(`20260101-000001-${outcome.slice(0, 4)}`, { outcome, timeout_s: 60, followup_prompt: shellFollowup, summary: '`npm test` was killed by signal SIGTERM' });
      const prompt = escalationPrompt(m);
      expect(prompt).toBe(`The previous attempt (run ${m.run_id}) ${words}: \`npm test\` was killed by signal SIGTERM\nIts changes so far are still in place: check what it got done, then complete the original task and verify it.`);
      expect(carryPrompt(w.home, m, prompt)).not.toContain('fix the cause');
    }
  });

  it('agent errors and invalid output say so, with the errors agentctl recorded', () => {
    const err = failedRun('20260101-000002-aerr', { outcome: 'agent_error', followup_prompt: null, summary: 'agent failed: 401 Unauthorized', errors: ['codex exited with code 1: 401 Unauthorized'] });
    expect(escalationPrompt(err)).toBe(`The previous attempt (run ${err.run_id}) failed with an error before it could finish: agent failed: 401 Unauthorized\nFind out why, then complete the original task and verify it.`);
    expect(evidenceLines(w.home, err)).toEqual(['--- errors agentctl recorded ---', 'codex exited with code 1: 401 Unauthorized', '--- end of errors agentctl recorded ---']);
    const bad = failedRun('20260101-000003-inva', { outcome: 'invalid_output', followup_prompt: null, summary: 'invalid output: summary is required', validation_errors: ['summary is required'] });
    expect(escalationPrompt(bad)).toMatch(/^The previous attempt \(run \S+\) ended without a valid final answer: invalid output: summary is required\n/);
    expect(evidenceLines(w.home, bad).join('\n')).toContain('summary is required');
    const met = newMeta({ run_id: 'x', title: 't', project_dir: w.root, profile: 'shell', agent: 'shell', created_at: new Date().toISOString(), status: 'finished', outcome: 'goal_met' });
    expect(evidenceLines(w.home, met)).toEqual([]);
  });
});

describe('diff with nothing to show', () => {
  it('a run that has not started, and a run that changed nothing, each get one line instead of nothing', async () => {
    w.record({ run_id: '20260101-000004-pend', status: 'pending' });
    expect(await w.cli(['diff', '20260101-000004-pend'])).toEqual({ code: 0, stdout: '', stderr: 'run 20260101-000004-pend has not started yet: no changes so far\n' });

    const repo = join(w.root, 'still');
    mkdirSync(repo);
    const git = (...a: string[]) => String(execaSync('git', a, { cwd: repo, env: { ...w.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x.invalid', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x.invalid' } }).stdout);
    writeFileSync(join(repo, 'a.txt'), 'a\n');
    git('init', '-q');
    git('add', '-A');
    git('commit', '-q', '-m', 'one');
    const tree = git('write-tree');
    const git_ = { repo_root: repo, start_head: null, start_tree: tree, end_tree: tree, files_changed: [] };
    w.record({ ...finished('20260101-000005-same'), project_dir: repo, git: git_ });
    expect(await w.cli(['diff', '20260101-000005-same', '--name-only'])).toEqual({ code: 0, stdout: '', stderr: 'run 20260101-000005-same changed nothing\n' });
    w.record({ run_id: '20260101-000006-runn', status: 'running', started_at: new Date().toISOString(), project_dir: repo, git: { ...git_, end_tree: null } });
    expect(await w.cli(['diff', '20260101-000006-runn'])).toEqual({ code: 0, stdout: '', stderr: 'run 20260101-000006-runn has changed nothing so far\n' });
  });
});
