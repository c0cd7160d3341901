// agentctl as an MCP server, driven by the SDK's own client: over stdio (the built CLI spawned
// as Claude Code would) and Streamable HTTP. Tools and schemas, the run lifecycle with the fake
// agents, several servers and the CLI sharing runs, bad input as tool errors, the HTTP token and
// host checks, install-claude, and the worktree tools (diff, merge, discard, clean) on real
// git repositories.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, realpathSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { execaSync } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, parseJsonLines, suiteEnv, type TestEnv, waitFor, writeConfig } from '../helpers/harness.js';

let t: TestEnv;
suiteEnv((env) => (t = env));

const TOOLS = [
  'add_project', 'cancel_run', 'clean_worktrees', 'discard_run', 'doctor', 'escalate_run', 'land_runs', 'list_projects', 'list_runs', 'merge_run', 'notifications', 'resume_run', 'run_diff',
  'run_logs', 'show_run', 'start_run', 'wait_runs',
  'answer_permission', 'coordinate_instances', 'get_instance_output', 'get_instance_status', 'interrupt_instance', 'list_instances', 'revive_instance',
  'send_to_instance', 'spawn_instance', 'terminate_instance', 'wait_instances',
  'list_workflows', 'run_workflow', 'workflow_status',
].sort();

interface ToolResult {
  isError?: boolean;
  content: { type: string; text: string }[];
  structuredContent?: any;
}

const clients: Client[] = [];
const servers: ChildProcess[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => {})));
  for (const s of servers) s.kill('SIGTERM');
});

/** A client connected to `agentctl mcp` over stdio, spawned from the built launcher. */
async function stdio(args: string[] = [], o: { cwd?: string; command?: string; commandArgs?: string[] } = {}): Promise<Client> {
  const transport = new StdioClientTransport({
    command: o.command ?? BIN,
    args: o.commandArgs ?? ['--home', t.home, 'mcp', ...args],
    env: t.env,
    cwd: o.cwd ?? t.root,
    stderr: 'pipe',
  });
  const client = new Client({ name: 'agentctl-test', version: '1.0.0' });
  await client.connect(transport);
  clients.push(client);
  return client;
}

async function call(c: Client, name: string, args: Record<string, unknown> = {}): Promise<ToolResult> {
  return (await c.callTool({ name, arguments: args }, undefined, { timeout: 90_000 })) as ToolResult;
}

/** A successful call's structured content. */
async function ok(c: Client, name: string, args: Record<string, unknown> = {}): Promise<any> {
  const r = await call(c, name, args);
  expect(r.isError, `${name}: ${r.content[0]?.text}`).toBeFalsy();
  expect(r.content[0]?.type).toBe('text');
  expect(r.content[0]?.text.length).toBeGreaterThan(0);
  return r.structuredContent;
}

/** A failed call's one-line message. */
async function refused(c: Client, name: string, args: Record<string, unknown>): Promise<string> {
  const r = await call(c, name, args);
  expect(r.isError, `${name} should fail: ${JSON.stringify(r.structuredContent)}`).toBe(true);
  const text = r.content[0]!.text;
  expect(text).not.toContain('\n');
  return text;
}

/** The CLI's message as a model reads it: commands are tools there, and flags are arguments. */
const inToolWords = (cliText: string): string =>
  cliText
    .replaceAll('"agentctl list"', '"list_runs"')
    .replace(/"agentctl add-project (\S+) <path>"/, '"add_project ($1, <path>)"')
    .replace(/"agentctl resume --parent-run-id (\S+)"/, '"resume_run (parent_run_id: $1)"')
    .replace(/drop --worktree\b/, 'drop worktree: true')
    .replace(/drop --no-worktree\b/, 'drop worktree: false')
    .replace(/pass --no-worktree\b/, 'pass worktree: false')
    .replace(/^--with-changes /, 'with_changes ')
    .replace(/add --agent shell$/, 'add agent: shell')
    .replace(/"agentctl wait (\S+)"/, '"wait_runs ($1)"');

/** What the CLI prints on stderr for the same mistake, without its "agentctl: " prefix. */
async function cliError(args: string[], input?: string, code = 2): Promise<string> {
  const r = await t.run(args, { input });
  expect(r.code, r.stderr).toBe(code);
  return r.stderr.trim().replace(/^agentctl: /, '');
}

/** wait_runs until every run has ended, however many capped waits that takes (CPU contention). */
async function waitEnded(c: Client, ids: string[]): Promise<any[]> {
  const deadline = Date.now() + 150_000;
  for (;;) {
    const w = await ok(c, 'wait_runs', { ids });
    if (w.done) return w.runs;
    if (Date.now() > deadline) throw new Error(`runs still going: ${w.still_running.join(', ')}`);
  }
}

let repo: string;
let a: Client;

describe('over stdio', () => {
  it('lists every tool with a description, an input schema and an output schema', async () => {
    repo = t.repo();
    a = await stdio();
    const { tools } = await a.listTools();
    expect(tools.map((x) => x.name).sort()).toEqual(TOOLS);
    // `agentctl mcp --help` names them all
    const help = (await t.run(['mcp', '--help'])).stdout.replace(/\s+/g, ' ');
    for (const name of TOOLS) expect(help, name).toMatch(new RegExp(`\\b${name}\\b`));
    for (const tool of tools) {
      expect(tool.description!.length, tool.name).toBeGreaterThan(150);
      expect(tool.inputSchema.type).toBe('object');
      expect(tool.outputSchema?.type, tool.name).toBe('object');
    }
    const byName = Object.fromEntries(tools.map((x) => [x.name, x]));
    expect(Object.keys(byName.start_run!.inputSchema.properties!)).toEqual(
      expect.arrayContaining(['prompt', 'project', 'profile', 'agent', 'command', 'title', 'model', 'schema', 'timeout', 'auto_escalate', 'window', 'worktree', 'base', 'with_changes']),
    );
    expect(Object.keys(byName.start_run!.outputSchema!.properties!)).toEqual(expect.arrayContaining(['branch', 'worktree', 'base']));
    expect(Object.keys((byName.wait_runs!.outputSchema!.properties as any).runs.items.properties)).toEqual(expect.arrayContaining(['branch', 'worktree']));
    expect(Object.keys((byName.list_runs!.outputSchema!.properties as any).runs.items.properties)).toEqual(expect.arrayContaining(['branch', 'merged', 'branch_state', 'worktree']));
    expect(Object.keys(byName.add_project!.inputSchema.properties!)).toContain('worktree');
    expect(byName.show_run!.description).toMatch(/worktree record/);
    expect((byName.run_diff!.inputSchema.properties as any).form.enum).toEqual(['patch', 'stat', 'name_only']);
    expect(byName.merge_run!.inputSchema.required).toEqual(['id']);
    for (const name of ['merge_run', 'land_runs', 'discard_run', 'clean_worktrees']) expect(byName[name]!.annotations?.destructiveHint, name).toBe(true);
    expect(byName.run_diff!.annotations?.readOnlyHint).toBe(true);
    expect((byName.start_run!.inputSchema.properties as any).agent.enum).toEqual(['codex', 'claude', 'gemini', 'shell']);
    expect(byName.wait_runs!.inputSchema.required).toEqual(['ids']);
    expect((byName.wait_runs!.inputSchema.properties as any).mode.enum).toEqual(['all', 'any']);
    expect(byName.show_run!.inputSchema.required).toEqual(['id']);
    expect(byName.resume_run!.inputSchema.required).toEqual(['parent_run_id']);
    expect(Object.keys(byName.wait_runs!.outputSchema!.properties!)).toEqual(expect.arrayContaining(['done', 'timed_out', 'runs', 'still_running']));
    expect(byName.cancel_run!.annotations?.destructiveHint).toBe(true);
    expect(byName.show_run!.annotations?.readOnlyHint).toBe(true);
  });

  it('start, wait, show, logs, resume, escalate: the whole loop with the fake agents', async () => {
    const started = await ok(a, 'start_run', { project: repo, title: 'first try', prompt: 'Fix the bug.\n@fake goal_met=false\n@fake followup=try harder\n@fake summary=half done' });
    expect(started).toMatchObject({ status: 'pending', title: 'first try', project_dir: realpathSync(repo), profile: 'spark', agent: 'codex', mode: 'new' });
    const id: string = started.run_id;

    const w = await ok(a, 'wait_runs', { ids: [id.slice(-4)], timeout_s: 40 });
    expect(w).toMatchObject({ done: true, timed_out: false, still_running: [] });
    expect(w.runs).toEqual([expect.objectContaining({ run_id: id, status: 'finished', outcome: 'goal_not_met', goal_met: false, summary: 'half done', followup_prompt: 'try harder' })]);

    const shown = await ok(a, 'show_run', { id });
    expect(shown).toMatchObject({ run_id: id, outcome: 'goal_not_met', agent: 'codex', result: { goal_met: false, summary: 'half done' } });
    expect(shown.files.prompt).toBe(join(t.home, 'runs', id, 'prompt.md'));
    expect(readFileSync(shown.files.prompt, 'utf8')).toContain('Fix the bug.');

    const logs = await ok(a, 'run_logs', { id, lines: 2 });
    expect(logs.lines).toHaveLength(2);
    expect(logs.total_lines).toBeGreaterThan(2);
    expect(logs.footer.at(-1)).toMatch(/^-- goal_not_met · exit 0 · half done$/);

    const resumed = await ok(a, 'resume_run', { parent_run_id: id, prompt: 'Now finish it.' });
    expect(resumed).toMatchObject({ mode: 'resume', parent_run_id: id, profile: 'spark' });
    const escalated = await ok(a, 'escalate_run', { id });
    expect(escalated).toMatchObject({ profile: 'deep', escalated_from: id, parent_run_id: id });
    const both = await ok(a, 'wait_runs', { ids: [resumed.run_id, escalated.run_id], mode: 'all', timeout_s: 40 });
    expect(both.runs.map((r: any) => r.outcome)).toEqual(['goal_met', 'goal_met']);
    expect(t.meta(id).escalated_to).toBe(escalated.run_id);
    expect(readFileSync(join(t.home, 'runs', escalated.run_id, 'prompt.md'), 'utf8')).toBe('try harder');

    const listed = await ok(a, 'list_runs', { limit: 3 });
    expect(listed.runs.map((r: any) => r.run_id).sort()).toEqual([id, resumed.run_id, escalated.run_id].sort());
    expect((await ok(a, 'list_runs', { status: 'goal_not_met' })).runs.map((r: any) => r.run_id)).toEqual([id]);
  });

  it('the shell agent takes a command; a wait shorter than the run returns it still running; cancel stops it', async () => {
    const { run_id: id } = await ok(a, 'start_run', { project: repo, agent: 'shell', command: ['sleep', '60'], title: 'sleeper' });
    await waitFor(() => t.meta(id).status === 'running', 15_000, 'the run to start');
    const t0 = Date.now();
    const w = await ok(a, 'wait_runs', { ids: [id], timeout_s: 1 });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(w).toMatchObject({ done: false, timed_out: true, still_running: [id] });
    expect(w.runs[0]).toMatchObject({ run_id: id, status: 'running', outcome: null });

    const c = await ok(a, 'cancel_run', { id });
    expect(c).toMatchObject({ run_id: id, status: 'finished', outcome: 'cancelled', goal_met: false });
    expect(await refused(a, 'cancel_run', { id })).toBe(await cliError(['cancel', id]));
  });

  it('wait_runs in mode any returns with the first run that ends, and names the others as still running', async () => {
    const { run_id: quick } = await ok(a, 'start_run', { project: repo, agent: 'shell', command: ['true'], title: 'quick' });
    const { run_id: slow } = await ok(a, 'start_run', { project: repo, agent: 'shell', command: ['sleep', '60'], title: 'slow' });
    const w = await ok(a, 'wait_runs', { ids: [slow, quick], mode: 'any', timeout_s: 40 });
    expect(w).toMatchObject({ done: true, timed_out: false, still_running: [slow] });
    expect(w.runs.map((r: { run_id: string }) => r.run_id)).toEqual([quick]);
    expect((await ok(a, 'cancel_run', { id: slow })).outcome).toBe('cancelled');
  });

  it('wait_runs never blocks longer than --max-wait, whatever timeout it is asked for', async () => {
    const capped = await stdio(['--max-wait', '2']);
    const { run_id: id } = await ok(capped, 'start_run', { project: repo, agent: 'shell', command: ['sleep', '30'] });
    const t0 = Date.now();
    const w = await ok(capped, 'wait_runs', { ids: [id], timeout_s: 600 });
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(1900);
    expect(took).toBeLessThan(15_000);
    expect(w).toMatchObject({ timed_out: true, still_running: [id] });
    await ok(capped, 'cancel_run', { id });
  });

  it('notifications: the first call gives the latest lines and a cursor; the next only what is new', async () => {
    const first = await ok(a, 'notifications', { lines: 2 });
    expect(first.notifications).toHaveLength(2);
    expect(first.cursor).toMatch(/^\d+:\d+$/);
    const again = await ok(a, 'notifications', { cursor: first.cursor });
    expect(again).toMatchObject({ notifications: [], cursor: first.cursor, more: false, reset: false });

    const { run_id: id } = await ok(a, 'start_run', { project: repo, agent: 'shell', command: ['true'], title: 'notify me' });
    await ok(a, 'wait_runs', { ids: [id] });
    const next = await ok(a, 'notifications', { cursor: first.cursor });
    expect(next.notifications.map((n: any) => [n.event, n.run_id])).toEqual([
      ['start', id],
      ['finish', id],
    ]);
    const paged = await ok(a, 'notifications', { cursor: first.cursor, max: 1 });
    expect(paged).toMatchObject({ more: true });
    expect(paged.notifications.map((n: any) => n.event)).toEqual(['start']);
    expect((await ok(a, 'notifications', { cursor: paged.cursor })).notifications.map((n: any) => n.event)).toEqual(['finish']);
    expect((await ok(a, 'notifications', { cursor: next.cursor })).notifications).toEqual([]);
  });

  it('projects, doctor, and a start in the server\'s working directory', async () => {
    const added = await ok(a, 'add_project', { name: 'app', path: repo, default_profile: 'claude' });
    expect(added).toMatchObject({ name: 'app', path: realpathSync(repo), default_profile: 'claude', replaced: false });
    expect((await ok(a, 'list_projects')).projects).toEqual([expect.objectContaining({ name: 'app', path: realpathSync(repo), default_profile: 'claude' })]);
    expect((await t.run(['projects', '--json'])).stdout).toContain(realpathSync(repo));

    const byName = await ok(a, 'start_run', { project: 'app', prompt: 'Say hi.' });
    expect(byName).toMatchObject({ project: 'app', profile: 'claude', agent: 'claude' });

    // a server started in the project directory (as Claude Code starts one) runs workers there
    const inRepo = await stdio([], { cwd: repo });
    const here = await ok(inRepo, 'start_run', { prompt: 'Say hi.', agent: 'gemini' });
    expect(here).toMatchObject({ project: 'app', project_dir: realpathSync(repo), agent: 'gemini' });
    const rel = await ok(inRepo, 'start_run', { project: '.', agent: 'shell', command: ['pwd'] });
    expect(rel.project_dir).toBe(realpathSync(repo));
    const done = await ok(a, 'wait_runs', { ids: [byName.run_id, here.run_id, rel.run_id] });
    expect(done.runs.map((r: any) => r.outcome)).toEqual(['goal_met', 'goal_met', 'goal_met']);

    const doctor = await ok(a, 'doctor');
    expect(doctor.ok).toBe(true);
    expect(doctor.checks.map((c: any) => c.name)).toEqual(expect.arrayContaining(['node', 'tmux', 'codex', 'claude', 'gemini', 'config', 'projects']));
  });

  it('two servers and the CLI see each other\'s runs', async () => {
    const b = await stdio();
    const { run_id: fromA } = await ok(a, 'start_run', { project: repo, agent: 'shell', command: ['sh', '-c', 'sleep 1; exit 3'], title: 'from a' });
    expect((await ok(b, 'list_runs', { limit: 1 })).runs[0]).toMatchObject({ run_id: fromA, title: 'from a' });
    const wB = await ok(b, 'wait_runs', { ids: [fromA] });
    expect(wB.runs[0]).toMatchObject({ run_id: fromA, outcome: 'goal_not_met', exit_code: 3 });
    expect(JSON.parse((await t.run(['show', fromA])).stdout)).toMatchObject({ run_id: fromA, outcome: 'goal_not_met' });

    const fromCli = await t.start(['--project', repo, '--agent', 'shell', '--title', 'from the cli', '--', 'true']);
    expect((await ok(a, 'wait_runs', { ids: [fromCli] })).runs[0]).toMatchObject({ run_id: fromCli, outcome: 'goal_met' });
    expect(await ok(b, 'show_run', { id: fromCli })).toMatchObject({ title: 'from the cli', status: 'finished' });

    const { run_id: fromB } = await ok(b, 'start_run', { project: repo, agent: 'shell', command: ['true'], title: 'from b' });
    const cliWait = await t.run(['wait', '--timeout', '30', fromB]);
    expect(cliWait.code).toBe(0);
    expect(parseJsonLines(cliWait.stdout)[0]).toMatchObject({ run_id: fromB, outcome: 'goal_met' });
  });

  it('bad input is a tool error with the CLI\'s message, and the server keeps serving', async () => {
    const same = async (name: string, args: Record<string, unknown>, cli: string[], input?: string) => expect(await refused(a, name, args)).toBe(inToolWords(await cliError(cli, input)));
    await same('show_run', { id: 'nosuchrun' }, ['show', 'nosuchrun']);
    await same('wait_runs', { ids: ['nosuchrun'] }, ['wait', 'nosuchrun']);
    await same('run_logs', { id: 'nosuchrun' }, ['logs', 'nosuchrun']);
    await same('cancel_run', { id: 'nosuchrun' }, ['cancel', 'nosuchrun']);
    await same('escalate_run', { id: 'nosuchrun' }, ['escalate', 'nosuchrun']);
    await same('resume_run', { parent_run_id: 'nosuchrun', prompt: 'x' }, ['resume', '--parent-run-id', 'nosuchrun'], 'x');
    await same('start_run', { project: repo, profile: 'nosuch', prompt: 'x' }, ['start', '--project', repo, '--profile', 'nosuch'], 'x');
    await same('start_run', { project: 'nosuchproject', prompt: 'x' }, ['start', '--project', 'nosuchproject'], 'x');
    await same('start_run', { project: join(repo, 'missing'), prompt: 'x' }, ['start', '--project', join(repo, 'missing')], 'x');
    await same('start_run', { project: repo, timeout: 'soon', prompt: 'x' }, ['start', '--project', repo, '--timeout', 'soon'], 'x');
    await same('start_run', { project: repo, timeout: -5, prompt: 'x' }, ['start', '--project', repo, '--timeout', '-5'], 'x');
    await same('start_run', { project: repo, schema: join(repo, 'none.json'), prompt: 'x' }, ['start', '--project', repo, '--schema', join(repo, 'none.json')], 'x');
    // a file that is not JSON (a secrets file) is named, never quoted; a FIFO does not block the server
    const secrets = join(t.root, 'secrets.env');
    writeFileSync(secrets, 'API_KEY=do-not-echo-4242\n');
    await same('start_run', { project: repo, schema: secrets, prompt: 'x' }, ['start', '--project', repo, '--schema', secrets], 'x');
    expect(await refused(a, 'start_run', { project: repo, schema: secrets, prompt: 'x' })).not.toContain('do-not-echo');
    const fifo = join(t.root, 'schema.fifo');
    execaSync('mkfifo', [fifo]);
    expect(await refused(a, 'start_run', { project: repo, schema: fifo, prompt: 'x' })).toBe(`cannot read schema file ${fifo}: not a regular file (a FIFO): give an existing JSON Schema file`);
    await same('start_run', { project: repo, agent: 'shell' }, ['start', '--project', repo, '--agent', 'shell']);
    await same('start_run', { project: repo, prompt: 'x', command: ['true'], agent: 'codex' }, ['start', '--project', repo, '--agent', 'codex', '--', 'true'], 'x');
    // the same problem and fix, each naming the option as its user gives it: a flag, an argument
    const worded = async (name: string, args: Record<string, unknown>, cli: string[], words: { cli: string; mcp: string }) => {
      expect(await refused(a, name, args)).toBe(words.mcp);
      expect(await cliError(cli)).toBe(words.cli);
    };
    const statuses = 'pending, running, finished, lost, goal_met, goal_not_met, invalid_output, agent_error, cancelled, timed_out, lost, budget_exceeded, corrupt';
    await worded('list_runs', { status: 'sideways' }, ['list', '--status', 'sideways'], {
      cli: `invalid --status "sideways": use one of ${statuses}`,
      mcp: `invalid status "sideways": use one of ${statuses}`,
    });
    await worded('list_runs', { limit: -1 }, ['list', '--limit', '-1'], { cli: 'invalid --limit "-1": give a whole number (0 for all)', mcp: 'invalid limit "-1": give a whole number (0 for all)' });
    await same('add_project', { name: 'gone', path: join(repo, 'missing') }, ['add-project', 'gone', join(repo, 'missing')]);
    await same('add_project', { name: 'bad name', path: repo }, ['add-project', 'bad name', repo]);
    await same('add_project', { name: 'p2', path: repo, default_profile: 'nosuch' }, ['add-project', 'p2', repo, '--default-profile', 'nosuch']);
    const goalMet = (await ok(a, 'list_runs', { status: 'goal_met', limit: 1 })).runs[0].run_id;
    await same('escalate_run', { id: goalMet, profile: 'deep' }, ['escalate', goalMet, '--profile', 'deep']);

    expect(await refused(a, 'start_run', { project: repo, prompt: '  \n' })).toBe('empty prompt: give the task for the worker in "prompt"');
    // ...but a profile that runs a command needs none, as on the command line
    writeConfig(t, { profiles: { lint: { agent: 'shell', command: ['true'] } } });
    const lint = await ok(a, 'start_run', { project: repo, profile: 'lint', title: 'lint' });
    expect(lint).toMatchObject({ profile: 'lint', agent: 'shell' });
    await waitEnded(a, [lint.run_id]);
    expect(await refused(a, 'wait_runs', { ids: [goalMet], timeout_s: 0 })).toBe('invalid timeout_s "0": must be greater than zero');
    expect(await refused(a, 'wait_runs', { ids: [goalMet], timeout_s: -1 })).toBe('invalid timeout_s "-1": use seconds or units like 90s, 15m, 1h30m');
    expect(await refused(a, 'notifications', { cursor: 'yesterday' })).toMatch(/^invalid cursor "yesterday": pass the cursor the previous notifications call returned/);
    // the SDK checks types and required fields against the input schema
    expect(await refused(a, 'wait_runs', { ids: [] })).toMatch(/^MCP error -32602: Input validation error: .*ids/);
    expect(await refused(a, 'start_run', { prompt: 'x', agent: 'cobol' })).toMatch(/Input validation error: .*agent/);
    expect(await refused(a, 'show_run', {})).toMatch(/Input validation error: .*id/);
    expect(await refused(a, 'no_such_tool', {})).toMatch(/Tool no_such_tool not found/);

    // still serving
    expect((await ok(a, 'list_runs', { limit: 1 })).runs).toHaveLength(1);
  });

  it('install-claude runs "claude mcp add" with a command that serves this workspace', async () => {
    const r = await t.run(['mcp', 'install-claude', '--scope', 'user']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Added stdio MCP server agentctl with command: .*agentctl --home .* mcp to user config$/m);
    const entry = JSON.parse(readFileSync(join(t.userHome, '.claude.json'), 'utf8')).mcpServers.agentctl;
    expect(entry).toEqual({ type: 'stdio', command: realpathSync(BIN), args: ['--home', t.home, 'mcp'], env: {} });
    // the recorded command really serves this workspace
    const viaConfig = await stdio([], { command: entry.command, commandArgs: entry.args });
    expect((await ok(viaConfig, 'list_projects')).projects.map((p: any) => p.name)).toContain('app');

    const again = await t.run(['mcp', 'install-claude', '--scope', 'user']);
    expect(again.code).toBe(2);
    expect(again.stderr).toBe('agentctl: claude mcp add failed: MCP server agentctl already exists in user config: fix that (e.g. "claude mcp remove agentctl --scope user" first), then run this again');

    const local = await t.run(['mcp', 'install-claude'], { cwd: repo });
    expect(local.code, local.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(t.userHome, '.claude.json'), 'utf8')).projects[repo].mcpServers.agentctl.args).toEqual(['--home', t.home, 'mcp']);

    const dry = await t.run(['mcp', 'install-claude', '--scope', 'project', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`claude mcp add --scope project agentctl -- ${realpathSync(BIN)} --home ${t.home} mcp\n`);
    expect(JSON.parse(dry.stdout.slice(dry.stdout.indexOf('{')))).toEqual({ mcpServers: { agentctl: { command: realpathSync(BIN), args: ['--home', t.home, 'mcp'] } } });

    // without claude on PATH: a clear error, nothing run
    const bin = join(t.root, 'nodeonly');
    mkdirSync(bin);
    symlinkSync(process.execPath, join(bin, 'node'));
    const none = await t.run(['mcp', 'install-claude'], { env: { PATH: `${bin}:/usr/bin:/bin` } });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^agentctl: claude \(Claude Code\) is not on PATH: install it .*--dry-run"\)$/);
  });

  it('--token-file without --http, a bad --http address and a bad --max-wait are usage errors', async () => {
    for (const [args, msg] of [
      [['mcp', '--token-file', 'x'], /^agentctl: --token-file is for --http/],
      [['mcp', '--http', '8765', '--token', 'x'], /^agentctl: unknown option '--token'/],
      [['mcp', '--http', 'nohost:'], /^agentctl: invalid --http "nohost:": give PORT or HOST:PORT/],
      [['mcp', '--http', '99999'], /^agentctl: invalid --http "99999"/],
      [['mcp', '--max-wait', '0'], /^agentctl: invalid --max-wait "0": must be greater than zero/],
      [['mcp', 'install-claude', '--scope', 'galaxy'], /^agentctl: option '-s, --scope <scope>' argument 'galaxy' is invalid/],
    ] as const) {
      const r = await t.run([...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(msg);
    }
  });
});

describe('worktrees over stdio', () => {
  const git = (cwd: string, ...args: string[]) => String(execaSync('git', args, { cwd, env: t.env }).stdout);
  const head = (dir: string) => git(dir, 'rev-parse', 'HEAD');
  const branches = (dir: string) => git(dir, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/').split('\n').filter(Boolean);
  const read = (...p: string[]) => readFileSync(join(...p), 'utf8');
  let wtRepo: string;

  it('start_run worktree:true -> wait_runs shows the branch -> run_diff -> merge_run brings it into the checkout', async () => {
    wtRepo = t.repo('mcp-wt', { 'README.md': '# wt\n', 'app.js': 'export const v = 1;\n' });
    const base = head(wtRepo);
    const started = await ok(a, 'start_run', {
      project: wtRepo, profile: 'spark', worktree: true, title: 'bump v', prompt: 'Bump v\n@fake write=app.js:export const v = 2;\\n\n@fake summary=v is 2 now\n',
    });
    const id: string = started.run_id;
    const path = join(t.home, 'worktrees', 'mcp-wt', id);
    expect(started).toMatchObject({ branch: `agentctl/${id}`, worktree: path, base, project_dir: wtRepo });

    const [line] = await waitEnded(a, [id]);
    expect(line).toMatchObject({ run_id: id, outcome: 'goal_met', branch: `agentctl/${id}`, worktree: path, git_diff_stat: '1 file changed, 1 insertion(+), 1 deletion(-)' });
    expect(read(wtRepo, 'app.js')).toBe('export const v = 1;\n'); // the checkout is untouched until the merge
    expect(await ok(a, 'show_run', { id })).toMatchObject({ worktree: { branch: `agentctl/${id}`, path, base, files_changed: ['app.js'], merged: null } });

    const patch = await ok(a, 'run_diff', { id });
    expect(patch).toMatchObject({ run_id: id, form: 'patch', branch: `agentctl/${id}`, truncated: false });
    expect(patch.diff).toContain('-export const v = 1;\n+export const v = 2;');
    expect(patch.diff.trimEnd()).toBe((await t.run(['diff', id])).stdout); // execa drops the final newline
    expect(patch.bytes).toBe(Buffer.byteLength(patch.diff));
    expect((await ok(a, 'run_diff', { id, form: 'stat' })).diff).toMatch(/app\.js \| 2 \+-\n 1 file changed/);
    expect((await ok(a, 'run_diff', { id, form: 'name_only' })).diff).toBe('app.js\n');

    const before = (await ok(a, 'list_runs', { limit: 1 })).runs[0];
    expect(before).toMatchObject({ run_id: id, branch: `agentctl/${id}`, merged: false, branch_state: 'not merged', worktree: path });

    const merged = await call(a, 'merge_run', { id });
    expect(merged.isError, merged.content[0]?.text).toBeFalsy();
    expect(merged.structuredContent).toMatchObject({ run_id: id, branch: `agentctl/${id}`, into: 'main', squash: false, already_merged: false, files_changed: ['app.js'], commit: head(wtRepo) });
    expect(merged.content[0]!.text).toMatch(new RegExp(`^merged agentctl/${id} into main: [0-9a-f]{10}, 1 file changed`));
    expect(read(wtRepo, 'app.js')).toBe('export const v = 2;\n');
    expect(git(wtRepo, 'log', '-1', '--format=%s')).toBe(`Merge agentctl run ${id}: bump v`);
    expect(git(wtRepo, 'status', '--porcelain')).toBe('');
    expect((await ok(a, 'list_runs', { limit: 1 })).runs[0]).toMatchObject({ run_id: id, merged: true, branch_state: 'merged' });

    const again = await call(a, 'merge_run', { id });
    expect(again.structuredContent).toMatchObject({ already_merged: true });
    expect(again.content[0]!.text).toBe(`nothing to merge: agentctl/${id} is already in main`);

    // merged: nothing is lost, so discard removes both
    const gone = await ok(a, 'discard_run', { id });
    expect(gone).toEqual({ path, branch: `agentctl/${id}`, run_id: id, worktree_removed: true, branch_deleted: true, kept: [] });
    expect(existsSync(path)).toBe(false);
    expect(branches(wtRepo)).toEqual(['main']);
  }, 180_000);

  it('two worktree runs edit the same file: the second merge_run is a tool error naming it, the checkout untouched; discard keeps unmerged work unless forced', async () => {
    const repo2 = t.repo('mcp-pair', { 'README.md': '# pair\n', 'shared.txt': 'original\n' });
    const [ra, rb] = await Promise.all([
      ok(a, 'start_run', { project: repo2, profile: 'spark', worktree: true, title: 'A', prompt: 'Edit shared\n@fake write=shared.txt:from A\\n\n@fake sleep=1\n' }),
      ok(a, 'start_run', { project: repo2, profile: 'claude', worktree: true, title: 'B', prompt: 'Edit shared\n@fake write=shared.txt:from B\\n\n@fake sleep=1\n' }),
    ]);
    const [idA, idB] = [ra.run_id as string, rb.run_id as string];
    expect((await waitEnded(a, [idA, idB])).map((r) => r.outcome)).toEqual(['goal_met', 'goal_met']);
    expect(read(repo2, 'shared.txt')).toBe('original\n');

    await ok(a, 'merge_run', { id: idA });
    const afterA = head(repo2);
    expect(read(repo2, 'shared.txt')).toBe('from A\n');

    const conflict = await refused(a, 'merge_run', { id: idB });
    expect(conflict).toMatch(new RegExp(`^run ${idB}'s branch agentctl/${idB} conflicts with main in shared\\.txt: nothing was merged\\. To resolve: `));
    expect(conflict).toContain(`resume the run asking it to resolve the conflict markers in those files ("resume_run (parent_run_id: ${idB})")`);
    expect(conflict).toBe(inToolWords(await cliError(['merge', idB], undefined, 1)));
    expect(head(repo2)).toBe(afterA);
    expect(git(repo2, 'status', '--porcelain')).toBe('');
    expect(read(repo2, 'shared.txt')).toBe('from A\n');
    expect(existsSync(join(repo2, '.git', 'MERGE_HEAD'))).toBe(false);
    expect((await ok(a, 'list_runs', { limit: 2 })).runs.map((r: any) => [r.run_id, r.merged])).toEqual(
      expect.arrayContaining([
        [idA, true],
        [idB, false],
      ]),
    );

    // the branch holds a commit merged nowhere: kept, and said so as a tool error
    const pathB = t.meta(idB).worktree.path;
    const kept = await call(a, 'discard_run', { id: idB });
    expect(kept.isError).toBe(true);
    const keptMsg = `branch agentctl/${idB} has 1 commit not merged anywhere: kept; merge it ("agentctl merge ${idB}"), or pass --force to delete it`;
    expect(kept.content[0]!.text).toBe(`${keptMsg}\nremoved  ${idB}  worktree ${pathB}`);
    expect(kept.structuredContent).toEqual({ path: pathB, branch: `agentctl/${idB}`, run_id: idB, worktree_removed: true, branch_deleted: false, kept: [keptMsg] });
    expect(branches(repo2)).toContain(`agentctl/${idB}`);
    expect(git(repo2, 'show', `agentctl/${idB}:shared.txt`)).toBe('from B');
    // the CLI says the same of what is left
    expect(await cliError(['discard', idB], undefined, 1)).toBe(keptMsg);

    const forced = await ok(a, 'discard_run', { id: idB, force: true });
    expect(forced).toMatchObject({ branch_deleted: true, kept: [] });
    expect(branches(repo2)).not.toContain(`agentctl/${idB}`);
    expect(head(repo2)).toBe(afterA);
  }, 180_000);

  it('clean_worktrees: dry_run reports without touching anything, then cleans as the CLI does', async () => {
    const { run_id: id } = await ok(a, 'start_run', { project: wtRepo, profile: 'spark', worktree: true, title: 'no change', prompt: 'nothing to change\n' });
    await waitEnded(a, [id]);
    const path = t.meta(id).worktree.path;

    const dry = await call(a, 'clean_worktrees', { dry_run: true });
    expect(dry.isError, dry.content[0]?.text).toBeFalsy();
    expect(dry.structuredContent.dry_run).toBe(true);
    expect(dry.structuredContent).not.toHaveProperty('removed');
    expect(dry.structuredContent.would_remove).toEqual(expect.arrayContaining([{ path, branch: `agentctl/${id}`, run_id: id, worktree_removed: true, branch_deleted: true, kept: [] }]));
    expect(dry.content[0]!.text).toContain(`would remove  ${id}  worktree ${path}, branch agentctl/${id}`);
    expect(dry.content[0]!.text).toBe((await t.run(['clean', '--dry-run'])).stdout.trimEnd());
    expect(existsSync(path)).toBe(true);
    expect(branches(wtRepo)).toContain(`agentctl/${id}`);

    expect(await ok(a, 'clean_worktrees', { older_than: '1d' })).toEqual({ removed: [], pruned: [], dry_run: false });
    const cleaned = await call(a, 'clean_worktrees', {});
    expect(cleaned.content[0]!.text).toContain(`removed  ${id}  worktree ${path}, branch agentctl/${id}`);
    expect(existsSync(path)).toBe(false);
    expect(branches(wtRepo)).not.toContain(`agentctl/${id}`);
    expect((await call(a, 'clean_worktrees', {})).content[0]!.text).toBe('nothing to clean');
    expect(await refused(a, 'clean_worktrees', { older_than: 'soon' })).toBe('invalid older_than "soon": use seconds or units like 90s, 15m, 1h30m');
  }, 180_000);

  it('clean_worktrees runs:true removes the records of runs that ended longer ago than older_than', async () => {
    const { run_id: id } = await ok(a, 'start_run', { project: wtRepo, profile: 'spark', title: 'old run', prompt: 'old\n' });
    await waitEnded(a, [id]);
    const metaPath = join(t.home, 'runs', id, 'meta.json');
    const longAgo = new Date(Date.now() - 3 * 86400_000).toISOString();
    writeFileSync(`${metaPath}.tmp`, JSON.stringify({ ...t.meta(id), created_at: longAgo, ended_at: longAgo }));
    renameSync(`${metaPath}.tmp`, metaPath);

    expect(await refused(a, 'clean_worktrees', { runs: true })).toBe('runs needs older_than: say how long ago a run must have ended for its record to be removed (e.g. 7d)');
    const dry = await ok(a, 'clean_worktrees', { runs: true, older_than: '1d', dry_run: true });
    expect(dry).toMatchObject({ runs_would_remove: [id], dry_run: true });
    expect(existsSync(join(t.home, 'runs', id))).toBe(true);
    const done = await call(a, 'clean_worktrees', { runs: true, older_than: '1d' });
    expect(done.structuredContent).toMatchObject({ runs_removed: [id], dry_run: false });
    expect(done.content[0]!.text).toContain(`removed  ${id}  run record`);
    expect(existsSync(join(t.home, 'runs', id))).toBe(false);
    expect((await ok(a, 'list_runs', { limit: 0 })).runs.map((r: any) => r.run_id)).not.toContain(id);
  }, 120_000);

  it('add_project worktree:true makes worktree runs the project default', async () => {
    const added = await ok(a, 'add_project', { name: 'wtproj', path: wtRepo, worktree: true });
    expect(added).toMatchObject({ name: 'wtproj', worktree: true });
    expect((await ok(a, 'list_projects')).projects).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'wtproj', worktree: true })]));
    const byDefault = await ok(a, 'start_run', { project: 'wtproj', profile: 'spark', prompt: 'x\n' });
    expect(byDefault.branch).toBe(`agentctl/${byDefault.run_id}`);
    const plain = await ok(a, 'start_run', { project: 'wtproj', profile: 'spark', worktree: false, prompt: 'x\n' });
    expect(plain.branch).toBeUndefined();
    await waitEnded(a, [byDefault.run_id, plain.run_id]);
    await ok(a, 'discard_run', { id: byDefault.run_id });
  }, 180_000);

  it('run_diff cuts a patch over 200 KB at a line end and says how to get all of it', async () => {
    const { run_id: id } = await ok(a, 'start_run', { project: wtRepo, agent: 'shell', command: ['sh', '-c', 'seq 1 40000 > big.txt'], worktree: true, title: 'big' });
    await waitEnded(a, [id]);
    const r = await call(a, 'run_diff', { id });
    expect(r.isError, r.content[0]?.text).toBeFalsy();
    const d = r.structuredContent;
    const whole = (await t.run(['diff', id])).stdout;
    expect(d).toMatchObject({ run_id: id, form: 'patch', truncated: true, bytes: Buffer.byteLength(whole) + 1 });
    expect(d.bytes).toBeGreaterThan(200_000);
    expect(Buffer.byteLength(d.diff)).toBeLessThanOrEqual(200_000);
    expect(Buffer.byteLength(d.diff)).toBeGreaterThan(190_000);
    expect(d.diff).toMatch(/^diff --git a\/big\.txt b\/big\.txt\n/);
    expect(d.diff.endsWith('\n')).toBe(true);
    expect(whole.startsWith(d.diff)).toBe(true);
    const note = `[truncated: the first ${Buffer.byteLength(d.diff)} of ${d.bytes} bytes of run ${id}'s patch. Call run_diff with form "stat" or "name_only" to see every changed file, or get the whole patch in a shell: agentctl --home ${t.home} diff ${id} > ${id}.patch]`;
    expect(r.content[0]!.text).toBe(`${d.diff}${note}`);
    expect(await ok(a, 'run_diff', { id, form: 'name_only' })).toMatchObject({ diff: 'big.txt\n', truncated: false });
    await ok(a, 'discard_run', { id, force: true });
  }, 180_000);

  it('bad input to the worktree tools is a tool error with the CLI\'s message', async () => {
    const same = async (name: string, args: Record<string, unknown>, cli: string[], input?: string) => expect(await refused(a, name, args)).toBe(inToolWords(await cliError(cli, input)));
    await same('run_diff', { id: 'nosuchrun' }, ['diff', 'nosuchrun']);
    await same('merge_run', { id: 'nosuchrun' }, ['merge', 'nosuchrun']);
    await same('discard_run', { id: 'nosuchrun' }, ['discard', 'nosuchrun']);

    const { run_id: plain } = await ok(a, 'start_run', { project: wtRepo, agent: 'shell', command: ['true'], title: 'no worktree', worktree: false });
    await waitEnded(a, [plain]);
    await same('merge_run', { id: plain }, ['merge', plain]);
    await same('discard_run', { id: plain }, ['discard', plain]);
    expect(await refused(a, 'merge_run', { id: plain })).toMatch(/has no worktree \(it ran in .*\): its changes are already in that checkout$/);

    const notRepo = t.dir('mcp-not-a-repo');
    await same('start_run', { project: notRepo, worktree: true, prompt: 'x' }, ['start', '--project', notRepo, '--worktree'], 'x');
    expect(await refused(a, 'start_run', { project: notRepo, worktree: true, prompt: 'x' })).toMatch(/is not in a git repository, so a worktree cannot be made for the run/);
    await same('start_run', { project: wtRepo, base: 'no-such-branch', prompt: 'x' }, ['start', '--project', wtRepo, '--base', 'no-such-branch'], 'x');
    await same('start_run', { project: wtRepo, worktree: false, with_changes: true, prompt: 'x' }, ['start', '--project', wtRepo, '--no-worktree', '--with-changes'], 'x');
    expect(branches(wtRepo)).toEqual(['main']);

    // a run still going is neither merged nor discarded
    const { run_id: busy } = await ok(a, 'start_run', { project: wtRepo, profile: 'spark', worktree: true, prompt: 'Long\n@fake hang\n' });
    await same('merge_run', { id: busy }, ['merge', busy]);
    expect(await refused(a, 'discard_run', { id: busy })).toMatch(/before you discard it$/);
    await ok(a, 'cancel_run', { id: busy });
    await ok(a, 'discard_run', { id: busy, force: true });
  }, 180_000);
});

// ---------------------------------------------------------------- HTTP

interface HttpServer {
  url: string;
  port: number;
  stderr: () => string;
}

/** `agentctl mcp --http ADDR`, resolved once it says where it listens. */
async function httpServer(listen: string, env: Record<string, string | undefined> = {}, extra: string[] = []): Promise<HttpServer> {
  const child = spawn(BIN, ['--home', t.home, 'mcp', '--http', listen, ...extra], { env: { ...t.env, ...env } as NodeJS.ProcessEnv, cwd: t.root, stdio: ['ignore', 'pipe', 'pipe'] });
  servers.push(child);
  let err = '';
  child.stderr!.on('data', (d) => (err += String(d)));
  let exited = false;
  child.on('exit', () => (exited = true));
  const port = await waitFor(() => {
    if (exited) throw new Error(`agentctl mcp --http ${listen} exited: ${err}`);
    return Number(/serving Streamable HTTP on http:\/\/[^\s]+:(\d+)\/mcp/.exec(err)?.[1] ?? 0);
  }, 20_000, 'the server to listen');
  return { url: `http://127.0.0.1:${port}/mcp`, port, stderr: () => err };
}

async function httpClient(url: string, token?: string): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(url), token ? { requestInit: { headers: { Authorization: `Bearer ${token}` } } } : undefined);
  const client = new Client({ name: 'agentctl-test-http', version: '1.0.0' });
  await client.connect(transport);
  clients.push(client);
  return client;
}

/** A raw initialize request; returns the HTTP status. */
function rawPost(port: number, headers: Record<string, string> = {}): Promise<number> {
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/mcp', method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('over Streamable HTTP', () => {
  it('on loopback a token is required too: kept in a 0600 file in the workspace, never printed, reused on the next start', async () => {
    const s = await httpServer('127.0.0.1:0');
    const file = join(t.home, 'mcp-token');
    expect(s.stderr()).toContain(`the token is in ${file}`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const token = readFileSync(file, 'utf8').trim();
    expect(token).toMatch(/^[\w-]{40,}$/);
    expect(s.stderr()).not.toContain(token);
    // another local account reaches 127.0.0.1 as well: without the token it gets nothing
    expect(await rawPost(s.port)).toBe(401);
    expect(await rawPost(s.port, { authorization: 'Bearer wrong' })).toBe(401);
    await expect(httpClient(s.url)).rejects.toThrow();
    const auth = { authorization: `Bearer ${token}` };
    expect(await rawPost(s.port, auth)).toBe(200);

    const c = await httpClient(s.url, token);
    expect((await c.listTools()).tools.map((x) => x.name).sort()).toEqual(TOOLS);
    const { run_id: id } = await ok(c, 'start_run', { project: repo, agent: 'shell', command: ['sh', '-c', 'echo hi'], title: 'over http' });
    expect((await ok(c, 'wait_runs', { ids: [id] })).runs[0]).toMatchObject({ run_id: id, outcome: 'goal_met' });
    expect(await ok(c, 'show_run', { id })).toMatchObject({ title: 'over http' });
    expect(await refused(c, 'show_run', { id: 'nosuchrun' })).toBe(inToolWords(await cliError(['show', 'nosuchrun'])));
    expect((await ok(c, 'list_runs', { limit: 1 })).runs[0].run_id).toBe(id);

    // the Host and Origin checks still hold, token or not
    expect(await rawPost(s.port, { ...auth, host: 'evil.example:80' })).toBe(403); // DNS rebinding
    expect(await rawPost(s.port, { ...auth, origin: 'http://evil.example' })).toBe(403);
    expect(await rawPost(s.port, { ...auth, origin: `http://localhost:${s.port}` })).toBe(200);

    // the next server of this workspace takes the same token: configured clients keep working
    const again = await httpServer('127.0.0.1:0');
    expect(readFileSync(file, 'utf8').trim()).toBe(token);
    expect(await rawPost(again.port, auth)).toBe(200);
    expect(await rawPost(again.port)).toBe(401);

    // a token file others can read is no secret: refused, with the fix
    chmodSync(file, 0o644);
    const open = await t.run(['mcp', '--http', '127.0.0.1:0']);
    chmodSync(file, 0o600);
    expect(open.code).toBe(2);
    expect(open.stderr).toBe(`agentctl: token file ${file} is open to other users (mode 644): chmod 600 ${file}, or remove it for a new token`);
  });

  it('off loopback: a token is generated and printed; no token or a wrong one gets 401', async () => {
    const s = await httpServer('0.0.0.0:0');
    const token = /generated token \(.*\): (\S+)/.exec(s.stderr())?.[1];
    expect(token).toMatch(/^[\w-]{40,}$/);
    expect(await rawPost(s.port)).toBe(401);
    expect(await rawPost(s.port, { authorization: 'Bearer wrong' })).toBe(401);
    expect(await rawPost(s.port, { authorization: `Basic ${token}` })).toBe(401);
    expect(await rawPost(s.port, { authorization: `Bearer ${token}` })).toBe(200);
    await expect(httpClient(s.url)).rejects.toThrow();
    await expect(httpClient(s.url, 'wrong')).rejects.toThrow();
    const c = await httpClient(s.url, token);
    expect((await ok(c, 'list_runs', { limit: 1 })).runs).toHaveLength(1);
  });

  it('a token from AGENTCTL_MCP_TOKEN or --token-file is enforced, on loopback too', async () => {
    const fromEnv = await httpServer('127.0.0.1:0', { AGENTCTL_MCP_TOKEN: 'env-secret-123' });
    expect(fromEnv.stderr()).not.toContain('env-secret-123');
    expect(await rawPost(fromEnv.port)).toBe(401);
    expect(await rawPost(fromEnv.port, { authorization: 'Bearer env-secret-123' })).toBe(200);
    // a worker could call the server as its user with the token: it never gets it
    const envClient = await httpClient(fromEnv.url, 'env-secret-123');
    const out = join(t.root, 'mcp-worker-env.txt');
    const { run_id: id } = await ok(envClient, 'start_run', { project: repo, agent: 'shell', command: ['sh', '-c', `env > ${out}`] });
    expect((await waitEnded(envClient, [id]))[0]).toMatchObject({ outcome: 'goal_met' });
    const workerEnv = readFileSync(out, 'utf8');
    expect(workerEnv).toContain(`AGENTCTL_RUN_ID=${id}`);
    expect(workerEnv).not.toContain('AGENTCTL_MCP_TOKEN');
    expect(workerEnv).not.toContain('env-secret-123');

    const file = join(t.root, 'token');
    writeFileSync(file, 'file-secret-456\n', { mode: 0o600 });
    const fromFile = await httpServer('0.0.0.0:0', {}, ['--token-file', file]);
    expect(fromFile.stderr()).not.toMatch(/generated token/);
    expect(await rawPost(fromFile.port, { authorization: 'Bearer env-secret-123' })).toBe(401);
    const c = await httpClient(fromFile.url, 'file-secret-456');
    expect((await ok(c, 'list_projects')).projects.length).toBeGreaterThan(0);
  });

  it('install-claude --http registers the server with its token as ${AGENTCTL_MCP_TOKEN}, never the token itself', async () => {
    const s = await httpServer('127.0.0.1:0');
    const file = join(t.home, 'mcp-token');
    const token = readFileSync(file, 'utf8').trim();
    const r = await t.run(['mcp', 'install-claude', '--scope', 'user', '--name', 'agentctl-http', '--http', s.url]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Claude Code will connect to ${s.url}, sending the token from its environment: start it with AGENTCTL_MCP_TOKEN set`);
    expect(r.stdout).toContain(`AGENTCTL_MCP_TOKEN="$(cat ${file})"`);
    const config = readFileSync(join(t.userHome, '.claude.json'), 'utf8');
    expect(config).not.toContain(token);
    const entry = JSON.parse(config).mcpServers['agentctl-http'];
    expect(entry).toEqual({ type: 'http', url: s.url, headers: { Authorization: 'Bearer ${AGENTCTL_MCP_TOKEN}' } });
    // the entry works once Claude Code expands the variable from its environment
    const expanded = entry.headers.Authorization.replace('${AGENTCTL_MCP_TOKEN}', token);
    const transport = new StreamableHTTPClientTransport(new URL(entry.url), { requestInit: { headers: { Authorization: expanded } } });
    const client = new Client({ name: 'as-claude-code', version: '1.0.0' });
    await client.connect(transport);
    clients.push(client);
    expect((await client.listTools()).tools.map((x) => x.name).sort()).toEqual(TOOLS);

    const dry = await t.run(['mcp', 'install-claude', '--http', s.url, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`claude mcp add --transport http --header 'Authorization: Bearer \${AGENTCTL_MCP_TOKEN}' agentctl ${s.url}\n`);
    expect(JSON.parse(dry.stdout.slice(dry.stdout.indexOf('\n{')))).toEqual({ mcpServers: { agentctl: entry } });
    const bad = await t.run(['mcp', 'install-claude', '--http', '8765']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('agentctl: invalid --http "8765": give the server\'s URL, as "agentctl mcp --http" prints it, e.g. http://127.0.0.1:8765/mcp');
  });
});

it('other commands never load the SDK: start stays lean', async () => {
  // a require hook that fails the process if anything loads the SDK (NODE_OPTIONS: the bundle, not the snapshot)
  const hook = join(t.root, 'no-sdk.cjs');
  writeFileSync(hook, `const M = require('node:module'); const load = M._load;
M._load = function (req, ...rest) { if (req.includes('@modelcontextprotocol')) { process.stderr.write('SDK LOADED: ' + req + '\\n'); process.exit(99); } return load.call(this, req, ...rest); };\n`);
  const env = { NODE_OPTIONS: `--require ${hook}` };
  const id = await t.start(['--project', repo, '--agent', 'shell', '--', 'true'], undefined, { env });
  for (const args of [['wait', id], ['show', id], ['list'], ['logs', id], ['projects'], ['mcp', '--help']]) {
    const r = await t.run(args, { env });
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  }
  const served = await t.run(['mcp'], { env, input: '' });
  expect(served.stderr).toMatch(/SDK LOADED/); // the hook does catch the mcp command itself
});
