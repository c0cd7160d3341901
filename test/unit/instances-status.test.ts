// The status machine, driven by the real hook command lines with payloads shaped and ordered as
// the agents send them, reconciled with real processes and with transcript fixtures.
import { spawn } from 'node:child_process';
import { readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TranscriptTurn } from '../../src/agents/interactive/types.js';
import { appendEvent, ingestInbox, readEvents } from '../../src/core/instances/events.js';
import { readInstance, updateInstance } from '../../src/core/instances/record.js';
import { deriveStatus, refreshStatus, turnReport, turnSettled, type TranscriptReader } from '../../src/core/instances/status.js';
import type { InstanceFiles } from '../../src/core/instances/paths.js';
import { procStartTime } from '../../src/core/sys/proctree.js';
import { claude, codex, fireHook, fireNotify, newInstance, tempHome } from '../helpers/instances.js';

let home: string;
let f: InstanceFiles;
const ID = 'i-abc123';
beforeEach(() => {
  home = tempHome();
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

/** The status as a reader sees it; this test process stands in for the supervisor and the agent (alive). */
function status(o: { adapter?: TranscriptReader } = {}) {
  return refreshStatus(home, ID, { alive: () => true, ...o }).status;
}

function launch(agent: 'claude' | 'codex' = 'claude'): void {
  f = newInstance(home, { id: ID, agent, supervisor_pid: process.pid, agent_pid: process.pid });
  appendEvent(f, { source: 'agentctl', kind: 'launched', life: 1 });
}

describe('claude turns', () => {
  it('plain turn: starting, idle on SessionStart, working on the prompt agentctl sent, idle with the reply on Stop', () => {
    launch();
    expect(status().status).toBe('starting');
    fireHook(f, claude.base('SessionStart', { source: 'startup' }));
    expect(status()).toMatchObject({ status: 'idle', source: 'hook', turn: null });
    appendEvent(f, { source: 'agentctl', kind: 'send', turn: 1, text: 'say\thi\n' });
    fireHook(f, claude.base('UserPromptSubmit', { prompt: 'say    hi', prompt_id: 'p1' }));
    const w = status();
    expect(w).toMatchObject({ status: 'working', turn: 1, source: 'hook' });
    expect(w.last).toMatchObject({ by: 'agentctl', outcome: 'running' });
    ingestInbox(f); // the supervisor moves them: nothing changes for readers
    fireHook(f, claude.base('Stop', { last_assistant_message: 'hi there', stop_hook_active: false, prompt_id: 'p1' }));
    const d = status();
    expect(d).toMatchObject({ status: 'idle', turn: 1 });
    expect(turnReport(readInstance(home, ID), d)).toEqual({ instance: ID, name: ID, turn: 1, status: 'idle', outcome: 'completed', reply: 'hi there' });
    // each change recorded once, in order
    status();
    expect(readEvents(f).filter((e) => e.kind === 'status').map((e) => e.status)).toEqual(['starting', 'idle', 'working', 'idle']);
  });

  it('a prompt typed by a person is a turn by a person', () => {
    launch();
    fireHook(f, claude.base('SessionStart', { source: 'startup' }));
    fireHook(f, claude.base('UserPromptSubmit', { prompt: 'typed here' }));
    const d = status();
    expect(d).toMatchObject({ status: 'working', source: 'person', turn: 1 });
    expect(d.last?.by).toBe('person');
  });

  it('tool needing approval: needs_permission with the tool and its input, working again after it, idle at Stop', () => {
    launch();
    fireHook(f, claude.base('SessionStart'));
    appendEvent(f, { source: 'agentctl', kind: 'send', turn: 1, text: 'make a file' });
    fireHook(f, claude.base('UserPromptSubmit', { prompt: 'make a file' }));
    fireHook(f, claude.base('PreToolUse', { tool_name: 'Write', tool_input: { file_path: '/tmp/x', content: 'y' }, tool_use_id: 'tu1' }));
    expect(status().status).toBe('working');
    fireHook(f, claude.base('PermissionRequest', { tool_name: 'Write', tool_input: { file_path: '/tmp/x', content: 'y' }, permission_suggestions: [] }));
    const d = status();
    expect(d.status).toBe('needs_permission');
    expect(d.permission).toMatchObject({ tool: 'Write', input: { file_path: '/tmp/x', content: 'y' } });
    expect(turnReport(readInstance(home, ID), d)).toMatchObject({ outcome: 'needs_permission', permission: { tool: 'Write' } });
    fireHook(f, claude.base('PostToolUse', { tool_name: 'Write', tool_input: {}, tool_response: {} }));
    expect(status()).toMatchObject({ status: 'working', permission: null });
    fireHook(f, claude.base('Stop', { last_assistant_message: 'done' }));
    expect(status()).toMatchObject({ status: 'idle' });
  });

  it('API error: StopFailure ends the turn failed, with the error', () => {
    launch();
    fireHook(f, claude.base('SessionStart'));
    fireHook(f, claude.base('UserPromptSubmit', { prompt: 'x' }));
    fireHook(f, claude.base('StopFailure', { error: 'server_error', last_assistant_message: 'API Error: 500 boom' }));
    const d = status();
    expect(d.status).toBe('idle');
    expect(turnReport(readInstance(home, ID), d)).toMatchObject({ outcome: 'failed', error: 'server_error: API Error: 500 boom', reply: null });
  });

  it('SessionEnd: exited, and a late hook of the old session changes nothing', () => {
    launch();
    fireHook(f, claude.base('SessionStart'));
    fireHook(f, claude.base('SessionEnd', { reason: 'prompt_input_exit' }));
    expect(status()).toMatchObject({ status: 'exited', source: 'hook', why: 'session ended (prompt_input_exit)' });
    fireHook(f, claude.base('Stop', { last_assistant_message: 'late' }));
    expect(status().status).toBe('exited');
    appendEvent(f, { source: 'process', kind: 'exited', code: 0 });
    expect(status()).toMatchObject({ status: 'exited', why: 'session ended (prompt_input_exit)' });
    // revived: a new life starts from its SessionStart
    appendEvent(f, { source: 'agentctl', kind: 'revived', life: 2 });
    expect(status()).toMatchObject({ status: 'starting', why: 'revived' });
    fireHook(f, claude.base('SessionStart', { source: 'resume' }));
    expect(status()).toMatchObject({ status: 'idle', why: 'session resumed' });
  });

  it("agentctl's interrupt (claude gives no hook for Escape)", () => {
    launch();
    fireHook(f, claude.base('SessionStart'));
    fireHook(f, claude.base('UserPromptSubmit', { prompt: 'long task' }));
    appendEvent(f, { source: 'agentctl', kind: 'interrupted', turn: 1 });
    const d = status();
    expect(d).toMatchObject({ status: 'idle', source: 'agentctl' });
    expect(d.last?.outcome).toBe('interrupted');
  });
});

describe('codex turns', () => {
  it('first prompt as an argument, Interrupt hook, and notify after Stop counted once', () => {
    launch('codex');
    appendEvent(f, { source: 'agentctl', kind: 'send', turn: 1, text: 'first' });
    expect(status().status).toBe('starting');
    fireHook(f, codex.base('SessionStart', { source: 'startup' }));
    fireHook(f, codex.base('UserPromptSubmit', { prompt: 'first', turn_id: 't1' }));
    expect(status()).toMatchObject({ status: 'working', turn: 1 });
    fireHook(f, codex.base('Stop', { last_assistant_message: 'one', turn_id: 't1' }));
    fireNotify(f, { type: 'agent-turn-complete', 'thread-id': codex.sid, 'turn-id': 't1', 'last-assistant-message': 'one' });
    // codex's title thread fires notify too: not ours
    fireNotify(f, { type: 'agent-turn-complete', 'thread-id': 'other', 'turn-id': 'x', 'last-assistant-message': '{"title":"t"}' });
    let d = status();
    expect(d).toMatchObject({ status: 'idle', turn: 1 });
    expect(d.last?.reply).toBe('one');
    fireHook(f, codex.base('UserPromptSubmit', { prompt: 'second', turn_id: 't2' }));
    fireHook(f, codex.base('Interrupt', { turn_id: 't2' }));
    d = status();
    expect(d).toMatchObject({ status: 'idle', turn: 2 });
    expect(d.last?.outcome).toBe('interrupted');
    expect(d.last?.by).toBe('person');
  });

  it('notify alone ends a turn whose Stop never came', () => {
    launch('codex');
    fireHook(f, codex.base('UserPromptSubmit', { prompt: 'p' }));
    fireNotify(f, { type: 'agent-turn-complete', 'thread-id': codex.sid, 'turn-id': 't1', 'last-assistant-message': 'by notify' });
    expect(status().last).toMatchObject({ outcome: 'completed', reply: 'by notify' });
  });
});

describe('processes', () => {
  it('a killed agent with no exit recorded is lost; a recorded exit is exited', async () => {
    f = newInstance(home, { id: ID });
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    const pid = child.pid!;
    updateInstance(home, ID, (r) => {
      r.supervisor_pid = process.pid;
      r.supervisor_start = procStartTime(process.pid);
      r.agent_pid = pid;
      r.agent_start = procStartTime(pid);
    });
    appendEvent(f, { source: 'agentctl', kind: 'launched', life: 1 });
    fireHook(f, claude.base('SessionStart'));
    expect(refreshStatus(home, ID).status.status).toBe('idle');
    const gone = new Promise((r) => child.on('exit', r));
    child.kill('SIGKILL');
    await gone;
    const lost = refreshStatus(home, ID);
    expect(lost.status).toMatchObject({ status: 'lost', source: 'process' });
    expect(lost.status.why).toContain(`agent process ${pid} is gone`);
    expect(lost.changed).toBe(true);
    expect(refreshStatus(home, ID).changed).toBe(false);
    appendEvent(f, { source: 'process', kind: 'exited', code: 137 });
    expect(refreshStatus(home, ID).status).toMatchObject({ status: 'exited', why: 'the agent exited with code 137' });
  });

  it('a pid reused by another process does not count as the agent', () => {
    f = newInstance(home, { id: ID, supervisor_pid: process.pid, agent_pid: process.pid, agent_start: '1' });
    expect(refreshStatus(home, ID).status.status).toBe('lost');
  });
});

describe('transcript where no hook tells', () => {
  function reader(turns: TranscriptTurn[]): TranscriptReader {
    return { readTranscript: () => turns, normalizePrompt: (s) => s.trim() };
  }
  function working(prompt: string): string {
    launch();
    const path = join(home, 'transcript.jsonl');
    writeFileSync(path, '{}\n');
    updateInstance(home, ID, (r) => {
      r.transcript_path = path;
    });
    fireHook(f, claude.base('SessionStart'));
    fireHook(f, claude.base('UserPromptSubmit', { prompt }));
    return path;
  }

  it("a person's Escape in claude: the transcript shows the interruption, recorded once", () => {
    working('do it');
    const d = status({ adapter: reader([{ n: 1, at: null, prompt: 'do it', reply: null, outcome: 'interrupted' }]) });
    expect(d).toMatchObject({ status: 'idle', source: 'transcript' });
    expect(d.last?.outcome).toBe('interrupted');
    // recorded: without the transcript the fold now agrees
    expect(status()).toMatchObject({ status: 'idle' });
    expect(readEvents(f).filter((e) => e.kind === 'interrupted')).toHaveLength(1);
  });

  it('the same prompt sent again does not match the earlier turn', () => {
    working('continue');
    const earlier = new Date(Date.now() - 60_000).toISOString();
    const d = status({ adapter: reader([{ n: 1, at: earlier, prompt: 'continue', reply: null, outcome: 'interrupted' }]) });
    expect(d.status).toBe('working');
  });

  it('a codex API error: the rollout says failed', () => {
    working('q');
    const d = status({ adapter: reader([{ n: 1, at: null, prompt: 'q', reply: null, outcome: 'failed', error: 'stream error: 500' }]) });
    expect(turnReport(readInstance(home, ID), d)).toMatchObject({ status: 'idle', outcome: 'failed', error: 'stream error: 500' });
  });

  it('working while the transcript says the turn ended over 5 s ago: unknown with why', () => {
    const path = working('q');
    const done = reader([{ n: 1, at: null, prompt: 'q', reply: 'a', outcome: 'completed' }]);
    expect(status({ adapter: done }).status).toBe('working'); // the Stop hook may be on its way
    const old = new Date(Date.now() - 8000);
    utimesSync(path, old, old);
    expect(status({ adapter: done }).status).toBe('working'); // the turn itself began just now
    const f2 = readEvents(f);
    // as if all of it had happened 8 s earlier
    const earlier = (t: string) => new Date(Date.parse(t) - 8000).toISOString();
    writeFileSync(f.events, f2.map((e) => JSON.stringify({ ...e, t: earlier(e.t) })).join('\n') + '\n');
    for (const n of readdirSync(f.inbox)) rmSync(join(f.inbox, n));
    const d = status({ adapter: done });
    expect(d.status).toBe('unknown');
    expect(d.why).toMatch(/ended 8 s ago, but no Stop hook came/);
  });
});

describe('deriveStatus without a supervisor', () => {
  it('no supervisor in 60 s: unknown', () => {
    f = newInstance(home, { id: ID, created_at: new Date(Date.now() - 61_000).toISOString() });
    const d = deriveStatus(readInstance(home, ID), readEvents(f));
    expect(d).toMatchObject({ status: 'unknown', why: 'no supervisor has started in 60 s' });
  });
});

describe('turnSettled', () => {
  it('idle with a send on its way in is not settled; a queued one waits for the running turn to end', () => {
    launch();
    fireHook(f, claude.base('SessionStart'));
    appendEvent(f, { source: 'agentctl', kind: 'send', turn: 1, text: 'one' });
    expect(turnSettled(status())).toBe(false);
    fireHook(f, claude.base('UserPromptSubmit', { prompt: 'one' }));
    // queued 20 s ago, while turn 1 ran: it is due only from turn 1's end
    const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
    appendEvent(f, { source: 'agentctl', kind: 'send', turn: 2, text: 'two', queued: true, t: ago(20_000) });
    appendEvent(f, { source: 'agentctl', kind: 'send', turn: 3, text: 'lost', t: ago(20_000) });
    fireHook(f, claude.base('Stop', { last_assistant_message: 'r1' }));
    const d = status();
    expect(d.status).toBe('idle');
    expect(turnSettled(d)).toBe(false);
    const now = Date.now();
    expect(turnSettled(d, now + 16_000)).toBe(true); // never confirmed: a waiter is not held forever
  });
});
