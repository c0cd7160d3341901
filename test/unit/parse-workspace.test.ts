// The fast tier, part 2: the files a user edits by hand (config.json, projects.json, result
// schemas), read in-process. A bad file is named in the error together with the fix, and the
// error is checked as the CLI prints it.
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliWording } from '../../src/cli/wording.js';
import { AppError } from '../../src/core/sys/errors.js';
import { DEFAULT_PROFILES, defaultConfigFile, ensureWorkspace, getProfile, loadConfig, updateConfigFile } from '../../src/core/workspace/config.js';
import type { Workspace } from '../../src/core/workspace/paths.js';
import { addProject, loadProjects, removeProject, resolveProject } from '../../src/core/workspace/projects.js';
import { checkSchema, readSchemaFile, strictModeProblem, validateAnswer } from '../../src/core/workspace/schema.js';

/** What the CLI prints (after "agentctl: ") for the AppError that fn throws. */
async function cliError(fn: () => unknown): Promise<string> {
  try {
    await fn();
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return err.render(cliWording);
  }
  throw new Error('expected an error');
}

let dir: string;
let ws: Workspace;
beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'agentctl-parse-ws-')));
  ws = ensureWorkspace(join(dir, 'ws')).ws;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const writeConfig = (value: unknown) => writeFileSync(ws.config, typeof value === 'string' ? value : JSON.stringify(value));

describe('config.json', () => {
  it('absent, every default applies and every built-in profile is there; init writes them all out', () => {
    rmSync(ws.config);
    const cfg = loadConfig(ws);
    expect(cfg).toMatchObject({ tmux_session: 'ai', max_panes_per_window: 4, default_profile: 'spark', keep_pane_on_failure: true, worktree: false });
    expect(Object.keys(cfg.profiles).sort()).toEqual(Object.keys(DEFAULT_PROFILES).sort());
    expect(defaultConfigFile()).toMatchObject({ max_escalations: 2, worktree_commit: true, profiles: DEFAULT_PROFILES });
  });

  it('not JSON: the file is named, with the parser\'s reason and the way out', async () => {
    writeConfig('{ "tmux_session": "ai",, }');
    const text = await cliError(() => loadConfig(ws));
    expect(text.startsWith(`${ws.config} is not valid JSON (`)).toBe(true);
    expect(text.endsWith('): fix it, or move it aside and run "agentctl init"')).toBe(true);
  });

  it.each([
    [{ max_panes_per_window: 33 }, 'max_panes_per_window'],
    [{ max_escalations: -1 }, 'max_escalations'],
    [{ tmux_session: '' }, 'tmux_session'],
    [{ profiles: { mine: { agent: 'cursor' } } }, 'profiles.mine.agent'],
    [{ profiles: { mine: { agent: 'shell', command: [] } } }, 'profiles.mine.command'],
    [[1, 2], '(top level)'],
  ])('a bad setting (%j) is named by its path in the file, with the fix', async (value, path) => {
    writeConfig(value);
    const text = await cliError(() => loadConfig(ws));
    expect(text.startsWith(`${ws.config}: ${path}: `), text).toBe(true);
    expect(text.endsWith(': fix that setting or remove it to get the default')).toBe(true);
  });

  it('a user profile named like a built-in one replaces it; settings it does not know are kept', () => {
    writeConfig({ profiles: { spark: { agent: 'shell', command: ['true'] } }, team_note: 'kept' });
    const cfg = loadConfig(ws);
    expect(getProfile(cfg, 'spark')).toEqual({ agent: 'shell', command: ['true'] });
    expect(getProfile(cfg, 'deep').agent).toBe('codex');
    updateConfigFile(ws, { tmux_session: 'mine' });
    expect(JSON.parse(readFileSync(ws.config, 'utf8'))).toEqual({ profiles: { spark: { agent: 'shell', command: ['true'] } }, team_note: 'kept', tmux_session: 'mine' });
  });
});

describe('projects.json and project names', () => {
  const proj = () => {
    const p = join(dir, 'proj');
    mkdirSync(p, { recursive: true });
    return p;
  };

  it.each(['a b', '../x', '-x', '.x', 'a'.repeat(65), ''])('name %j is refused with the rule, and nothing is registered', async (name) => {
    const before = readFileSync(ws.projects, 'utf8');
    expect(await cliError(() => addProject(ws, name, proj()))).toBe(`invalid project name ${JSON.stringify(name)}: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit`);
    expect(readFileSync(ws.projects, 'utf8')).toBe(before);
  });

  it('the directory must exist and be a directory; it is stored with symlinks resolved', async () => {
    const file = join(dir, 'file.txt');
    writeFileSync(file, '');
    expect(await cliError(() => addProject(ws, 'f', file))).toBe(`project directory ${file} is not a directory: give a directory`);
    const link = join(dir, 'link');
    symlinkSync(proj(), link);
    expect(addProject(ws, 'linked', link).project.path).toBe(join(dir, 'proj'));
  });

  it('a corrupt or malformed projects.json is named with the fix, and is not overwritten', async () => {
    writeFileSync(ws.projects, '{"projects": {');
    const text = await cliError(() => addProject(ws, 'api', proj()));
    expect(text).toMatch(new RegExp(`^${ws.projects} is not valid JSON \\(.*\\): fix it, or move it aside and add your projects again$`));
    expect(readFileSync(ws.projects, 'utf8')).toBe('{"projects": {');
    writeFileSync(ws.projects, JSON.stringify({ projects: { api: { path: 5 } } }));
    expect(await cliError(() => loadProjects(ws))).toMatch(new RegExp(`^${ws.projects}: projects\\.api\\.path: .*: fix that entry$`));
  });

  it('unknown, removed and vanished projects: each error says what to run', async () => {
    expect(await cliError(() => resolveProject(ws, 'nope', dir))).toBe('unknown project "nope": register it with "agentctl add-project nope <path>"');
    expect(await cliError(() => removeProject(ws, 'nope'))).toBe('unknown project "nope": see "agentctl projects"');
    const gone = join(dir, 'gone');
    mkdirSync(gone);
    addProject(ws, 'old', gone);
    rmSync(gone, { recursive: true });
    expect(await cliError(() => resolveProject(ws, 'old', dir))).toBe(`project "old" points to ${gone}, which no longer exists: run "agentctl add-project old <new path>"`);
  });

  it('a directory inside two registered projects belongs to the innermost; an unregistered name that is a directory is a path', () => {
    const outer = proj();
    const inner = join(outer, 'packages', 'web');
    mkdirSync(join(inner, 'src'), { recursive: true });
    addProject(ws, 'mono', outer);
    addProject(ws, 'web', inner, 'claude');
    expect(resolveProject(ws, undefined, join(inner, 'src'))).toEqual({ name: 'web', dir: join(inner, 'src'), defaultProfile: 'claude', worktree: undefined });
    expect(resolveProject(ws, 'packages', outer)).toMatchObject({ name: 'mono', dir: join(outer, 'packages') });
  });
});

describe('result schema files', () => {
  it('a schema file that is missing, not JSON or not an object is named, with the fix', async () => {
    const path = join(dir, 'schema.json');
    expect(await cliError(() => readSchemaFile(path))).toBe(`cannot read schema file ${path}: ENOENT: give an existing JSON Schema file`);
    writeFileSync(path, '{"type": ');
    expect(await cliError(() => readSchemaFile(path))).toMatch(new RegExp(`^schema file ${path} is not valid JSON \\(.+\\): fix the file$`));
    for (const value of ['[]', '5', 'null']) {
      writeFileSync(path, value);
      expect(await cliError(() => readSchemaFile(path))).toBe(`schema file ${path} must hold a JSON Schema object`);
    }
  });

  it('a schema that does not compile is refused with the reason and the fix', async () => {
    expect(await cliError(() => checkSchema({ type: 'object', properties: { a: { type: 'strin' } } }, 'mine.json'))).toMatch(/^schema mine\.json is not a valid JSON Schema \(.+\): fix the schema$/);
    expect(await validateAnswer({ type: 'nope' }, {})).toEqual([expect.stringMatching(/^schema does not compile: /)]);
  });

  it('two schemas sharing an $id each validate by their own rules, whatever draft they declare', async () => {
    const a = { $id: 'https://example.invalid/result', type: 'object', required: ['a'] };
    const b = { $id: 'https://example.invalid/result', $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', required: ['b'] };
    expect(await validateAnswer(a, { a: 1 })).toEqual([]);
    expect(await validateAnswer(b, { a: 1 })).toEqual(["(root) must have required property 'b'"]);
    expect(await validateAnswer(a, 'text')).toEqual(['(root) must be object']);
  });

  it('the strict-mode problem is located inside $defs and anyOf; a non-object schema has none', () => {
    expect(strictModeProblem({ type: 'object', additionalProperties: false, required: [], properties: {}, $defs: { item: { type: 'object', properties: {} } } })).toBe('#/$defs/item: set "additionalProperties": false');
    const anyOf = { type: 'object', additionalProperties: false, required: ['v'], properties: { v: { anyOf: [{ type: 'string' }, { type: 'object', additionalProperties: false, properties: { x: {} } }] } } };
    expect(strictModeProblem(anyOf)).toBe('#/properties/v/anyOf/1: list every property in "required" (missing x)');
    expect(strictModeProblem(true)).toBeNull();
  });
});
