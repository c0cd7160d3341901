// The command line in this process: argv parsed into the app's options, validation, printers
// writing to the context's streams, and errors worded for a person. No tmux, no built binary.
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'date-fns/format';
import { describe, expect, it } from 'vitest';
import { startWith } from '../../src/app/start.js';
import { cliWording } from '../../src/cli/wording.js';
import { AppError } from '../../src/core/sys/errors.js';
import { mcpWording } from '../../src/mcp/wording.js';
import { finished, inProcessWorkspace } from '../helpers/inprocess.js';

const w = inProcessWorkspace();

describe('printers', () => {
  it('init --json says what it made; init again says it is set up', async () => {
    const first = await w.cli(['init', '--json']);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(first.stdout)).toEqual({ home: w.home, created: [], set: {} });
    expect(await w.cli(['init', '--session', 'mine'])).toEqual({ code: 0, stdout: `workspace ${w.home}: already set up\nset tmux_session = mine\n`, stderr: '' });
  });

  it('--home and AI_ORCH_HOME choose the workspace, in that order', async () => {
    const other = join(w.root, 'other-home');
    const r = await w.cli(['--home', other, 'init', '--json']);
    expect(JSON.parse(r.stdout).home).toBe(other);
    expect(JSON.parse((await w.cli(['init', '--json'], { env: { ...w.env, AI_ORCH_HOME: other } })).stdout).home).toBe(other);
  });

  it('projects: empty, then a table and JSON sorted by name; a relative path resolves against the caller\'s directory', async () => {
    expect((await w.cli(['projects'])).stdout).toBe('no projects: add one with "agentctl add-project <name> <path>"\n');
    mkdirSync(join(w.root, 'web'));
    mkdirSync(join(w.root, 'api'));
    expect((await w.cli(['add-project', 'web', './web'])).stdout).toBe(`added project web -> ${join(w.root, 'web')}\n`);
    expect((await w.cli(['add-project', 'api', 'api', '--default-profile', 'claude', '--no-worktree'], { cwd: w.root })).stdout).toBe(
      `added project api -> ${join(w.root, 'api')} (default profile claude, worktrees off)\n`,
    );
    const table = (await w.cli(['projects'])).stdout.split('\n');
    expect(table.slice(0, 3)).toEqual(['NAME  PROFILE  WORKTREE  PATH', `api   claude   off       ${join(w.root, 'api')}`, `web   -        -         ${join(w.root, 'web')}`]);
    expect(JSON.parse((await w.cli(['projects', '--json'])).stdout).map((p: { name: string }) => p.name)).toEqual(['api', 'web']);
    expect(await w.cli(['add-project', 'x', 'web', '--default-profile', 'nosuch'])).toMatchObject({ code: 2, stdout: '' });
    expect((await w.cli(['remove-project', 'web'])).stdout).toBe(`removed project web (${join(w.root, 'web')}; files and runs kept)\n`);
  });

  it('list: nothing yet, then a table newest first and --json entries; a corrupt record is listed, not fatal', async () => {
    expect((await w.cli(['list'])).stdout).toBe('no runs yet: start one with "agentctl start"\n');
    w.record(finished('20260101-000000-aaaa', 'goal_met', { title: 'older', created_at: '2026-01-01T00:00:00.000Z', started_at: '2026-01-01T00:00:00.000Z', ended_at: '2026-01-01T00:00:12.300Z' }));
    w.record(finished('20260101-000100-bbbb', 'goal_not_met', { title: 'newer', created_at: '2026-01-01T00:01:00.000Z', started_at: '2026-01-01T00:01:00.000Z', ended_at: '2026-01-01T00:01:05.000Z' }));
    mkdirSync(join(w.home, 'runs', '20260101-000200-cccc'));
    writeFileSync(join(w.home, 'runs', '20260101-000200-cccc', 'meta.json'), '{ not json');

    const lines = (await w.cli(['list'])).stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^RUN ID\s+STATE\s+AGE\s+TIME\s+PROFILE\s+PROJECT\s+TITLE$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 2))).toEqual([
      ['20260101-000100-bbbb', 'goal_not_met'],
      ['20260101-000000-aaaa', 'goal_met'],
      ['20260101-000200-cccc', 'corrupt'],
    ]);
    expect(lines[1]).toMatch(/\s5s\s+shell\s+-\s+newer$/);

    const json = JSON.parse((await w.cli(['list', '--json', '-n', '2'])).stdout);
    expect(json).toEqual([
      expect.objectContaining({ run_id: '20260101-000100-bbbb', status: 'finished', outcome: 'goal_not_met', duration_s: 5, branch: null, merged: null }),
      expect.objectContaining({ run_id: '20260101-000000-aaaa', outcome: 'goal_met', duration_s: 12.3 }),
    ]);
    expect(JSON.parse((await w.cli(['list', '--json', '--status', 'corrupt'])).stdout)).toEqual([
      { run_id: '20260101-000200-cccc', status: 'corrupt', error: expect.stringMatching(/meta\.json is unreadable \(not JSON/) },
    ]);
    expect((await w.cli(['list', '--status', 'lost'])).stdout).toBe('no runs match\n');
  });

  it('show prints the record with its result and files; wait prints the compact line and exits by outcome', async () => {
    const id = '20260101-000300-dddd';
    w.record(finished(id, 'goal_not_met'));
    writeFileSync(join(w.home, 'runs', id, 'result.json'), '{"goal_met":false}');
    const shown = JSON.parse((await w.cli(['show', 'dddd'])).stdout);
    expect(shown).toMatchObject({ run_id: id, outcome: 'goal_not_met', result: { goal_met: false }, files: { prompt: join(w.home, 'runs', id, 'prompt.md') } });

    const waited = await w.cli(['wait', id]);
    expect(waited.code).toBe(1);
    expect(JSON.parse(waited.stdout)).toEqual({
      run_id: id, status: 'finished', outcome: 'goal_not_met', goal_met: false, summary: 'goal_not_met summary', followup_prompt: 'try again',
      exit_code: 0, git_diff_stat: null, duration_s: 12.3, escalated_to: null, parent_run_id: null, branch: null, worktree: null, error: null,
    });
  });

  it('tail --no-follow renders the last lines with the local time of day', async () => {
    const ts = '2026-01-01T10:20:30.000Z';
    appendFileSync(join(w.home, 'notify.log'), `${JSON.stringify({ ts, event: 'finish', run_id: 'r1', title: 'fix it', profile: 'spark', project: null, status: 'finished', outcome: 'goal_met', goal_met: true, exit_code: 0, summary: 'done' })}\nnot json\n`);
    const r = await w.cli(['tail', '-n', '2', '--no-follow']);
    expect(r.stdout).toBe(`${format(new Date(ts), 'HH:mm:ss')}  finish    r1  goal_met  "fix it"  exit=0  — done\nnot json\n`);
    expect((await w.cli(['tail', '-n', '1', '--no-follow', '--json'])).stdout).toBe('not json\n');
  });
});

describe('bad input: one line on stderr, exit 2, nothing printed', () => {
  const cases: [string[], string][] = [
    [['list', '--limit', 'x'], 'invalid --limit "x": give a whole number (0 for all)'],
    [['list', '--status', 'happy'], 'invalid --status "happy": use one of pending, running, finished, lost, goal_met, goal_not_met, invalid_output, agent_error, cancelled, timed_out, lost, budget_exceeded, corrupt'],
    [['clean', '--runs'], '--runs needs --older-than: say how long ago a run must have ended for its record to be removed (e.g. 7d)'],
    [['clean', '--older-than', 'soon'], 'invalid --older-than "soon": use seconds or units like 90s, 15m, 1h30m'],
    [['tail', '-n', 'x', '--no-follow'], 'invalid -n "x": give a whole number'],
    [['init', '--wake-here'], '--wake-here needs to run inside a tmux pane: run it there, or pass --wake-pane %N'],
    [['show', 'nosuchrun'], 'no run matches "nosuchrun": see "agentctl list" for run ids'],
    [['wait', '--timeout', '0', 'x'], 'invalid --timeout "0": must be greater than zero'],
    [['start', '--frob'], 'unknown option \'--frob\' (see "agentctl start --help")'],
    [['stat'], 'unknown command \'stat\' (Did you mean start?) (see "agentctl --help")'],
    [['start', '--agent', 'codex', '--', 'true'], 'a command after "--" is only for the shell agent, not codex: drop it or add --agent shell'],
    [['start', '--no-worktree', '--base', 'main', '--prompt-file', '/dev/null', '--agent', 'shell', '--', 'true'], '--base is for a run in its own worktree: drop --no-worktree or that option'],
    [['start', '--profile', 'nosuch'], 'unknown profile "nosuch": use one of spark, deep, review, claude, claude-deep, gemini, shell, or add it under "profiles" in config.json'],
  ];
  it.each(cases)('agentctl %j', async (args, message) => {
    expect(await w.cli(args)).toEqual({ code: 2, stdout: '', stderr: `agentctl: ${message}\n` });
  });
});

describe('the prompt rule: asked for once the run\'s agent is known', () => {
  it('a shell profile with its own command is not asked for one; other agents are, and an empty one is refused', async () => {
    const cfg = JSON.parse(readFileSync(join(w.home, 'config.json'), 'utf8'));
    writeFileSync(join(w.home, 'config.json'), JSON.stringify({ ...cfg, profiles: { tests: { agent: 'shell', command: ['definitely-not-a-command-here'] } } }));
    const asked: boolean[] = [];
    const source = (required: boolean) => {
      asked.push(required);
      return '';
    };
    // the shell profile gets past the prompt to its command (which is not there): nothing started
    await expect(startWith(w.ctx(), { profile: 'tests' }, source)).rejects.toThrow('command not found: definitely-not-a-command-here');
    expect(asked).toEqual([false]);
    const refused = await startWith(w.ctx(), { profile: 'spark' }, source).catch((e: unknown) => e);
    expect(asked).toEqual([false, true]);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).render(cliWording)).toBe("empty prompt: pipe the prompt on stdin (agentctl start ... <<'PROMPT') or pass --prompt-file FILE");
    expect((refused as AppError).render(mcpWording)).toBe('empty prompt: give the task for the worker in "prompt"');
  });
});

describe('one AppError, worded by each front-end', () => {
  const err = new AppError('{opt:runs} needs {opt:olderThan}', { fix: 'pass {opt:force=true}, {opt:worktree=false} or {opt:base=main}; then {cmd:wait ID}, or {cmd:frobnicate}' });
  it('the CLI names flags and command lines', () => {
    expect(err.render(cliWording)).toBe('--runs needs --older-than: pass --force, --no-worktree or --base main; then agentctl wait ID, or agentctl frobnicate');
  });
  it('MCP names arguments and tools', () => {
    expect(err.render(mcpWording)).toBe('runs needs older_than: pass force: true, worktree: false or base: main; then wait_runs (ID), or agentctl frobnicate');
  });
  it("MCP's wait is the tool of the kind of id waited for", () => {
    const fix = (id: string) => new AppError('busy', { fix: `wait for it ("{cmd:wait ${id}}")` }).render(mcpWording);
    expect(fix('20261201-061502-k2x9')).toBe('busy: wait for it ("wait_runs (20261201-061502-k2x9)")');
    expect(fix('dev')).toBe('busy: wait for it ("wait_instances (dev)")');
    expect(fix('i-7fq2ma')).toBe('busy: wait for it ("wait_instances (i-7fq2ma)")');
    expect(fix('wf-ab12cd')).toBe('busy: wait for it ("workflow_status (wf-ab12cd)")');
  });
  it('the message itself is in neutral words', () => {
    expect(err.message).toBe('runs needs older_than: pass force=true, worktree=false or base=main; then agentctl wait ID, or agentctl frobnicate');
  });
});
