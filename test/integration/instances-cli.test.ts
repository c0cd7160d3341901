// The instance front-ends end to end: the built CLI and the MCP server over stdio, driving real
// Claude Code TUIs on a private tmux server that talk only to the scripted loopback model
// server. The README's worked example as a user types it (a chief with an architect and a
// developer: a plan asked for and handed on, the developer interrupted and redirected, its
// permission request denied with a message), what the commands print, and the MCP tools with
// the implicit parent. Skipped without $AGENTCTL_REAL_CLIS (bash .ci/run sets it).
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, makeEnv, parseJsonLines, type RunResult, type TestEnv } from '../helpers/harness.js';
import { type ModelServer, startModelServer } from '../helpers/model-server.mjs';
import { offlineAgentEnv } from '../helpers/real-clis.js';
import { contextText, Turns } from '../helpers/turns.js';

const REAL = process.env.AGENTCTL_REAL_CLIS;
const why = (() => {
  if (!REAL) return 'AGENTCTL_REAL_CLIS is not set (bash .ci/run installs the real CLIs and sets it)';
  try {
    accessSync(join(REAL, 'claude'), constants.X_OK);
    return undefined;
  } catch {
    return `no claude in AGENTCTL_REAL_CLIS=${REAL}`;
  }
})();

const suite = why ? describe.skip : describe;
suite(`instance commands and tools with real claude instances${why ? ` (skipped: ${why})` : ''}`, () => {
  let t: TestEnv;
  let server: ModelServer;
  let turns: Turns;
  let repo: string;
  let env: Record<string, string>;
  const ids: Record<string, string> = {};
  const clients: Client[] = [];

  /** `agentctl args...` as a user runs it in the repository, stdin from `input` (stdout without its last newline). */
  const run = (args: string[], input?: string, extra: Record<string, string> = {}): Promise<RunResult> => t.run(args, { input, cwd: repo, env: { ...env, ...extra }, timeoutMs: 90_000 });

  beforeAll(async () => {
    t = await makeEnv();
    repo = t.repo();
    expect((await t.run(['init'])).code).toBe(0);
    server = await startModelServer();
    turns = new Turns(server, 'anthropic');
    env = {
      ...t.env,
      PATH: `${REAL}:${t.env.PATH}`,
      TMPDIR: t.dir('tmp'),
      ...offlineAgentEnv(server.url),
    };
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => {})));
    if (t) await run(['stop', ...Object.values(ids)]).catch(() => {});
    await server?.close();
    await t?.cleanup();
  }, 90_000);

  it('spawn prints the id once the agent is ready; the role and the standing instructions reach it', async () => {
    const arch = await run(['spawn', '--agent', 'claude', '--role', 'architect', '--name', 'arch'], 'The payments service. Its HTTP API must not change.\n');
    expect(arch).toMatchObject({ code: 0, stderr: '' });
    expect(arch.stdout).toMatch(/^i-[a-z0-9]{6}$/);
    ids.arch = arch.stdout.trim();
    const dev = await run(['spawn', '--agent', 'claude', '--role', 'developer', '--name', 'dev', '--permissions', 'ask', '--json']);
    const view = JSON.parse(dev.stdout);
    expect(view).toMatchObject({ name: 'dev', role: 'developer', agent: 'claude', status: 'idle', parent: null, cwd: repo });
    ids.dev = view.id;

    const asking = run(['ask', 'arch'], 'Plan retries with backoff for src/webhook.ts.\n');
    const req = await turns.reply({ text: 'Plan: 3 steps, no API change\n1. backoff' });
    expect(req.prompt).toContain('Plan retries with backoff for src/webhook.ts.');
    const everything = JSON.stringify(req.body);
    expect(everything).toContain("You are the team's architect");
    expect(everything).toContain('Its HTTP API must not change.');
    const asked = await asking;
    expect(asked).toMatchObject({ code: 0, stderr: '' });
    expect(parseJsonLines(asked.stdout)).toEqual([
      expect.objectContaining({ instance: ids.arch, name: 'arch', turn: 1, status: 'idle', outcome: 'completed', reply: 'Plan: 3 steps, no API change\n1. backoff' }),
    ]);
  }, 180_000);

  it('the plan handed on, the developer interrupted and redirected, its permission request denied with a message', async () => {
    const sent = await run(['send', 'dev'], 'Implement this plan:\nPlan: 3 steps, no API change\n1. backoff\n');
    expect(sent).toEqual({ code: 0, stdout: `{"instance":"${ids.dev}","name":"dev","turn":1}`, stderr: '' });
    await turns.next(); // held: the turn is at work until the interrupt

    const table = (await run(['instances'])).stdout.split('\n');
    expect(table[0]).toMatch(/^NAME\s+ID\s+ROLE\s+AGENT\s+STATUS\s+SINCE\s+SOURCE\s+TURN\s+PARENT$/);
    expect(table.find((l) => l.startsWith('dev '))).toMatch(new RegExp(`^dev\\s+${ids.dev}\\s+developer\\s+claude\\s+working\\s+.+ ago\\s+hook\\s+1\\s+-$`));
    const refused = await run(['send', 'dev'], 'are you done?');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^agentctl: .*working/);

    expect(await run(['interrupt', 'dev'])).toEqual({ code: 0, stdout: `${ids.dev} dev: idle (turn 1)`, stderr: '' });

    const asking = run(['ask', 'dev'], 'Change of plan: retry only on 429 and 503.\n');
    // (interrupted before any output, claude drops that prompt from its context: nothing to check there)
    const held = await turns.next();
    held.answer({ toolCalls: [{ name: 'Bash', arguments: { command: 'npm install p-retry', description: 'add a retry library' } }] });
    const asked = await asking;
    expect(asked.code).toBe(1);
    const [report] = parseJsonLines(asked.stdout);
    expect(report).toMatchObject({ instance: ids.dev, turn: 2, status: 'needs_permission', outcome: 'needs_permission', reply: null, permission: { tool: 'Bash', input: { command: 'npm install p-retry' } } });
    expect((await run(['instances'])).stdout).toMatch(/\bneeds_permission \(Bash\)/);

    const answered = await run(['answer', 'dev', 'deny', '--message', 'No new dependencies: write the loop yourself.']);
    expect(answered).toMatchObject({ code: 0, stderr: '' });
    expect(answered.stdout).toMatch(new RegExp(`^${ids.dev} dev: working \\(turn 2\\)$`));
    const after = await turns.next();
    expect(contextText(after.request)).toContain('No new dependencies: write the loop yourself.');
    after.answer({ text: 'Done: retries on 429/503 without new dependencies.' });
    const waited = await run(['wait', 'dev']);
    expect(waited.code).toBe(0);
    expect(parseJsonLines(waited.stdout)).toEqual([expect.objectContaining({ name: 'dev', turn: 2, outcome: 'completed', reply: 'Done: retries on 429/503 without new dependencies.' })]);

    const read = await run(['read', 'dev', '-n', '1']);
    expect(read.code).toBe(0);
    expect(read.stdout).toMatch(/^turn 2 · completed · \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\n> Change of plan: retry only on 429 and 503\.\n· Bash \{"command":"npm install p-retry"/);
    expect(read.stdout).toMatch(/\nDone: retries on 429\/503 without new dependencies\.$/);
    expect(parseJsonLines((await run(['read', 'dev', '--json'])).stdout).map((x) => x.n)).toEqual([1, 2]);
  }, 240_000);

  it('run commands given an instance, and instance commands given a run, say which it is', async () => {
    const shown = await run(['show', 'dev']);
    expect(shown).toMatchObject({ code: 2, stdout: '' });
    expect(shown.stderr).toMatch(/^agentctl: dev is an instance, not a run: /);
    const logs = await run(['logs', ids.dev!]);
    expect(logs.stderr).toMatch(new RegExp(`^agentctl: ${ids.dev} is an instance, not a run: `));
    const runId = await t.start(['--agent', 'shell', '--title', 'a run', '--', 'true'], undefined, { cwd: repo });
    const read = await run(['read', runId]);
    expect(read).toMatchObject({ code: 2, stdout: '' });
    expect(read.stderr).toMatch(new RegExp(`^agentctl: ${runId} is a run id, not an instance: `));
  }, 60_000);

  it('over MCP: the server of an instance spawns children of it; send with wait returns the reply; terminate', async () => {
    const transport = new StdioClientTransport({
      command: BIN,
      args: ['--home', t.home, 'mcp', '--max-wait', '60'],
      env: { ...env, AGENTCTL_PARENT_INSTANCE: ids.arch! },
      cwd: repo,
      stderr: 'pipe',
    });
    const client = new Client({ name: 'instances-test', version: '1.0.0' });
    await client.connect(transport);
    clients.push(client);
    const call = async (name: string, args: Record<string, unknown>) => {
      const r = (await client.callTool({ name, arguments: args }, undefined, { timeout: 120_000 })) as { isError?: boolean; content: { text: string }[]; structuredContent?: any };
      expect(r.isError, `${name}: ${r.content[0]?.text}`).toBeFalsy();
      return r.structuredContent;
    };

    const child = await call('spawn_instance', { agent: 'claude', role: 'tester', name: 'qa', instructions: 'Report in one line.' });
    expect(child).toMatchObject({ name: 'qa', role: 'tester', status: 'idle', parent: ids.arch });
    ids.qa = child.id;
    const sending = call('send_to_instance', { ids: ['qa'], message: '/test the retries', wait: true });
    const req = await turns.reply({ text: 'Pass: 4 retry cases.' });
    expect(req.prompt).toContain('/test the retries');
    expect(await sending).toEqual({
      sent: [{ instance: ids.qa, name: 'qa', turn: 1 }],
      replies: [expect.objectContaining({ instance: ids.qa, outcome: 'completed', reply: 'Pass: 4 retry cases.' })],
      still_working: [],
    });

    const tree = (await run(['instances', '--tree'])).stdout.split('\n').slice(1).map((l) => l.match(/^\s*\S+/)![0]);
    expect(tree.slice(0, 3)).toEqual(['arch', '  qa', 'dev']);
    const listed = await call('list_instances', {});
    expect(listed.instances.map((v: { name: string }) => v.name).sort()).toEqual(['arch', 'dev', 'qa']);
    const out = await call('get_instance_output', { id: 'qa' });
    expect(out.turns).toEqual([expect.objectContaining({ n: 1, outcome: 'completed', reply: 'Pass: 4 retry cases.' })]);

    const ended = await call('terminate_instance', { ids: ['arch'], tree: true });
    expect(ended.instances.map((v: { name: string; status: string }) => [v.name, v.status])).toEqual([['qa', 'exited'], ['arch', 'exited']]);
    expect((await run(['stop', 'dev'])).stdout).toBe(`${ids.dev} dev: exited (turn 2)`);
    expect((await run(['instances'])).stdout).toBe('no instances: spawn one with "agentctl spawn" (--all shows exited ones)');
    expect(parseJsonLines((await run(['instances', '--all', '--json'])).stdout)).toHaveLength(3);
    expect(server.proxyAttempts).toEqual([]);
  }, 240_000);
});
