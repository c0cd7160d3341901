// The instance tools in this process, through the SDK's own client (it checks every answer
// against the tool's output schema): arguments turned into the app's requests, waits capped by
// the server, the implicit parent, replies gathered, and errors in a model's words. The app's
// instance operations are recorders here; the engine is tested end to end elsewhere.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createContext } from '../../src/app/context.js';
import type { InstanceView, TurnReport } from '../../src/core/instances/types.js';
import { AppError } from '../../src/core/sys/errors.js';
import { createServer, toolRegistrations } from '../../src/mcp/server.js';
import { Capture, inProcessWorkspace } from '../helpers/inprocess.js';

const app = vi.hoisted(() => ({
  spawnInstance: vi.fn(),
  sendToInstances: vi.fn(),
  interruptInstances: vi.fn(),
  answerPermission: vi.fn(),
  stopInstances: vi.fn(),
  reviveInstances: vi.fn(),
  waitInstances: vi.fn(),
  listInstances: vi.fn(),
  instanceStatus: vi.fn(),
  readConversation: vi.fn(),
}));
vi.mock('../../src/app/instances.js', () => ({
  spawnInstance: app.spawnInstance,
  sendToInstances: app.sendToInstances,
  askInstance: vi.fn(),
  interruptInstances: app.interruptInstances,
  answerPermission: app.answerPermission,
  stopInstances: app.stopInstances,
  reviveInstances: app.reviveInstances,
}));
vi.mock('../../src/app/instance-reads.js', () => ({
  waitInstances: app.waitInstances,
  listInstances: app.listInstances,
  instanceStatus: app.instanceStatus,
  readConversation: app.readConversation,
}));

const w = inProcessWorkspace();
const shutdown = new AbortController();
let client: Client;
const serverEnv = { ...w.env, AGENTCTL_PARENT_INSTANCE: 'i-chief0' };

beforeAll(async () => {
  const tools = toolRegistrations({ maxWaitS: 3, shutdown: shutdown.signal, context: () => createContext({ env: serverEnv, cwd: w.root, stdout: new Capture(), stderr: new Capture() }) });
  const [serverSide, clientSide] = InMemoryTransport.createLinkedPair();
  await createServer(tools).connect(serverSide);
  client = new Client({ name: 'unit', version: '1' });
  await client.connect(clientSide);
});
afterAll(async () => {
  shutdown.abort();
  await client.close();
});
beforeEach(() => vi.clearAllMocks());

interface Reply {
  isError?: boolean;
  content: { type: string; text: string }[];
  structuredContent?: any;
}
const call = async (name: string, args: Record<string, unknown> = {}) => (await client.callTool({ name, arguments: args })) as Reply;

const view = (over: Partial<InstanceView> = {}): InstanceView => ({
  id: 'i-dev000',
  name: 'dev',
  role: 'developer',
  agent: 'claude',
  model: null,
  project: null,
  status: 'idle',
  since: '2026-01-01T00:00:00.000Z',
  source: 'hook',
  why: null,
  turn: 1,
  permission: null,
  parent: 'i-chief0',
  pane: '%3',
  session_id: null,
  cwd: '/repo',
  ...over,
});
const report = (over: Partial<TurnReport> = {}): TurnReport => ({ instance: 'i-dev000', name: 'dev', turn: 2, status: 'idle', outcome: 'completed', reply: 'Done.', ...over });
const permission = { request: 'r1', tool: 'Bash', input: { command: 'npm install left-pad' }, asked_at: '2026-01-01T00:00:00.000Z' };

const INSTANCE_TOOLS = [
  'answer_permission', 'coordinate_instances', 'get_instance_output', 'get_instance_status', 'interrupt_instance', 'list_instances', 'revive_instance', 'send_to_instance',
  'spawn_instance', 'terminate_instance', 'wait_instances',
];

describe('the instance tools', () => {
  it('are listed with output schemas from the views, waits described with the server\'s cap', async () => {
    const { tools } = await client.listTools();
    const mine = tools.filter((t) => INSTANCE_TOOLS.includes(t.name));
    expect(mine.map((t) => t.name).sort()).toEqual(INSTANCE_TOOLS);
    for (const t of mine) {
      expect(t.outputSchema?.type, t.name).toBe('object');
      expect(t.description!.length, t.name).toBeGreaterThan(150);
    }
    const byName = Object.fromEntries(mine.map((t) => [t.name, t]));
    expect(Object.keys(byName.get_instance_status!.outputSchema!.properties!)).toEqual([
      'id', 'name', 'role', 'agent', 'model', 'project', 'status', 'since', 'source', 'why', 'turn', 'permission', 'parent', 'pane', 'session_id', 'cwd', 'events',
    ]);
    for (const name of ['send_to_instance', 'wait_instances', 'coordinate_instances', 'answer_permission']) expect(byName[name]!.description, name).toContain('up to 3 s');
    expect(byName.spawn_instance!.description).toContain('Unlike start_run');
  });
});

describe('spawn_instance', () => {
  it('maps its arguments (no parent: the app takes the server\'s own instance); the wait until ready is capped', async () => {
    app.spawnInstance.mockResolvedValue(view());
    const r = await call('spawn_instance', { role: 'developer', instructions: 'Own src/pay.', name: 'dev', agent: 'codex', model: 'gpt-5.5', project: 'api', worktree: true, permissions: 'ask' });
    expect(r.isError).toBeFalsy();
    expect(r.structuredContent).toEqual(view());
    expect(r.content[0]!.text).toBe('spawned dev (i-dev000, developer, claude): idle, turn 1, parent i-chief0, in pane %3: send it work with send_to_instance (id "i-dev000" or name "dev")');
    expect(app.spawnInstance.mock.calls[0]![1]).toEqual({
      agent: 'codex', role: 'developer', name: 'dev', model: 'gpt-5.5', project: 'api', worktree: true, parent: undefined, permissions: 'ask', context: 'Own src/pay.', wait: undefined, timeoutMs: 3000,
    });
    await call('spawn_instance', { parent: 'i-other0', wait: false });
    expect(app.spawnInstance.mock.calls[1]![1]).toMatchObject({ parent: 'i-other0', wait: false, context: undefined });
  });
});

describe('send_to_instance and wait_instances', () => {
  it('without wait: the turns started; with wait: the replies, the wait capped at the server\'s maximum', async () => {
    app.sendToInstances.mockResolvedValue([{ instance: 'i-dev000', name: 'dev', turn: 2 }]);
    const sent = await call('send_to_instance', { ids: ['dev'], message: '/not a command' });
    expect(sent.structuredContent).toEqual({ sent: [{ instance: 'i-dev000', name: 'dev', turn: 2 }], replies: [], still_working: [] });
    expect(app.sendToInstances.mock.calls[0]![1]).toEqual({ ids: ['dev'], message: '/not a command', queue: undefined });
    expect(app.waitInstances).not.toHaveBeenCalled();

    app.waitInstances.mockResolvedValue([report({ reply: 'Plan:\n1. retry' })]);
    const waited = await call('send_to_instance', { ids: ['dev'], message: 'Plan it.', wait: true, timeout_s: 600 });
    expect(waited.structuredContent.replies).toEqual([report({ reply: 'Plan:\n1. retry' })]);
    expect(waited.content[0]!.text).toBe('dev (i-dev000) turn 2: completed\nPlan:\n1. retry');
    expect(app.waitInstances.mock.calls[0]![1]).toEqual({ ids: ['i-dev000'], timeoutMs: 3000, signal: expect.any(AbortSignal) });
  });

  it('wait_instances reports a pending permission with what to do, and the instances still working', async () => {
    app.waitInstances.mockResolvedValue([
      report({ outcome: 'needs_permission', status: 'needs_permission', reply: null, permission }),
      report({ instance: 'i-qa0000', name: 'qa', outcome: 'timeout', status: 'working', reply: null }),
    ]);
    const r = await call('wait_instances', { ids: ['dev', 'qa'], mode: 'any', timeout_s: '2s' });
    expect(r.structuredContent.still_working).toEqual(['i-qa0000']);
    expect(r.content[0]!.text).toBe(
      'dev (i-dev000) turn 2: needs_permission: it asks to use Bash {"command":"npm install left-pad"}; call answer_permission with allow or deny\n\nqa (i-qa0000) turn 2: timeout: still working; call wait_instances to keep waiting',
    );
    expect(app.waitInstances.mock.calls[0]![1]).toEqual({ ids: ['dev', 'qa'], any: true, timeoutMs: 2000, signal: expect.any(AbortSignal) });
    const bad = await call('wait_instances', { ids: ['dev'], timeout_s: 'soon' });
    expect(bad).toMatchObject({ isError: true, content: [{ text: 'invalid timeout_s "soon": use seconds or units like 90s, 15m, 1h30m' }] });
  });
});

describe('coordinate_instances', () => {
  it('sends every message, gathers the replies; one refusal is reported in a model\'s words without losing the others', async () => {
    app.sendToInstances.mockImplementation(async (_ctx, o: { ids: string[] }) => {
      if (o.ids[0] === 'qa') throw new AppError('qa is working (turn 4)', { fix: 'wait for it ({cmd:wait qa}), {cmd:interrupt qa} it, or pass {opt:queue}' });
      return [{ instance: 'i-dev000', name: 'dev', turn: 2 }];
    });
    app.waitInstances.mockResolvedValue([report()]);
    const r = await call('coordinate_instances', { messages: [{ instance: 'dev', message: 'Build it.' }, { instance: 'qa', message: 'Test it.' }] });
    expect(r.isError).toBe(true);
    expect(r.structuredContent).toEqual({
      results: [
        { instance: 'dev', sent: { instance: 'i-dev000', name: 'dev', turn: 2 }, error: null, reply: report() },
        { instance: 'qa', sent: null, error: 'qa is working (turn 4): wait for it (wait_instances (qa)), interrupt_instance (qa) it, or pass queue', reply: null },
      ],
      still_working: [],
    });
    expect(app.sendToInstances.mock.calls.map((c) => c[1].message)).toEqual(['Build it.', 'Test it.']);
    expect(app.waitInstances.mock.calls[0]![1]).toEqual({ ids: ['i-dev000'], timeoutMs: 3000, signal: expect.any(AbortSignal) });
  });

  it('refuses two messages to one instance before sending any', async () => {
    const r = await call('coordinate_instances', { messages: [{ instance: 'dev', message: 'a' }, { instance: 'dev', message: 'b' }] });
    expect(r).toMatchObject({ isError: true, content: [{ text: '"dev" is given more than once: send one message per instance: put both into one message' }] });
    expect(app.sendToInstances).not.toHaveBeenCalled();
  });
});

describe('answer, interrupt, terminate, revive, reads', () => {
  it('answer_permission decides, and with wait returns the turn\'s report', async () => {
    app.answerPermission.mockResolvedValue(view({ status: 'working' }));
    app.waitInstances.mockResolvedValue([report()]);
    const r = await call('answer_permission', { id: 'dev', decision: 'deny', message: 'use pnpm', wait: true });
    expect(r.structuredContent).toEqual({ ...view({ status: 'working' }), reply: report() });
    expect(app.answerPermission.mock.calls[0]![1]).toEqual({ id: 'dev', decision: 'deny', message: 'use pnpm' });
    expect(r.content[0]!.text).toBe('denied: dev (i-dev000, developer, claude): working, turn 1, parent i-chief0, in pane %3\ndev (i-dev000) turn 2: completed\nDone.');
  });

  it('interrupt_instance, terminate_instance and revive_instance pass their ids through', async () => {
    app.interruptInstances.mockResolvedValue([view()]);
    app.stopInstances.mockResolvedValue([view({ status: 'exited' })]);
    app.reviveInstances.mockResolvedValue([]);
    expect((await call('interrupt_instance', { ids: ['dev', 'qa'] })).structuredContent).toEqual({ instances: [view()] });
    expect((await call('terminate_instance', { ids: ['dev'], tree: true })).structuredContent.instances[0].status).toBe('exited');
    expect((await call('revive_instance', { all: true })).content[0]!.text).toBe('nothing to revive');
    await call('revive_instance', { ids: ['dev'] });
    expect([app.interruptInstances.mock.calls[0]![1], app.stopInstances.mock.calls[0]![1], ...app.reviveInstances.mock.calls.map((c) => c[1])]).toEqual([
      { ids: ['dev', 'qa'] },
      { ids: ['dev'], tree: true },
      { all: true },
      { ids: ['dev'] },
    ]);
  });

  it('list_instances, get_instance_status and get_instance_output', async () => {
    app.listInstances.mockResolvedValue([view({ status: 'needs_permission', permission })]);
    const list = await call('list_instances', { all: true });
    expect(list.content[0]!.text).toBe('dev (i-dev000, developer, claude): needs_permission Bash {"command":"npm install left-pad"}, turn 1, parent i-chief0, in pane %3');
    expect(app.listInstances.mock.calls[0]![1]).toEqual({ all: true });

    app.instanceStatus.mockResolvedValue({ ...view(), events: [{ t: '2026-01-01T00:00:00.000Z', source: 'hook', kind: 'status', status: 'idle' }] });
    const status = await call('get_instance_status', { id: 'dev' });
    expect(status.structuredContent.events).toHaveLength(1);
    expect(status.content[0]!.text.split('\n')[1]).toBe('2026-01-01T00:00:00.000Z hook: idle');

    app.readConversation.mockResolvedValue([{ n: 1, at: null, prompt: 'Plan it.', reply: 'Plan: ...', outcome: 'completed', tools: [{ name: 'Read', input: { file: 'a.ts' } }] }]);
    const out = await call('get_instance_output', { id: 'dev', last: 1 });
    expect(out.content[0]!.text).toBe('turn 1 (completed)\nmessage: Plan it.\ntools: Read\nreply: Plan: ...');
    expect(app.readConversation.mock.calls[0]![1]).toEqual({ id: 'dev', last: 1, turn: undefined });
  });
});
