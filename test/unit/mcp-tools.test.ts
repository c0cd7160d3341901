// The MCP tools in this process, through the SDK's own client over an in-memory transport:
// the table, schemas a client checks every answer against, and errors worded for a model.
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../../src/app/context.js';
import { createServer, toolRegistrations } from '../../src/mcp/server.js';
import { Capture, finished, inProcessWorkspace } from '../helpers/inprocess.js';

const w = inProcessWorkspace();
const shutdown = new AbortController();
let client: Client;

beforeAll(async () => {
  const tools = toolRegistrations({ maxWaitS: 3, shutdown: shutdown.signal, context: () => createContext({ env: w.env, cwd: w.root, stdout: new Capture(), stderr: new Capture() }) });
  const [serverSide, clientSide] = InMemoryTransport.createLinkedPair();
  await createServer(tools).connect(serverSide);
  client = new Client({ name: 'unit', version: '1' });
  await client.connect(clientSide);
});
afterAll(async () => {
  shutdown.abort();
  await client.close();
});

interface Reply {
  isError?: boolean;
  content: { type: string; text: string }[];
  structuredContent?: any;
}
const call = async (name: string, args: Record<string, unknown> = {}) => (await client.callTool({ name, arguments: args })) as Reply;

describe('the table', () => {
  it('lists every tool once, each with an output schema; wait_runs is described with the server\'s cap', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([
      'add_project', 'cancel_run', 'clean_worktrees', 'discard_run', 'doctor', 'escalate_run', 'land_runs', 'list_projects', 'list_runs', 'merge_run', 'notifications', 'resume_run',
      'run_diff', 'run_logs', 'show_run', 'start_run', 'wait_runs',
      // the instance tools: test/unit/instances-mcp.test.ts
      'answer_permission', 'coordinate_instances', 'get_instance_output', 'get_instance_status', 'interrupt_instance', 'list_instances', 'revive_instance',
      'send_to_instance', 'spawn_instance', 'terminate_instance', 'wait_instances',
      'list_workflows', 'run_workflow', 'workflow_status',
    ].sort());
    for (const t of tools) expect(t.outputSchema?.type, t.name).toBe('object');
    const wait = tools.find((t) => t.name === 'wait_runs')!;
    expect(wait.description).toContain('at most 3, so the call itself never times out');
    // the views are the schemas: a field of the app's result is a field of the tool's output
    const started = tools.find((t) => t.name === 'start_run')!.outputSchema!.properties!;
    expect(Object.keys(started)).toEqual(['run_id', 'status', 'title', 'project', 'project_dir', 'profile', 'agent', 'mode', 'parent_run_id', 'escalated_from', 'branch', 'worktree', 'base', 'pane', 'session']);
    expect(Object.keys((wait.outputSchema!.properties as any).runs.items.properties)).toContain('chain');
  });
});

describe('answers match their schemas (the client checks each one)', () => {
  const id = '20260101-000000-abcd';
  beforeAll(() => {
    w.record(finished(id, 'goal_not_met', { title: 'first' }));
    writeFileSync(join(w.home, 'runs', id, 'events.jsonl'), '');
  });

  it('list_runs, show_run, wait_runs, run_logs', async () => {
    const list = await call('list_runs');
    expect(list.isError).toBeFalsy();
    expect(list.structuredContent.runs).toEqual([expect.objectContaining({ run_id: id, outcome: 'goal_not_met', title: 'first' })]);
    expect(list.content[0]!.text).toBe(`${id}  goal_not_met  shell  -  first`);

    expect((await call('show_run', { id: 'abcd' })).structuredContent).toMatchObject({ run_id: id, duration_s: 12.3, result: null });

    const waited = await call('wait_runs', { ids: [id], follow: true });
    expect(waited.structuredContent).toEqual({ done: true, timed_out: false, still_running: [], runs: [expect.objectContaining({ run_id: id, outcome: 'goal_not_met', chain: [id] })] });
    expect(waited.content[0]!.text).toBe(`${id}: goal_not_met · 12.3s · goal_not_met summary`);

    const logs = await call('run_logs', { id });
    expect(logs.structuredContent).toEqual({ run_id: id, status: 'finished', outcome: 'goal_not_met', lines: [], total_lines: 0, footer: ['-- goal_not_met · exit 0 · goal_not_met summary'] });
  });

  it('add_project resolves a relative path against the server\'s directory; list_projects lists it', async () => {
    const added = await call('add_project', { name: 'here', path: '.', worktree: true });
    expect(added.structuredContent).toEqual({ name: 'here', path: w.root, replaced: false, worktree: true });
    expect(added.content[0]!.text).toBe(`added project here -> ${w.root} (worktrees on)`);
    expect((await call('list_projects')).structuredContent.projects).toEqual([expect.objectContaining({ name: 'here', path: w.root, worktree: true })]);
  });

  it('notifications page through the log with a cursor', async () => {
    const first = await call('notifications', { lines: 5 });
    expect(first.structuredContent).toMatchObject({ notifications: [], more: false, reset: false });
    expect(first.content[0]!.text).toBe(`no new notifications\ncursor: ${first.structuredContent.cursor}`);
  });
});

describe('errors: the app\'s problem and fix in a model\'s words', () => {
  const refused = async (name: string, args: Record<string, unknown>) => {
    const r = await call(name, args);
    expect(r.isError).toBe(true);
    return r.content[0]!.text;
  };
  it.each([
    ['list_runs', { limit: 1.5 }, 'invalid limit "1.5": give a whole number (0 for all)'],
    ['list_runs', { status: 'happy' }, 'invalid status "happy": use one of pending, running, finished, lost, goal_met, goal_not_met, invalid_output, agent_error, cancelled, timed_out, lost, budget_exceeded, corrupt'],
    ['clean_worktrees', { runs: true }, 'runs needs older_than: say how long ago a run must have ended for its record to be removed (e.g. 7d)'],
    ['clean_worktrees', { older_than: 'soon' }, 'invalid older_than "soon": use seconds or units like 90s, 15m, 1h30m'],
    ['wait_runs', { ids: ['x'], timeout_s: 0 }, 'invalid timeout_s "0": must be greater than zero'],
    ['cancel_run', { id: '20260101-000000-abcd' }, 'run 20260101-000000-abcd already ended (goal_not_met): nothing to cancel'],
    ['show_run', { id: 'nosuchrun' }, 'no run matches "nosuchrun": see "list_runs" for run ids'],
    ['notifications', { cursor: 'yesterday' }, 'invalid cursor "yesterday": pass the cursor the previous notifications call returned, or none for the latest lines'],
    ['start_run', { profile: 'spark', prompt: ' \n' }, 'empty prompt: give the task for the worker in "prompt"'],
    ['land_runs', { ids: ['x'], test: 'true', no_test: true }, 'test and no_test contradict each other: give one of them'],
    ['land_runs', { ids: ['nosuchrun'] }, 'cannot land: no run matches "nosuchrun": land only finished worktree runs not merged yet (drop those ids)'],
  ] as const)('%s %j', async (name, args, text) => {
    expect(await refused(name, args)).toBe(text);
  });
});
