// The status half of instances end to end: the permission hook as the real process an agent
// runs (allow, deny with a message, nobody answering, the policy), its notifications, and
// `agentctl wait` on instances (turn end, needs_permission, --any, --timeout, a lost agent).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { appendEvent, permissionHookCommand, waitForEvents } from '../../src/core/instances/events.js';
import { answerRequest } from '../../src/core/instances/permission.js';
import { instanceFiles, type InstanceFiles } from '../../src/core/instances/paths.js';
import { readInstance } from '../../src/core/instances/record.js';
import { refreshStatus } from '../../src/core/instances/status.js';
import { procStartTime } from '../../src/core/sys/proctree.js';
import { BIN, parseJsonLines, suiteEnv, traced, waitFor, writeConfig, type TestEnv } from '../helpers/harness.js';
import { claude, fireHook, newInstance } from '../helpers/instances.js';

let t: TestEnv;
suiteEnv((env) => {
  t = env;
});

let counter = 0;
/** An instance whose supervisor and agent are this test process (alive), on the private tmux server, idle after its SessionStart. */
function instance(over: { name?: string; permissions?: 'ask' | 'auto-edit' | 'bypass'; agentPid?: number } = {}): { id: string; f: InstanceFiles } {
  const id = `i-t${String(++counter).padStart(5, '0')}`;
  const pid = over.agentPid ?? process.pid;
  const f = newInstance(t.home, {
    id,
    name: over.name ?? `n${counter}`,
    permissions: over.permissions ?? 'ask',
    supervisor_pid: process.pid,
    supervisor_start: procStartTime(process.pid),
    agent_pid: pid,
    agent_start: procStartTime(pid),
    tmux: { socket: t.socket, socket_name: null, session: null, pane: null },
  });
  appendEvent(f, { source: 'agentctl', kind: 'launched', life: 1 });
  fireHook(f, claude.base('SessionStart', { source: 'startup' }));
  return { id, f };
}

function working(f: InstanceFiles, prompt = 'do it'): void {
  appendEvent(f, { source: 'agentctl', kind: 'send', turn: 1, text: prompt });
  fireHook(f, claude.base('UserPromptSubmit', { prompt }));
}

/** Runs the permission hook command line as the agent does: through a shell, the payload on stdin. */
function permissionHook(id: string, tool: string, input: unknown): { child: ChildProcess; done: Promise<{ code: number | null; stdout: string }> } {
  const child = spawn('sh', ['-c', permissionHookCommand(t.home, id)], { env: t.env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; stdout: string }>((r) => child.on('exit', (code) => r({ code, stdout: stdout + stderr })));
  child.stdin!.end(JSON.stringify(claude.base('PermissionRequest', { tool_name: tool, tool_input: input, permission_suggestions: [] })));
  return { child, done };
}

const asked = (f: InstanceFiles) => waitForEvents(f, (evs) => evs.find((e) => e.hook === 'PermissionRequest') ?? null, 20_000);
const notes = () => parseJsonLines(readFileSync(join(t.home, 'notify.log'), 'utf8'));
const ALLOW = '{"hookSpecificOutput":{"hookEventName":"PermissionRequest","decision":{"behavior":"allow"}}}\n';

describe('the permission hook', () => {
  it('asks, tells the orchestrator at once, and allows when answered', async () => {
    const { id, f } = instance();
    working(f);
    const hook = permissionHook(id, 'Bash', { command: 'rm -rf build' });
    await asked(f);
    const d = refreshStatus(t.home, id).status;
    expect(d.status).toBe('needs_permission');
    expect(d.permission).toMatchObject({ tool: 'Bash', input: { command: 'rm -rf build' } });
    expect(notes().filter((n) => n.instance === id)).toEqual([
      expect.objectContaining({ event: 'permission', instance: id, run_id: null, status: 'needs_permission', tool: 'Bash', input: '{"command":"rm -rf build"}' }),
    ]);
    answerRequest(t.home, id, 'allow');
    expect(await hook.done).toEqual({ code: 0, stdout: ALLOW });
    expect(refreshStatus(t.home, id).status).toMatchObject({ status: 'working', permission: null });
    expect(() => answerRequest(t.home, id, 'allow')).toThrow(/has no pending permission request/);
  });

  it('denies with the message given', async () => {
    const { id, f } = instance();
    working(f);
    const hook = permissionHook(id, 'Write', { file_path: '/etc/passwd' });
    await asked(f);
    answerRequest(t.home, id, 'deny', 'not that file; write under ./out');
    const r = await hook.done;
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: { behavior: 'deny', message: 'not that file; write under ./out' } } });
  });

  it('nobody answering: denied after permission_timeout with a message saying so; answer then refuses', async () => {
    writeConfig(t, { permission_timeout: '1s' });
    try {
      const { id, f } = instance();
      working(f);
      const t0 = Date.now();
      const hook = permissionHook(id, 'Bash', { command: 'make' });
      const r = await hook.done;
      expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
      const out = JSON.parse(r.stdout);
      expect(out.hookSpecificOutput.decision.behavior).toBe('deny');
      expect(out.hookSpecificOutput.decision.message).toMatch(/^nobody answered this permission request within 1s/);
      expect(() => answerRequest(t.home, id, 'allow')).toThrow(/no pending permission request/);
      expect(refreshStatus(t.home, id).status.status).toBe('working');
    } finally {
      writeConfig(t, { permission_timeout: '30m' });
    }
  });

  it('a hook the agent ends (its turn interrupted) settles its request', async () => {
    const { id, f } = instance();
    working(f);
    const hook = permissionHook(id, 'Bash', { command: 'sleep 1000' });
    await asked(f);
    const req = readdirSync(f.permissions).find((n) => !n.endsWith('.answer.json'))!;
    const pid = JSON.parse(readFileSync(join(f.permissions, req), 'utf8')).pid as number;
    process.kill(pid, 'SIGTERM');
    expect([143, null]).toContain((await hook.done).code); // ended by the signal (through sh, or sh exec'd it)
    expect(() => answerRequest(t.home, id, 'allow')).toThrow(/no pending permission request/);
    expect(refreshStatus(t.home, id).status).toMatchObject({ status: 'working', permission: null, why: 'permission withdrawn (agent)' });
  });

  it('the policy decides without asking: config allow/deny lists, bypass', async () => {
    writeConfig(t, { permission_policy: { allow: ['Read'], deny: ['WebFetch'] } });
    try {
      const a = instance();
      expect(await permissionHook(a.id, 'Read', { file_path: 'x' }).done).toEqual({ code: 0, stdout: ALLOW });
      const denied = JSON.parse((await permissionHook(a.id, 'WebFetch', { url: 'https://example.invalid' }).done).stdout);
      expect(denied.hookSpecificOutput.decision).toEqual({ behavior: 'deny', message: 'WebFetch is denied by the permission_policy in config.json' });
      const b = instance({ permissions: 'bypass' });
      expect(await permissionHook(b.id, 'Bash', { command: 'ls' }).done).toEqual({ code: 0, stdout: ALLOW });
      // nothing was asked
      expect(notes().filter((n) => n.instance === a.id || n.instance === b.id)).toEqual([]);
      expect(refreshStatus(t.home, a.id).status.status).toBe('idle');
    } finally {
      writeConfig(t, { permission_policy: { allow: [], deny: [] } });
    }
  });

  it("types the wake-up line into the orchestrator's pane", async () => {
    const file = join(t.root, 'typed.txt');
    const pane = t.tmux(['new-session', '-d', '-s', 'orch-perm', '-x', '160', '-y', '40', '-P', '-F', '#{pane_id}', 'sh', '-c', `while IFS= read -r line; do printf '%s\\n' "$line" >> '${file}'; done`]).trim();
    writeConfig(t, { tmux_sendkeys_target: pane });
    try {
      const { id, f } = instance({ name: 'dev' });
      working(f);
      const hook = permissionHook(id, 'Bash', { command: 'npm test' });
      await asked(f);
      await waitFor(() => { try { return readFileSync(file, 'utf8').includes(`[AI_ORCH PERMISSION id=${id} name=dev tool=Bash]`); } catch { return false; } }, 15_000, 'the wake-up line');
      answerRequest(t.home, id, 'allow');
      expect((await hook.done).stdout).toBe(ALLOW);
    } finally {
      writeConfig(t, { tmux_sendkeys_target: null });
    }
  });
});

/** `agentctl wait ...` started in the background, handed back (wrapped: a child is a thenable) once its watches are in place. */
async function waitCli(args: string[]) {
  const child = execa(BIN, ['wait', ...args], { env: { ...t.env, AGENTCTL_TRACE: '1' }, extendEnv: false, reject: false, cwd: t.root });
  await traced(child, 'following');
  return { result: child };
}

describe('wait on instances', () => {
  it("returns the reply within milliseconds of the Stop hook; by name; one compact JSON line", async () => {
    const { id, f } = instance({ name: 'architect' });
    working(f, 'plan it');
    const w = await waitCli(['architect']);
    const t0 = performance.now();
    fireHook(f, claude.base('Stop', { last_assistant_message: 'the plan: 1. 2. 3.' }));
    const r = await w.result;
    const ms = performance.now() - t0;
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(`${JSON.stringify({ instance: id, name: 'architect', turn: 1, status: 'idle', outcome: 'completed', reply: 'the plan: 1. 2. 3.' })}`); // execa drops the final newline
    expect(ms).toBeLessThan(2000); // loose under a loaded machine; the bench measures p95
  });

  it('an instance with no turn running reports its last turn at once', async () => {
    const { id, f } = instance();
    working(f, 'x');
    fireHook(f, claude.base('StopFailure', { error: 'server_error', last_assistant_message: 'API Error: 500' }));
    const r = await t.run(['wait', id]);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toMatchObject({ outcome: 'failed', error: 'server_error: API Error: 500', turn: 1 });
  });

  it('returns when the turn needs permission, with the question', async () => {
    const { id, f } = instance();
    working(f);
    const w = await waitCli([id]);
    const hook = permissionHook(id, 'Edit', { file_path: 'a.ts' });
    const r = await w.result;
    expect(r.exitCode).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ instance: id, status: 'needs_permission', outcome: 'needs_permission', permission: { tool: 'Edit', input: { file_path: 'a.ts' } } });
    answerRequest(t.home, id, 'allow');
    await hook.done;
  });

  it('--any returns at the first; --timeout reports the rest as timeout (exit 5)', async () => {
    const a = instance();
    const b = instance();
    working(a.f);
    working(b.f);
    const w = await waitCli(['--any', a.id, b.id]);
    fireHook(b.f, claude.base('Stop', { last_assistant_message: 'b done' }));
    const r = await w.result;
    expect(r.exitCode).toBe(0);
    expect(parseJsonLines(r.stdout)).toEqual([expect.objectContaining({ instance: b.id, outcome: 'completed', reply: 'b done' })]);
    const late = await t.run(['wait', '--timeout', '0.3', a.id, b.id]);
    expect(late.code).toBe(5);
    expect(parseJsonLines(late.stdout).map((l) => [l.instance, l.outcome])).toEqual([[a.id, 'timeout'], [b.id, 'completed']]);
  });

  it('an agent that dies mid-turn: lost, announced', async () => {
    const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    const { id, f } = instance({ agentPid: sleeper.pid! });
    working(f);
    const w = await waitCli([id]);
    sleeper.kill('SIGKILL');
    const r = await w.result;
    expect(r.exitCode).toBe(4);
    expect(JSON.parse(r.stdout)).toMatchObject({ instance: id, status: 'lost', outcome: 'lost' });
    expect(notes().filter((n) => n.instance === id).map((n) => n.event)).toEqual(['lost']);
  });

  it('ids of runs and instances are told apart', async () => {
    const { id } = instance();
    const runId = '20260101-000000-abcd';
    mkdirSync(join(t.home, 'runs', runId), { recursive: true });
    writeFileSync(join(t.home, 'runs', runId, 'meta.json'), '{}');
    const mixed = await t.run(['wait', id, runId]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toBe(`agentctl: wait takes runs or instances, not both (${id}: an instance): wait for the runs and for the instances in two calls`);
    const show = await t.run(['show', 'i-zzzzzz']);
    expect(show.stderr).toBe('agentctl: i-zzzzzz is an instance id, not a run: see the instances with "agentctl instances"');
    expect(readInstance(t.home, id).id).toBe(id);
  });
});

describe('files', () => {
  it('the hook commands name the instance by its own directory', () => {
    const { id } = instance();
    expect(instanceFiles(t.home, id).inbox.startsWith(t.home)).toBe(true);
  });
});
