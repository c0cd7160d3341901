// Whether a run needs a prompt is decided once, by the agent of the run being made (its
// profile's, or --agent's): a shell run needs none, every other agent does. Checked from a real
// terminal (a tmux pane: stdin is a TTY), through the CLI and through the MCP server.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, type RunResult, suiteEnv, type TestEnv, waitFor, writeConfig } from '../helpers/harness.js';

let t: TestEnv;
suiteEnv((env) => (t = env));

let panes = 0;
/**
 * `agentctl args...` run in a tmux pane of the test's server, so its stdin is a terminal. Not as
 * an orchestrator's pane (no $TMUX): its workers go elsewhere and outlive the pane.
 */
async function inTerminal(args: string[]): Promise<RunResult> {
  const n = ++panes;
  const file = (ext: string) => join(t.root, `terminal-${n}.${ext}`);
  const quoted = ['--home', t.home, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  writeFileSync(file('sh'), `#!/bin/sh\ncd '${t.root}'\nunset TMUX TMUX_PANE\n[ -t 0 ] || { echo 'stdin is not a terminal' > '${file('err')}'; echo 99 > '${file('rc')}'; exit; }\n'${BIN}' ${quoted} > '${file('out')}' 2> '${file('err')}'\necho $? > '${file('rc')}'\nexec sleep 60\n`, { mode: 0o755 });
  const session = `terminal-${n}`;
  t.tmux(['new-session', '-d', '-s', session, '-x', '200', '-y', '50', file('sh')]);
  try {
    const rc = await waitFor(() => existsSync(file('rc')) && readFileSync(file('rc'), 'utf8').trim(), 20_000, `agentctl ${args.join(' ')} in a terminal`);
    return { code: Number(rc), stdout: readFileSync(file('out'), 'utf8'), stderr: readFileSync(file('err'), 'utf8') };
  } finally {
    t.tmux(['kill-session', '-t', session]);
  }
}

/** Wait for a run; returns its compact result. */
async function ended(id: string): Promise<Record<string, unknown>> {
  const r = await t.run(['wait', '--timeout', '30', id]);
  return JSON.parse(r.stdout);
}

beforeAll(() => {
  // a profile that names its own command, and one that needs a prompt
  writeConfig(t, { profiles: { tests: { agent: 'shell', command: ['sh', '-c', 'exit 0'] } } });
});

describe('start from a terminal', () => {
  it('a shell profile that names its command needs no prompt', async () => {
    const r = await inTerminal(['start', '--profile', 'tests', '--title', 'from a terminal']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const id = r.stdout.trim();
    expect(await ended(id)).toMatchObject({ run_id: id, outcome: 'goal_met' });
    expect(t.meta(id)).toMatchObject({ profile: 'tests', agent: 'shell', command: ['sh', '-c', 'exit 0'] });
    expect(readFileSync(join(t.home, 'runs', id, 'prompt.md'), 'utf8')).toBe('');
  });

  it('a profile whose agent needs a prompt says how to give one, and starts nothing', async () => {
    const r = await inTerminal(['start', '--profile', 'spark']);
    expect(r.stderr).toBe("agentctl: no prompt: pipe it on stdin (agentctl start ... <<'PROMPT') or pass --prompt-file FILE\n");
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
  });
});

describe('resume: the new run\'s agent decides', () => {
  let shellRun: string;
  let claudeRun: string;
  const clients: Client[] = [];
  let mcp: Client;

  beforeAll(async () => {
    shellRun = await t.start(['--agent', 'shell', '--title', 'a shell run', '--', 'true']);
    claudeRun = await t.start(['--profile', 'claude', '--title', 'a claude run'], 'Say hi.\n');
    await ended(shellRun);
    await ended(claudeRun);
    const transport = new StdioClientTransport({ command: BIN, args: ['--home', t.home, 'mcp'], env: t.env, cwd: t.root, stderr: 'pipe' });
    mcp = new Client({ name: 'agentctl-inputs-test', version: '1.0.0' });
    await mcp.connect(transport);
    clients.push(mcp);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => {})));
  });

  const resumeRun = async (args: Record<string, unknown>) =>
    (await mcp.callTool({ name: 'resume_run', arguments: args }, undefined, { timeout: 60_000 })) as { isError?: boolean; content: { text: string }[]; structuredContent?: any };

  it('over MCP: a shell run resumed on a claude profile needs a prompt', async () => {
    const r = await resumeRun({ parent_run_id: shellRun, profile: 'claude' });
    expect(r.isError, JSON.stringify(r.structuredContent)).toBe(true);
    expect(r.content[0]!.text).toBe('empty prompt: give the task for the worker in "prompt"');
  });

  it('over MCP: a claude run resumed on a shell profile with its own command needs none', async () => {
    const r = await resumeRun({ parent_run_id: claudeRun, profile: 'tests' });
    expect(r.isError, r.content[0]?.text).toBeFalsy();
    expect(r.structuredContent).toMatchObject({ parent_run_id: claudeRun, profile: 'tests', agent: 'shell', mode: 'fresh' });
    expect(await ended(r.structuredContent.run_id)).toMatchObject({ outcome: 'goal_met' });
  });

  it('on the command line: a shell run resumed on a claude profile needs a prompt', async () => {
    const r = await t.run(['resume', '--parent-run-id', shellRun, '--profile', 'claude'], { input: '' });
    expect(r.stderr).toBe("agentctl: empty prompt: pipe the prompt on stdin (agentctl start ... <<'PROMPT') or pass --prompt-file FILE");
    expect(r.code).toBe(2);
  });

  it('from a terminal: a claude run resumed on a shell profile with its own command needs none', async () => {
    const r = await inTerminal(['resume', '--parent-run-id', claudeRun, '--profile', 'tests']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const id = r.stdout.trim();
    expect(t.meta(id)).toMatchObject({ parent_run_id: claudeRun, profile: 'tests', agent: 'shell', mode: 'fresh' });
    expect(await ended(id)).toMatchObject({ outcome: 'goal_met' });
  });
});
