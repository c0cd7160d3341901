// The instance commands' front-end in this process: argv and stdin turned into the app's
// requests, and what is printed (lines, tables, JSON, exit codes, errors). The app's instance
// operations are replaced by recorders here; the engine itself is tested end to end in
// test/integration/instances-cli.test.ts.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { TranscriptTurn } from '../../src/agents/interactive/types.js';
import type { InstanceView, TurnReport } from '../../src/core/instances/types.js';
import { openRun } from '../../src/app/runs.js';
import { createProgram } from '../../src/cli/program.js';
import type { AppError } from '../../src/core/sys/errors.js';
import { mcpWording } from '../../src/mcp/wording.js';
import { newInstance } from '../helpers/instances.js';
import { inProcessWorkspace } from '../helpers/inprocess.js';

const app = vi.hoisted(() => ({
  spawnInstance: vi.fn(),
  sendToInstances: vi.fn(),
  askInstance: vi.fn(),
  interruptInstances: vi.fn(),
  answerPermission: vi.fn(),
  stopInstances: vi.fn(),
  reviveInstances: vi.fn(),
  listInstances: vi.fn(),
  readConversation: vi.fn(),
  stdin: { value: '' as string | Buffer },
}));
vi.mock('../../src/app/instances.js', () => ({
  spawnInstance: app.spawnInstance,
  sendToInstances: app.sendToInstances,
  askInstance: app.askInstance,
  interruptInstances: app.interruptInstances,
  answerPermission: app.answerPermission,
  stopInstances: app.stopInstances,
  reviveInstances: app.reviveInstances,
}));
vi.mock('../../src/app/instance-reads.js', () => ({ listInstances: app.listInstances, readConversation: app.readConversation }));
vi.mock('../../src/core/sys/stdin.js', () => ({ readPrompt: async () => app.stdin.value }));

const w = inProcessWorkspace();

const threeMinutesAgo = new Date(Date.now() - 3 * 60_000).toISOString();

function view(over: Partial<InstanceView> = {}): InstanceView {
  return {
    id: 'i-abc123',
    name: 'dev',
    role: 'developer',
    agent: 'claude',
    model: null,
    project: 'api',
    status: 'idle',
    since: threeMinutesAgo,
    source: 'hook',
    why: null,
    turn: 2,
    permission: null,
    parent: null,
    pane: '%7',
    session_id: 'b1e0c0de-0000-4000-8000-000000000000',
    cwd: '/repo/api',
    ...over,
  };
}

function report(over: Partial<TurnReport> = {}): TurnReport {
  return { instance: 'i-abc123', name: 'dev', turn: 3, status: 'idle', outcome: 'completed', reply: 'done', ...over };
}

beforeEach(() => {
  vi.clearAllMocks();
  app.stdin.value = '';
});

describe('spawn', () => {
  it('passes every option and the standing instructions (trailing newline dropped); prints the id, or the view with --json', async () => {
    app.spawnInstance.mockResolvedValue(view());
    app.stdin.value = 'You own the payments module.\n\n';
    const r = await w.cli(['spawn', '--agent', 'codex', '--role', 'developer', '--name', 'dev', '--model', 'gpt-5.5', '--project', 'api', '--worktree', '--parent', 'chief', '--permissions', 'auto-edit']);
    expect(r).toEqual({ code: 0, stdout: 'i-abc123\n', stderr: '' });
    expect(app.spawnInstance.mock.calls[0]![1]).toEqual({
      agent: 'codex',
      role: 'developer',
      name: 'dev',
      model: 'gpt-5.5',
      project: 'api',
      worktree: true,
      parent: 'chief',
      permissions: 'auto-edit',
      context: 'You own the payments module.',
      wait: true,
    });

    app.stdin.value = '';
    const json = await w.cli(['spawn', '--no-wait', '--json']);
    expect(json.stdout).toBe(`${JSON.stringify(view())}\n`);
    expect(app.spawnInstance.mock.calls[1]![1]).toEqual({ wait: false });
  });

  it('without --parent the app decides (it takes $AGENTCTL_INSTANCE when that names an instance of this workspace)', async () => {
    app.spawnInstance.mockResolvedValue(view());
    await w.cli(['spawn'], { env: { ...w.env, AGENTCTL_INSTANCE: 'i-parent' } });
    expect(app.spawnInstance.mock.calls[0]![1].parent).toBeUndefined();
  });

  it('refuses an unknown agent or permission mode, and instructions that are not text, before spawning', async () => {
    expect(await w.cli(['spawn', '--agent', 'gemini'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'agentctl: option \'--agent <agent>\' argument \'gemini\' is invalid. Allowed choices are claude, codex. (see "agentctl spawn --help")\n',
    });
    expect((await w.cli(['spawn', '--permissions', 'yolo'])).code).toBe(2);
    app.stdin.value = Buffer.from([0xff, 0xfe]);
    expect(await w.cli(['spawn'])).toEqual({ code: 2, stdout: '', stderr: 'agentctl: the standing instructions on stdin is not UTF-8 text: send text\n' });
    expect(app.spawnInstance).not.toHaveBeenCalled();
  });
});

describe('send and ask', () => {
  it('send delivers stdin to every id and prints one {instance, name, turn} line each', async () => {
    app.sendToInstances.mockResolvedValue([
      { instance: 'i-abc123', name: 'dev', turn: 3 },
      { instance: 'i-def456', name: 'qa', turn: 1 },
    ]);
    app.stdin.value = '/plan is a word here\nsecond line ü\n';
    const r = await w.cli(['send', 'dev', 'qa', '--queue']);
    expect(r).toEqual({ code: 0, stdout: '{"instance":"i-abc123","name":"dev","turn":3}\n{"instance":"i-def456","name":"qa","turn":1}\n', stderr: '' });
    expect(app.sendToInstances.mock.calls[0]![1]).toEqual({ ids: ['dev', 'qa'], message: '/plan is a word here\nsecond line ü', queue: true });
  });

  it('no message: one line saying how to give it', async () => {
    for (const cmd of ['send', 'ask']) {
      expect(await w.cli([cmd, 'dev'])).toEqual({ code: 2, stdout: '', stderr: `agentctl: no message on stdin: pipe it in: agentctl ${cmd} ID <<'MSG'\n` });
    }
    expect(app.sendToInstances).not.toHaveBeenCalled();
  });

  it('ask prints the report as one line and exits by its outcome; --timeout is a duration', async () => {
    app.stdin.value = 'Plan it.';
    const codes: Record<string, number> = { completed: 0, needs_permission: 1, failed: 3, interrupted: 4, exited: 4, lost: 4, timeout: 5 };
    for (const [outcome, code] of Object.entries(codes)) {
      app.askInstance.mockResolvedValueOnce(report({ outcome }));
      const r = await w.cli(['ask', 'dev', '--timeout', '2m']);
      expect(r, outcome).toEqual({ code, stdout: `${JSON.stringify(report({ outcome }))}\n`, stderr: '' });
    }
    expect(app.askInstance.mock.calls[0]![1]).toEqual({ id: 'dev', message: 'Plan it.', timeoutMs: 120_000 });
    expect(await w.cli(['ask', 'dev', '--timeout', 'soon'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^agentctl: invalid --timeout "soon"/) });
  });
});

describe('interrupt, answer, stop, revive', () => {
  it('print one short line per instance, or its JSON', async () => {
    app.interruptInstances.mockResolvedValue([view(), view({ id: 'i-def456', name: 'qa', turn: null })]);
    expect((await w.cli(['interrupt', 'dev', 'qa'])).stdout).toBe('i-abc123 dev: idle (turn 2)\ni-def456 qa: idle\n');
    expect(app.interruptInstances.mock.calls[0]![1]).toEqual({ ids: ['dev', 'qa'] });

    const asking = view({ status: 'needs_permission', permission: { request: 'r1', tool: 'Bash', input: { command: 'rm -rf build' }, asked_at: '2026-01-01T00:00:00Z' } });
    app.answerPermission.mockResolvedValue(asking);
    expect((await w.cli(['answer', 'dev', 'deny', '--message', 'use make clean'])).stdout).toBe('i-abc123 dev: needs_permission Bash (turn 2)\n');
    expect(app.answerPermission.mock.calls[0]![1]).toEqual({ id: 'dev', decision: 'deny', message: 'use make clean' });
    expect(await w.cli(['answer', 'dev', 'maybe'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'agentctl: command-argument value \'maybe\' is invalid for argument \'decision\'. Allowed choices are allow, deny. (see "agentctl answer --help")\n',
    });

    app.stopInstances.mockResolvedValue([view({ status: 'exited', name: 'x\x1b]0;pwned\x07' })]);
    expect((await w.cli(['stop', 'dev', '--tree'])).stdout).toBe('i-abc123 x\\e]0;pwned\\a: exited (turn 2)\n');
    expect(app.stopInstances.mock.calls[0]![1]).toEqual({ ids: ['dev'], tree: true });
    expect((await w.cli(['stop', 'dev', '--json'])).stdout).toBe(`${JSON.stringify(view({ status: 'exited', name: 'x\x1b]0;pwned\x07' }))}\n`);
  });

  it('revive takes ids or --all, not neither nor both', async () => {
    app.reviveInstances.mockResolvedValue([view()]);
    expect((await w.cli(['revive', 'dev'])).stdout).toBe('i-abc123 dev: idle (turn 2)\n');
    await w.cli(['revive', '--all']);
    expect(app.reviveInstances.mock.calls.map((c) => c[1])).toEqual([{ ids: ['dev'] }, { all: true }]);
    expect(await w.cli(['revive'])).toEqual({ code: 2, stdout: '', stderr: 'agentctl: nothing to revive: give instance ids or names, or --all\n' });
    expect(await w.cli(['revive', 'dev', '--all'])).toEqual({ code: 2, stdout: '', stderr: 'agentctl: give instance ids or --all, not both\n' });
  });
});

describe('instances', () => {
  const chief = view({ id: 'i-chief0', name: 'chief', role: null, parent: null, turn: 5 });
  const arch = view({ id: 'i-arch00', name: 'architect', role: 'architect', parent: 'i-chief0', status: 'working', source: 'hook' });
  const dev = view({
    id: 'i-dev000',
    name: 'dev',
    parent: 'i-chief0',
    status: 'needs_permission',
    permission: { request: 'r1', tool: 'Bash', input: {}, asked_at: '2026-01-01T00:00:00Z' },
  });
  const qa = view({ id: 'i-qa0000', name: 'qa', role: 'tester', parent: 'i-dev000', agent: 'codex', turn: null, status: 'lost', source: 'process' });

  it('a table for people; --tree puts children under parents; --json one line each', async () => {
    app.listInstances.mockResolvedValue([qa, chief, dev, arch]);
    const table = (await w.cli(['instances'])).stdout.trimEnd().split('\n');
    expect(table[0]).toMatch(/^NAME\s+ID\s+ROLE\s+AGENT\s+STATUS\s+SINCE\s+SOURCE\s+TURN\s+PARENT$/);
    expect(table.slice(1).map((l) => l.split(/\s{2,}/))).toEqual([
      ['qa', 'i-qa0000', 'tester', 'codex', 'lost', '3 minutes ago', 'process', '-', 'dev'],
      ['chief', 'i-chief0', '-', 'claude', 'idle', '3 minutes ago', 'hook', '5', '-'],
      ['dev', 'i-dev000', 'developer', 'claude', 'needs_permission (Bash)', '3 minutes ago', 'hook', '2', 'chief'],
      ['architect', 'i-arch00', 'architect', 'claude', 'working', '3 minutes ago', 'hook', '2', 'chief'],
    ]);
    const tree = (await w.cli(['instances', '--tree'])).stdout.trimEnd().split('\n').slice(1);
    expect(tree.map((l) => l.match(/^\s*\S+/)![0])).toEqual(['chief', '  dev', '    qa', '  architect']);
    const json = (await w.cli(['instances', '--tree', '--json', '--all'])).stdout.trimEnd().split('\n');
    expect(json.map((l) => JSON.parse(l).name)).toEqual(['chief', 'dev', 'qa', 'architect']);
    expect(app.listInstances.mock.calls[2]![1]).toEqual({ all: true });
  });

  it('fits the terminal width and says how to start when there are none', async () => {
    app.listInstances.mockResolvedValue([chief]);
    const narrow = (await w.cli(['instances'], { env: { ...w.env, COLUMNS: '40' } })).stdout.split('\n');
    expect(narrow[1]).toHaveLength(40);
    expect(narrow[1]!.endsWith('…')).toBe(true);
    app.listInstances.mockResolvedValue([]);
    expect((await w.cli(['instances'])).stdout).toBe('no instances: spawn one with "agentctl spawn" (--all shows exited ones)\n');
    expect((await w.cli(['instances', '--all'])).stdout).toBe('no instances: spawn one with "agentctl spawn"\n');
  });
});

describe('read', () => {
  const turns: TranscriptTurn[] = [
    { n: 1, at: null, prompt: 'Plan the retries.', reply: 'Plan:\n1. backoff\n2. tests', outcome: 'completed' },
    { n: 2, at: null, prompt: 'Run \x1b[2Jthe tests', reply: null, outcome: 'failed', error: 'API Error: 500', tools: [{ name: 'Bash', input: { command: 'npm test' } }] },
    { n: 3, at: null, prompt: 'Go on', reply: null, outcome: 'running' },
  ];

  it('renders each turn readably, control characters shown as text; --json one line per turn', async () => {
    app.readConversation.mockResolvedValue(turns);
    expect((await w.cli(['read', 'dev', '-n', '3'])).stdout).toBe(
      [
        'turn 1 · completed',
        '> Plan the retries.',
        'Plan:\n1. backoff\n2. tests',
        '',
        'turn 2 · failed',
        '> Run \\e[2Jthe tests',
        '· Bash {"command":"npm test"}',
        'error: API Error: 500',
        '',
        'turn 3 · running',
        '> Go on',
        '(no reply yet)',
        '',
      ].join('\n'),
    );
    expect(app.readConversation.mock.calls[0]![1]).toEqual({ id: 'dev', last: 3, turn: undefined });
    expect((await w.cli(['read', 'dev', '--turn', '2', '--json'])).stdout.trimEnd().split('\n').map((l) => JSON.parse(l).n)).toEqual([1, 2, 3]);
    expect(app.readConversation.mock.calls[1]![1]).toEqual({ id: 'dev', last: undefined, turn: 2 });
  });

  it('refuses a count that is not a whole number from 1; says when there is nothing', async () => {
    expect(await w.cli(['read', 'dev', '-n', '0'])).toEqual({ code: 2, stdout: '', stderr: 'agentctl: invalid -n "0": give a whole number from 1\n' });
    expect(await w.cli(['read', 'dev', '--turn', '1.5'])).toEqual({ code: 2, stdout: '', stderr: 'agentctl: invalid --turn "1.5": give a whole number from 1\n' });
    app.readConversation.mockResolvedValue([]);
    expect((await w.cli(['read', 'dev'])).stdout).toBe('no turns yet\n');
    expect((await w.cli(['read', 'dev', '--turn', '9'])).stdout).toBe('no turn 9\n');
  });
});

describe('help', () => {
  it('lists the instance commands and says wait takes instances too', async () => {
    const program = createProgram(() => w.ctx());
    const help = program.helpInformation();
    for (const c of ['spawn', 'send', 'ask', 'interrupt', 'answer', 'stop', 'revive', 'instances', 'read']) expect(help).toMatch(new RegExp(`^  ${c} `, 'm'));
    const wait = program.commands.find((c) => c.name() === 'wait')!.helpInformation();
    expect(wait.replace(/\s+/g, ' ')).toContain('run ids (or unique prefixes/suffixes), instance ids or names');
  });
});

describe('run commands given an instance', () => {
  it('say it is an instance and name the instance commands, in the CLI\'s and in the MCP server\'s words', async () => {
    newInstance(w.home, { id: 'i-runnot', name: 'helper' });
    for (const args of [['show', 'helper'], ['cancel', 'i-runnot'], ['logs', 'helper'], ['diff', 'helper']]) {
      const q = args[1]!;
      expect(await w.cli(args), args.join(' ')).toEqual({
        code: 2,
        stdout: '',
        stderr: `agentctl: ${q} is an instance, not a run: use "agentctl read ${q}", "agentctl send ${q}" or "agentctl stop ${q}" (see "agentctl instances")\n`,
      });
    }
    const err = await openRun(w.ctx(), 'helper').catch((e: AppError) => e);
    expect((err as AppError).render(mcpWording)).toBe(
      'helper is an instance, not a run: use "get_instance_output (helper)", "send_to_instance (helper)" or "terminate_instance (helper)" (see "list_instances")',
    );
    expect((await w.cli(['show', 'nohelper'])).stderr).toBe('agentctl: no run matches "nohelper": see "agentctl list" for run ids\n');
  });
});
