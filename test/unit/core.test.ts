import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_RESULT_SCHEMA, ensureWorkspace, getProfile, loadConfig, updateConfigFile } from '../../src/core/workspace/config.js';
import { formatSeconds, parseDuration } from '../../src/core/sys/duration.js';
import { AppError } from '../../src/core/sys/errors.js';
import { pidAlive, writeFileAtomic } from '../../src/core/sys/fsutil.js';
import { assertRunId, isValidRunId, newRunId } from '../../src/core/runs/ids.js';
import { type Meta, newMeta, runCwd } from '../../src/core/runs/meta.js';
import { wakeLine } from '../../src/core/lifecycle/notify.js';
import type { Workspace } from '../../src/core/workspace/paths.js';
import { descendants, killTree, procStartTime, sameProcessAlive } from '../../src/core/sys/proctree.js';
import { addProject, loadProjects, resolveProject } from '../../src/core/workspace/projects.js';
import { compactResult, decideOutcome, exitCodeFor } from '../../src/core/runs/result.js';
import { checkSchema, strictModeProblem, validateAnswer } from '../../src/core/workspace/schema.js';
import { createRunDir, indexRun, readMeta, resolveRunId, runIdsNewestFirst, writeMeta } from '../../src/core/runs/store.js';
import { escapeFormat } from '../../src/core/tmux/tmux.js';
import { VERSION } from '../../src/version.js';

let dir: string;
let ws: Workspace;

beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'agentctl-unit-')));
  ws = ensureWorkspace(join(dir, 'ws')).ws;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function meta(id: string, over: Partial<Meta> = {}): Meta {
  return newMeta({ run_id: id, title: `run ${id}`, project_dir: dir, profile: 'spark', agent: 'codex', created_at: new Date().toISOString(), ...over });
}

function addRun(id: string, over: Partial<Meta> = {}): Meta {
  createRunDir(ws, id);
  const m = meta(id, over);
  writeMeta(ws, m);
  return m;
}

describe('run ids', () => {
  it('generates agent-orc shaped ids that differ', () => {
    const ids = new Set(Array.from({ length: 200 }, () => newRunId(new Date(2026, 1, 15, 14, 30, 22))));
    for (const id of ids) expect(id).toMatch(/^20260215-143022-[0-9a-z]{4}$/);
    expect(ids.size).toBeGreaterThan(190);
  });

  it.each(['../x', 'a/b', '.hidden', 'x y', '', 'a'.repeat(81), 'a..b', '-lead', 'ü'])('rejects %j', (bad) => {
    expect(isValidRunId(bad)).toBe(false);
    expect(() => assertRunId(bad)).toThrow(/invalid run id .*letters, digits/);
  });

  it.each(['a', 'fix-auth_1.2', '20260215-143022-ab12', 'A'.repeat(80)])('accepts %j', (good) => {
    expect(isValidRunId(good)).toBe(true);
  });
});

describe('durations', () => {
  it.each([
    ['90', 90],
    ['90s', 90],
    ['15m', 900],
    ['1h30m', 5400],
    ['1.5h', 5400],
    ['500ms', 0.5],
    ['2d', 172800],
  ])('parses %s', (text, seconds) => expect(parseDuration(text)).toBe(seconds));

  it.each(['abc', '0', '-5', '10x', '1h 30m', '', 'm'])('rejects %j with a fix', (text) => {
    expect(() => parseDuration(text, 'timeout')).toThrow(/invalid timeout .*(90s, 15m|greater than zero)/);
  });

  it('formats for people', () => {
    expect(formatSeconds(4.25)).toBe('4.3s');
    expect(formatSeconds(75)).toBe('1m15s');
    expect(formatSeconds(3600 * 2 + 60 * 5)).toBe('2h5m');
  });
});

describe('workspace and config', () => {
  it('init creates every file and never overwrites an edit', () => {
    for (const f of [ws.config, ws.projects, ws.defaultSchema, ws.notify]) expect(existsSync(f)).toBe(true);
    expect(JSON.parse(readFileSync(ws.defaultSchema, 'utf8'))).toEqual(DEFAULT_RESULT_SCHEMA);
    const edited = { ...JSON.parse(readFileSync(ws.config, 'utf8')), tmux_session: 'mine', custom_key: 1 };
    writeFileSync(ws.config, JSON.stringify(edited));
    expect(ensureWorkspace(ws.home).created).toEqual([]);
    expect(JSON.parse(readFileSync(ws.config, 'utf8'))).toEqual(edited);
    expect(loadConfig(ws).tmux_session).toBe('mine');
  });

  it('built-in profiles stay available beside user profiles', () => {
    updateConfigFile(ws, { profiles: { mine: { agent: 'shell', command: ['true'] } } });
    const cfg = loadConfig(ws);
    expect(getProfile(cfg, 'mine').agent).toBe('shell');
    expect(getProfile(cfg, 'deep').agent).toBe('codex');
    expect(() => getProfile(cfg, 'nope')).toThrow(/unknown profile "nope": use one of .*spark/);
  });

  it('a corrupt or invalid config.json is a clear error, and updates refuse to overwrite it', () => {
    writeFileSync(ws.config, '{ "tmux_session": ');
    expect(() => loadConfig(ws)).toThrow(/config\.json is not valid JSON .*agentctl init/);
    expect(() => updateConfigFile(ws, { tmux_session: 'x' })).toThrow(AppError);
    expect(readFileSync(ws.config, 'utf8')).toBe('{ "tmux_session": ');
    writeFileSync(ws.config, JSON.stringify({ max_panes_per_window: 'four' }));
    expect(() => loadConfig(ws)).toThrow(/max_panes_per_window: .*fix that setting/);
  });
});

describe('run store', () => {
  it('resolves exact ids, unique prefixes and suffixes; reports ambiguity and unknown ids', () => {
    addRun('20260101-000000-aaaa');
    addRun('20260101-000001-bbbb');
    expect(resolveRunId(ws, '20260101-000000-aaaa')).toBe('20260101-000000-aaaa');
    expect(resolveRunId(ws, 'bbbb')).toBe('20260101-000001-bbbb');
    expect(resolveRunId(ws, '20260101-000001')).toBe('20260101-000001-bbbb');
    expect(() => resolveRunId(ws, '20260101')).toThrow(/matches 2 runs .*give more of the id/);
    expect(() => resolveRunId(ws, 'zzzz')).toThrow(/no run matches "zzzz"/);
    expect(() => resolveRunId(ws, '../etc')).toThrow(/invalid run id/);
  });

  it('a duplicate id is refused', () => {
    addRun('dup');
    expect(() => createRunDir(ws, 'dup')).toThrow(/run id dup is already taken/);
  });

  it('orders newest first from the index, placing runs missing from it by their record', () => {
    addRun('old', { created_at: '2026-01-01T00:00:00.000Z' });
    addRun('mid', { created_at: '2026-01-02T00:00:00.000Z' });
    addRun('new', { created_at: '2026-01-03T00:00:00.000Z' });
    indexRun(ws, 'old', '2026-01-01T00:00:00.000Z');
    indexRun(ws, 'new', '2026-01-03T00:00:00.000Z');
    indexRun(ws, 'gone', '2026-01-04T00:00:00.000Z'); // its directory was removed
    expect(runIdsNewestFirst(ws)).toEqual(['new', 'mid', 'old']);
  });

  it('corrupt records are named, not fatal', () => {
    addRun('good');
    createRunDir(ws, 'bad');
    writeFileSync(join(ws.runs, 'bad', 'meta.json'), '{"version": 1, "run_id": "bad"');
    expect(() => readMeta(ws, 'bad')).toThrow(/run bad: meta\.json is unreadable \(not JSON/);
    writeFileSync(join(ws.runs, 'bad', 'meta.json'), JSON.stringify({ version: 1, run_id: 'bad' }));
    expect(() => readMeta(ws, 'bad')).toThrow(/meta\.json is unreadable \(title/);
    expect(readMeta(ws, 'good').run_id).toBe('good');
  });

  it('reads records written before worktrees existed', () => {
    const m = addRun('old-format');
    const { worktree: _dropped, ...old } = m;
    writeFileSync(join(ws.runs, 'old-format', 'meta.json'), JSON.stringify(old));
    const back = readMeta(ws, 'old-format');
    expect(back.worktree).toBeUndefined();
    expect(runCwd(back)).toBe(dir);
  });

  it('keeps fields written by newer versions', () => {
    const m = addRun('x');
    writeMeta(ws, { ...m, future_field: 42 } as Meta);
    expect((readMeta(ws, 'x') as Record<string, unknown>).future_field).toBe(42);
  });
});

describe('files', () => {
  it('atomic writes never leave temp files behind', () => {
    const f = join(dir, 'a.json');
    for (let i = 0; i < 20; i++) writeFileAtomic(f, `{"i":${i}}`);
    expect(readFileSync(f, 'utf8')).toBe('{"i":19}');
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});

describe('projects', () => {
  it('registers, resolves by name, by path and by the current directory', () => {
    const proj = join(dir, 'proj');
    mkdirSync(join(proj, 'sub'), { recursive: true });
    addProject(ws, 'api', proj, 'deep');
    expect(loadProjects(ws).projects.api).toMatchObject({ path: proj, default_profile: 'deep' });
    expect(resolveProject(ws, 'api', dir)).toEqual({ name: 'api', dir: proj, defaultProfile: 'deep' });
    expect(resolveProject(ws, undefined, join(proj, 'sub'))).toMatchObject({ name: 'api', dir: join(proj, 'sub') });
    expect(resolveProject(ws, './proj', dir)).toMatchObject({ name: 'api', dir: proj });
    expect(resolveProject(ws, undefined, dir)).toEqual({ name: null, dir });
    expect(() => resolveProject(ws, 'nope', dir)).toThrow(/unknown project "nope": register it .* or use one of api/);
    expect(() => addProject(ws, 'x', join(dir, 'missing'))).toThrow(/does not exist/);
    expect(() => addProject(ws, '../x', proj)).toThrow(/invalid project name/);
  });

  it('keeps a per-project worktree default', () => {
    const proj = join(dir, 'wt');
    mkdirSync(proj);
    addProject(ws, 'wt', proj, undefined, true);
    expect(resolveProject(ws, 'wt', dir)).toMatchObject({ name: 'wt', worktree: true });
    addProject(ws, 'wt', proj, undefined, false);
    expect(resolveProject(ws, undefined, proj)).toMatchObject({ name: 'wt', worktree: false });
    expect(loadConfig(ws)).toMatchObject({ worktree: false, worktree_commit: true });
  });
});

describe('outcomes', () => {
  const answer = (value: unknown, extra = {}) => ({ rawText: JSON.stringify(value), value, ...extra });
  const ok = { goal_met: true, summary: 's', followup_prompt: '', notes: '' };

  it('goal_met decides a valid answer', () => {
    expect(decideOutcome({ stop: null, final: answer(ok), validationErrors: [], exitCode: 0 })).toEqual({ outcome: 'goal_met', goal_met: true, summary: 's', followup_prompt: '' });
    expect(decideOutcome({ stop: null, final: answer({ ...ok, goal_met: false, followup_prompt: 'f' }), validationErrors: [], exitCode: 0 })).toMatchObject({ outcome: 'goal_not_met', followup_prompt: 'f' });
  });

  it('a schema without goal_met falls back to the exit code', () => {
    expect(decideOutcome({ stop: null, final: answer({ x: 1 }), validationErrors: [], exitCode: 0 }).outcome).toBe('goal_met');
  });

  it('stops win, then agent errors, then invalid output', () => {
    expect(decideOutcome({ stop: 'timed_out', final: answer(ok), validationErrors: [], exitCode: null }).outcome).toBe('timed_out');
    expect(decideOutcome({ stop: null, final: answer(ok, { agentError: 'exit 1' }), validationErrors: [], exitCode: 1 })).toMatchObject({ outcome: 'agent_error', goal_met: false });
    expect(decideOutcome({ stop: null, final: { rawText: 'prose', value: undefined, parseError: 'no JSON' }, validationErrors: [], exitCode: 0 })).toMatchObject({ outcome: 'invalid_output', summary: 'invalid output: the final answer is not JSON (no JSON)' });
    expect(decideOutcome({ stop: null, final: { rawText: '', value: undefined }, validationErrors: [], exitCode: 0 }).summary).toBe('invalid output: the agent gave no final answer');
    expect(decideOutcome({ stop: null, final: answer({ goal_met: 'yes' }), validationErrors: ['/goal_met must be boolean'], exitCode: 0 })).toMatchObject({ outcome: 'invalid_output', goal_met: false, summary: 'invalid output: /goal_met must be boolean' });
  });

  it('exit codes follow the documented table', () => {
    const codes = Object.fromEntries((['goal_met', 'goal_not_met', 'invalid_output', 'agent_error', 'cancelled', 'timed_out', 'lost'] as const).map((o) => [o, exitCodeFor({ status: 'finished', outcome: o })]));
    expect(codes).toEqual({ goal_met: 0, goal_not_met: 1, invalid_output: 3, agent_error: 3, cancelled: 4, timed_out: 4, lost: 4 });
    expect(exitCodeFor({ status: 'running', outcome: null })).toBe(5);
  });

  it('the compact result carries the fields wait prints, and the last error of a failed run', () => {
    const m = meta('r', { status: 'lost', outcome: 'lost', started_at: '2026-01-01T00:00:00.000Z', ended_at: '2026-01-01T00:00:02.500Z', errors: ['first', 'pane closed'] });
    expect(compactResult(m)).toEqual({
      run_id: 'r', status: 'lost', outcome: 'lost', goal_met: null, summary: null, followup_prompt: null, exit_code: null,
      git_diff_stat: null, duration_s: 2.5, escalated_to: null, parent_run_id: null, branch: null, worktree: null, error: 'pane closed',
    });
  });

  it('wake-up line is agent-orc compatible', () => {
    expect(wakeLine(meta('abc', { goal_met: true, exit_code: 0 }))).toBe('[AI_ORCH DONE run_id=abc goal_met=true exit=0]');
    expect(wakeLine(meta('abc', { goal_met: null }))).toBe('[AI_ORCH DONE run_id=abc goal_met=false exit=none]');
  });

  it('tmux format characters in user text are made literal', () => {
    expect(escapeFormat('fix #{pane_id} #1')).toBe('fix ##{pane_id} ##1');
  });
});

describe('schemas', () => {
  it('the default schema is strict-mode compatible and validates answers', async () => {
    expect(strictModeProblem(DEFAULT_RESULT_SCHEMA)).toBeNull();
    expect(await validateAnswer(DEFAULT_RESULT_SCHEMA as never, { goal_met: true, summary: '', followup_prompt: '', notes: '' })).toEqual([]);
    const errs = await validateAnswer(DEFAULT_RESULT_SCHEMA as never, { goal_met: 'yes', summary: 1, extra: 1 });
    expect(errs.join('\n')).toMatch(/goal_met must be boolean/);
    expect(errs.join('\n')).toMatch(/must have required property 'followup_prompt'/);
    expect(errs.join('\n')).toMatch(/additional properties \(extra\)/);
  });

  it('names the strict-mode problem codex would hit', () => {
    expect(strictModeProblem({ type: 'object', properties: { a: { type: 'string' } }, required: ['a'] })).toMatch(/^#: set "additionalProperties": false/);
    expect(strictModeProblem({ type: 'object', additionalProperties: false, properties: { a: { type: 'string' }, b: { type: 'string' } }, required: ['a'] })).toMatch(/missing b/);
    expect(strictModeProblem({ type: 'object', additionalProperties: false, required: ['l'], properties: { l: { type: 'array', items: { type: 'object', properties: { x: {} } } } } })).toMatch(/#\/properties\/l\/items: set "additionalProperties"/);
  });

  it('an invalid schema is refused with the reason', async () => {
    await expect(checkSchema({ type: 12 }, 'x.json')).rejects.toThrow(/schema x\.json is not a valid JSON Schema/);
    await expect(checkSchema({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object' }, 'y.json')).resolves.toBeUndefined();
  });
});

describe('process trees', () => {
  it('kills a whole tree, including a grandchild that ignores SIGTERM', async () => {
    const child = spawn('sh', ['-c', "trap '' TERM; sh -c 'trap \"\" TERM; sleep 1000' & sleep 1000"], { detached: true, stdio: 'ignore' });
    const pid = child.pid!;
    await new Promise((r) => setTimeout(r, 200));
    const tree = descendants(pid);
    expect(tree.length).toBeGreaterThanOrEqual(2);
    expect(procStartTime(pid)).toMatch(/^\d+$/);
    expect(sameProcessAlive(pid, procStartTime(pid))).toBe(true);
    expect(sameProcessAlive(pid, '1')).toBe(false); // a recycled pid is not the recorded process
    await killTree(pid, 300);
    await new Promise((r) => setTimeout(r, 100));
    for (const p of [pid, ...tree]) {
      const state = existsSync(`/proc/${p}/stat`) ? readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]?.[0] : 'gone';
      expect(['gone', 'Z'], `pid ${p}`).toContain(state);
    }
    expect(pidAlive(999999999)).toBe(false);
  });
});

describe('version', () => {
  it('--version matches package.json', () => {
    expect(VERSION).toBe(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version);
  });
});
