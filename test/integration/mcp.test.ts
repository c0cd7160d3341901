// agentctl as an MCP server, driven by the SDK's own client: over stdio (the built CLI spawned
// as Claude Code would) and Streamable HTTP. Tools and schemas, the run lifecycle with the fake
// agents, several servers and the CLI sharing runs, bad input as tool errors, the HTTP token and
// host checks, and install-claude.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, parseJsonLines, ROOT, suiteEnv, type TestEnv, waitFor } from '../helpers/harness.js';

let t: TestEnv;
suiteEnv((env) => (t = env));

const TOOLS = ['add_project', 'cancel_run', 'doctor', 'escalate_run', 'list_projects', 'list_runs', 'notifications', 'resume_run', 'run_logs', 'show_run', 'start_run', 'wait_runs'];

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

/** What the CLI prints on stderr for the same mistake, without its "agentctl: " prefix. */
async function cliError(args: string[], input?: string): Promise<string> {
  const r = await t.run(args, { input });
  expect(r.code).toBe(2);
  return r.stderr.trim().replace(/^agentctl: /, '');
}

let repo: string;
let a: Client;

describe('over stdio', () => {
  it('lists every tool with a description, an input schema and an output schema', async () => {
    repo = t.repo();
    a = await stdio();
    const { tools } = await a.listTools();
    expect(tools.map((x) => x.name).sort()).toEqual(TOOLS);
    for (const tool of tools) {
      expect(tool.description!.length, tool.name).toBeGreaterThan(150);
      expect(tool.inputSchema.type).toBe('object');
      expect(tool.outputSchema?.type, tool.name).toBe('object');
    }
    const byName = Object.fromEntries(tools.map((x) => [x.name, x]));
    expect(Object.keys(byName.start_run!.inputSchema.properties!)).toEqual(
      expect.arrayContaining(['prompt', 'project', 'profile', 'agent', 'command', 'title', 'model', 'schema', 'timeout', 'auto_escalate', 'window']),
    );
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
    const same = async (name: string, args: Record<string, unknown>, cli: string[], input?: string) => expect(await refused(a, name, args)).toBe(await cliError(cli, input));
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
    await same('start_run', { project: repo, agent: 'shell' }, ['start', '--project', repo, '--agent', 'shell']);
    await same('start_run', { project: repo, prompt: 'x', command: ['true'], agent: 'codex' }, ['start', '--project', repo, '--agent', 'codex', '--', 'true'], 'x');
    await same('list_runs', { status: 'sideways' }, ['list', '--status', 'sideways']);
    await same('list_runs', { limit: -1 }, ['list', '--limit', '-1']);
    await same('add_project', { name: 'gone', path: join(repo, 'missing') }, ['add-project', 'gone', join(repo, 'missing')]);
    await same('add_project', { name: 'bad name', path: repo }, ['add-project', 'bad name', repo]);
    await same('add_project', { name: 'p2', path: repo, default_profile: 'nosuch' }, ['add-project', 'p2', repo, '--default-profile', 'nosuch']);
    const goalMet = (await ok(a, 'list_runs', { status: 'goal_met', limit: 1 })).runs[0].run_id;
    await same('escalate_run', { id: goalMet, profile: 'deep' }, ['escalate', goalMet, '--profile', 'deep']);

    expect(await refused(a, 'start_run', { project: repo, prompt: '  \n' })).toBe('empty prompt: give the task for the worker in "prompt"');
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
  it('on loopback: the whole loop, no token needed; other Host or Origin names are refused', async () => {
    const s = await httpServer('127.0.0.1:0');
    expect(s.stderr()).not.toMatch(/token/);
    const c = await httpClient(s.url);
    expect((await c.listTools()).tools.map((x) => x.name).sort()).toEqual(TOOLS);
    const { run_id: id } = await ok(c, 'start_run', { project: repo, agent: 'shell', command: ['sh', '-c', 'echo hi'], title: 'over http' });
    expect((await ok(c, 'wait_runs', { ids: [id] })).runs[0]).toMatchObject({ run_id: id, outcome: 'goal_met' });
    expect(await ok(c, 'show_run', { id })).toMatchObject({ title: 'over http' });
    expect(await refused(c, 'show_run', { id: 'nosuchrun' })).toBe(await cliError(['show', 'nosuchrun']));
    expect((await ok(c, 'list_runs', { limit: 1 })).runs[0].run_id).toBe(id);

    expect(await rawPost(s.port)).toBe(200);
    expect(await rawPost(s.port, { host: 'evil.example:80' })).toBe(403); // DNS rebinding
    expect(await rawPost(s.port, { origin: 'http://evil.example' })).toBe(403);
    expect(await rawPost(s.port, { origin: `http://localhost:${s.port}` })).toBe(200);
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

    const file = join(t.root, 'token');
    writeFileSync(file, 'file-secret-456\n', { mode: 0o600 });
    const fromFile = await httpServer('0.0.0.0:0', {}, ['--token-file', file]);
    expect(fromFile.stderr()).not.toMatch(/generated token/);
    expect(await rawPost(fromFile.port, { authorization: 'Bearer env-secret-123' })).toBe(401);
    const c = await httpClient(fromFile.url, 'file-secret-456');
    expect((await ok(c, 'list_projects')).projects.length).toBeGreaterThan(0);
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
  expect(readFileSync(join(ROOT, 'dist', 'agentctl.cjs'), 'utf8')).not.toContain('StreamableHTTPServerTransport = class');
});
