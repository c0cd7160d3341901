// Which instance a user means, the read calls of the app layer, and the notify.log lines an
// instance leaves (as `tail` shows them).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { instanceStatus, listInstances, readConversation, waitInstances } from '../../src/app/instance-reads.js';
import { renderNotification } from '../../src/app/notifications.js';
import { appendEvent, ingestInbox } from '../../src/core/instances/events.js';
import { announceIngested } from '../../src/core/instances/notify.js';
import { isInstanceRef, resolveInstance } from '../../src/core/instances/resolve.js';
import { workspace } from '../../src/core/workspace/paths.js';
import { claude, fireHook, newInstance } from '../helpers/instances.js';
import { inProcessWorkspace } from '../helpers/inprocess.js';

const w = inProcessWorkspace();
const alive = { supervisor_pid: process.pid, agent_pid: process.pid };

function launched(id: string, over: Record<string, unknown> = {}) {
  const f = newInstance(w.home, { id, ...alive, ...over });
  appendEvent(f, { source: 'agentctl', kind: 'launched', life: 1 });
  fireHook(f, claude.base('SessionStart'));
  return f;
}

describe('resolveInstance', () => {
  it('by id or by name, a live one before a stopped one of the same name', () => {
    launched('i-old001', { name: 'dev', created_at: '2026-01-02T00:00:00.000Z', stopped_at: '2026-01-03T00:00:00.000Z' });
    launched('i-new001', { name: 'dev', created_at: '2026-01-01T00:00:00.000Z' });
    expect(resolveInstance(w.home, 'dev').id).toBe('i-new001');
    expect(resolveInstance(w.home, 'i-old001').id).toBe('i-old001');
    expect(isInstanceRef(w.home, 'dev')).toBe(true);
    expect(isInstanceRef(w.home, 'i-zzzzzz')).toBe(true);
    expect(isInstanceRef(w.home, 'nobody')).toBe(false);
  });

  it('a run id is named as such; an unknown name says how to see the instances', () => {
    w.record({ run_id: '20260101-120000-ab12' });
    expect(() => resolveInstance(w.home, '20260101-120000-ab12')).toThrow('20260101-120000-ab12 is a run id, not an instance: use "agentctl show 20260101-120000-ab12"');
    expect(() => resolveInstance(w.home, 'ab12')).toThrow(/ab12 is a run id/);
    expect(() => resolveInstance(w.home, 'nobody')).toThrow('no instance "nobody": see the instances with "agentctl instances"');
    expect(isInstanceRef(w.home, '20260101-120000-ab12')).toBe(false);
  });
});

describe('reads', () => {
  it('list hides exited instances unless all; status shows the recent changes', async () => {
    launched('i-lst001', { name: 'lister' });
    const gone = launched('i-lst002', { name: 'gone' });
    fireHook(gone, claude.base('SessionEnd', { reason: 'other' }));
    const names = (await listInstances(w.ctx())).map((v) => v.name);
    expect(names).toContain('lister');
    expect(names).not.toContain('gone');
    expect((await listInstances(w.ctx(), { all: true })).find((v) => v.name === 'gone')).toMatchObject({ status: 'exited', source: 'hook', why: 'session ended (other)' });
    const s = await instanceStatus(w.ctx(), { id: 'lister' });
    expect(s).toMatchObject({ id: 'i-lst001', status: 'idle', agent: 'claude', turn: null, permission: null });
    // only what a reader saw is recorded: it first looked after the SessionStart
    expect(s.events.map((e) => e.status)).toEqual(['idle']);
  });

  it('the conversation needs a transcript', async () => {
    launched('i-cnv001', { name: 'quiet' });
    await expect(readConversation(w.ctx(), { id: 'quiet' })).rejects.toThrow('instance quiet (i-cnv001) has no transcript yet: it has had no turn: send it a message with "agentctl send quiet"');
  });

  it('read right after a turn ended waits for the transcript to catch up with the Stop hook (claude writes it after)', async () => {
    const transcript = join(w.root, 'late', 'session.jsonl');
    mkdirSync(join(w.root, 'late'));
    const f = launched('i-lag001', { name: 'lagger', transcript_path: transcript });
    fireHook(f, claude.base('UserPromptSubmit', { prompt: 'q', transcript_path: transcript }));
    fireHook(f, claude.base('Stop', { last_assistant_message: 'a', transcript_path: transcript }));
    const entries = [
      { type: 'user', timestamp: '2026-12-01T07:00:00.000Z', message: { role: 'user', content: 'q' } },
      { type: 'assistant', timestamp: '2026-12-01T07:00:01.000Z', message: { id: 'm1', role: 'assistant', stop_reason: 'end_turn', content: [{ type: 'text', text: 'a' }] } },
    ];
    const reading = readConversation(w.ctx(), { id: 'lagger' });
    setTimeout(() => writeFileSync(transcript, `${entries.map((e) => JSON.stringify(e)).join('\n')}\n`), 150);
    expect(await reading).toEqual([expect.objectContaining({ n: 1, prompt: 'q', reply: 'a', outcome: 'completed' })]);
  });

  it('waitInstances: an idle instance reports its last turn at once', async () => {
    const f = launched('i-wai001', { name: 'waiter' });
    fireHook(f, claude.base('UserPromptSubmit', { prompt: 'q' }));
    fireHook(f, claude.base('Stop', { last_assistant_message: 'a' }));
    expect(await waitInstances(w.ctx(), { ids: ['waiter'] })).toEqual([{ instance: 'i-wai001', name: 'waiter', turn: 1, status: 'idle', outcome: 'completed', reply: 'a' }]);
  });
});

describe('notifications', () => {
  it("a turn's end is announced once, when the supervisor moves its Stop in; tail shows the instance", async () => {
    const f = launched('i-ann001', { name: 'announcer' });
    appendEvent(f, { source: 'agentctl', kind: 'send', turn: 1, text: 'go' });
    fireHook(f, claude.base('UserPromptSubmit', { prompt: 'go' }));
    await announceIngested(workspace(w.home), null, w.home, 'i-ann001', ingestInbox(f));
    fireHook(f, claude.base('Stop', { last_assistant_message: 'went' }));
    await announceIngested(workspace(w.home), null, w.home, 'i-ann001', ingestInbox(f));
    await announceIngested(workspace(w.home), null, w.home, 'i-ann001', ingestInbox(f));
    const lines = readFileSync(join(w.home, 'notify.log'), 'utf8').split('\n').filter((l) => l.includes('i-ann001'));
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({ event: 'turn_end', instance: 'i-ann001', name: 'announcer', run_id: null, status: 'idle', outcome: 'completed', turn: 1, summary: 'went' }),
    ]);
    expect(renderNotification(lines[0]!)).toMatch(/^\d\d:\d\d:\d\d {2}turn_end {2}i-ann001 {2}completed {2}"announcer"  — went$/);
  });

  it('a session end is announced as exited', async () => {
    const f = launched('i-ann002', { name: 'ender' });
    fireHook(f, claude.base('SessionEnd', { reason: 'prompt_input_exit' }));
    await announceIngested(workspace(w.home), null, w.home, 'i-ann002', ingestInbox(f));
    const line = readFileSync(join(w.home, 'notify.log'), 'utf8').split('\n').find((l) => l.includes('i-ann002'))!;
    expect(JSON.parse(line)).toMatchObject({ event: 'exited', status: 'exited', outcome: 'exited', summary: 'session ended (prompt_input_exit)' });
  });
});
