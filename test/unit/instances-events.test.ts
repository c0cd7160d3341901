// The instance record and event log: records created once and rewritten whole; hook payloads
// delivered by the real hook command lines, moved into the log, folded by readers, and waited on.
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendEvent, ingestInbox, readEvents, waitForEvents, permissionHookCommand } from '../../src/core/instances/events.js';
import { createInstance, listInstanceRecords, newInstanceId, readInstance, updateInstance } from '../../src/core/instances/record.js';
import { instanceFiles } from '../../src/core/instances/paths.js';
import { AppError } from '../../src/core/sys/errors.js';
import { claude, fireHook, fireNotify, makeRecord, newInstance, tempHome } from '../helpers/instances.js';
import { recordHookCommand } from '../../src/core/instances/events.js';

let home: string;
beforeEach(() => {
  // a quote, a space and a dollar in the path: the hook command lines must quote them
  home = join(tempHome(), "it's a $HOME");
  mkdirSync(home);
});
afterEach(() => rmSync(join(home, '..'), { recursive: true, force: true }));

describe('instance records', () => {
  it('makes ids that are never run ids, different each time', () => {
    const ids = new Set(Array.from({ length: 200 }, newInstanceId));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(/^i-[a-z0-9]{6}$/);
  });

  it('creates once, reads, updates under the lock, lists', () => {
    createInstance(home, makeRecord({ id: 'i-aaaaaa', name: 'arch' }));
    expect(() => createInstance(home, makeRecord({ id: 'i-aaaaaa' }))).toThrow(/already exists/);
    expect(readInstance(home, 'i-aaaaaa').name).toBe('arch');
    const after = updateInstance(home, 'i-aaaaaa', (r) => {
      r.agent_pid = 42;
    });
    expect(after.agent_pid).toBe(42);
    expect(readInstance(home, 'i-aaaaaa').agent_pid).toBe(42);
    expect(existsSync(instanceFiles(home, 'i-aaaaaa').inbox)).toBe(true);
    createInstance(home, makeRecord({ id: 'i-bbbbbb', created_at: '2999-01-01T00:00:00.000Z' }));
    expect(listInstanceRecords(home).map((r) => r.id)).toEqual(['i-aaaaaa', 'i-bbbbbb']);
  });

  it('says so when a record is missing or broken, and skips it in the list', () => {
    expect(() => readInstance(home, 'i-zzzzzz')).toThrow(AppError);
    expect(() => readInstance(home, 'i-zzzzzz')).toThrow(/no instance i-zzzzzz/);
    createInstance(home, makeRecord({ id: 'i-cccccc' }));
    writeFileSync(instanceFiles(home, 'i-cccccc').record, '{"version":1,');
    expect(() => readInstance(home, 'i-cccccc')).toThrow(/not valid JSON/);
    expect(listInstanceRecords(home)).toEqual([]);
    expect(() => readInstance(home, '../x')).toThrow(/invalid instance id/);
  });
});

describe('event log', () => {
  it('the record hook drops the payload into the inbox; readers see it before and after the supervisor moves it', () => {
    const f = newInstance(home, { id: 'i-aaaaaa' });
    fireHook(f, claude.base('UserPromptSubmit', { prompt: "multi\nline 'quoted' $x `y` é", prompt_id: 'p1' }));
    expect(readdirSync(f.inbox).filter((n) => /^\d{19}-\d+\.json$/.test(n))).toHaveLength(1);
    const before = readEvents(f);
    expect(before).toHaveLength(1);
    expect(before[0]).toMatchObject({ kind: 'hook', source: 'hook', hook: 'UserPromptSubmit', prompt: "multi\nline 'quoted' $x `y` é", prompt_id: 'p1', session_id: claude.sid });
    const moved = ingestInbox(f);
    expect(moved).toEqual(before);
    expect(readdirSync(f.inbox)).toEqual([]);
    expect(readEvents(f)).toEqual(before);
    // the first hook naming the session fills the record
    expect(readInstance(home, 'i-aaaaaa').session_id).toBe(claude.sid);
    expect(readInstance(home, 'i-aaaaaa').transcript_path).toContain(claude.sid);
  });

  it('keeps events in hook order, dedupes a payload seen twice, skips a torn line', () => {
    const f = newInstance(home, { id: 'i-aaaaaa' });
    appendEvent(f, { source: 'agentctl', kind: 'send', turn: 1, text: 'hi' });
    fireHook(f, claude.base('UserPromptSubmit', { prompt: 'hi' }));
    ingestInbox(f);
    appendFileSync(f.events, '{"t":"2026-'); // a writer killed mid-line
    fireHook(f, claude.base('Stop', { last_assistant_message: 'hello' }));
    // a supervisor killed after appending, before unlinking: the payload is in both places
    const name = readdirSync(f.inbox)[0]!;
    const copy = readFileSync(join(f.inbox, name), 'utf8');
    ingestInbox(f);
    writeFileSync(join(f.inbox, name), copy);
    expect(readEvents(f).map((e) => e.hook ?? e.kind)).toEqual(['send', 'UserPromptSubmit', 'Stop']);
    expect(ingestInbox(f)).toEqual([]);
    appendEvent(f, { source: 'process', kind: 'exited', code: 0 });
    expect(readEvents(f).map((e) => e.hook ?? e.kind)).toEqual(['send', 'UserPromptSubmit', 'Stop', 'exited']);
  });

  it('codex notify: the payload as the last argument, with its dashed keys', () => {
    const f = newInstance(home, { id: 'i-aaaaaa', agent: 'codex' });
    fireNotify(f, { type: 'agent-turn-complete', 'thread-id': 'th1', 'turn-id': 'tu1', cwd: '/tmp', 'input-messages': ['x'], 'last-assistant-message': 'done' });
    expect(readEvents(f)).toEqual([expect.objectContaining({ hook: 'notify', session_id: 'th1', turn_id: 'tu1', last_assistant_message: 'done' })]);
  });

  it('many hooks at once never interleave', async () => {
    const f = newInstance(home, { id: 'i-aaaaaa' });
    const big = 'x'.repeat(100_000);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        new Promise<void>((resolve, reject) => {
          const c = spawn('sh', ['-c', recordHookCommand(f)]);
          c.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`exit ${code}`))));
          c.stdin.end(JSON.stringify(claude.base('PreToolUse', { tool_name: `T${i}`, tool_input: { big } })));
        }),
      ),
    );
    ingestInbox(f);
    const evs = readEvents(f);
    expect(evs).toHaveLength(20);
    expect(new Set(evs.map((e) => e.tool_name)).size).toBe(20);
    expect(readFileSync(f.events, 'utf8').split('\n').filter(Boolean)).toHaveLength(20);
  });

  it('the permission hook command runs this agentctl, quoted', () => {
    const cmd = permissionHookCommand(home, 'i-aaaaaa');
    expect(cmd).toContain(`'_hook' 'permission' '--instance' 'i-aaaaaa' '--home' '${home.replace(/'/g, `'\\''`)}'`);
  });
});

describe('waitForEvents', () => {
  it('returns at once when the event is already there', async () => {
    const f = newInstance(home, { id: 'i-aaaaaa' });
    fireHook(f, claude.base('Stop', { last_assistant_message: 'r' }));
    const got = await waitForEvents(f, (evs) => evs.find((e) => e.hook === 'Stop') ?? null, 5000);
    expect(got?.last_assistant_message).toBe('r');
  });

  it('returns within milliseconds of a hook landing, and null on timeout', async () => {
    const f = newInstance(home, { id: 'i-aaaaaa' });
    const lat: number[] = [];
    for (let i = 0; i < 5; i++) {
      const w = waitForEvents(f, (evs) => (evs.filter((e) => e.hook === 'Stop').length > i ? performance.now() : null), 10_000);
      await new Promise((r) => setTimeout(r, 20));
      const c = spawn('sh', ['-c', recordHookCommand(f)]);
      const exited = new Promise<number>((r) => c.on('exit', () => r(performance.now())));
      c.stdin.end(JSON.stringify(claude.base('Stop', { last_assistant_message: `r${i}` })));
      const [seen, done] = await Promise.all([w, exited]);
      expect(seen).not.toBeNull();
      lat.push(seen! - done);
    }
    lat.sort((a, b) => a - b);
    // the payload is seen when it is renamed in, before the hook's shell has even exited
    expect(lat[2]).toBeLessThan(100);
    const t0 = Date.now();
    expect(await waitForEvents(f, () => null, 150)).toBeNull();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
  });
});
