// An instance's status: what its hooks say (fold.ts), checked against the processes (a dead
// agent with no exit recorded is lost) and, where no hook exists, the agent's transcript (a
// person's Escape in claude, a failed turn in codex). Signals that disagree beyond a bound give
// `unknown` with why, never a guess. Whoever derives a status records a change of it as a
// `status` event, under the instance's lock, once.
import { statSync } from 'node:fs';
import type { InteractiveAdapter, TranscriptTurn } from '../../agents/interactive/types.js';
import { pidAlive, withLock } from '../sys/fsutil.js';
import { sameProcessAlive } from '../sys/proctree.js';
import { adapterOrNull } from './adapter.js';
import { appendEvent, readEvents } from './events.js';
import { foldEvents, looseNormalize, type Folded, type TurnState } from './fold.js';
import { instanceFiles } from './paths.js';
import { readInstance } from './record.js';
import type { InstanceEvent, InstanceRecord, InstanceStatus, InstanceView, StatusSource, TurnReport } from './types.js';

/** A turn the transcript says has ended while no hook said so: after this, the status is unknown. */
export const DISAGREE_MS = 5000;
/** A spawned instance whose supervisor has not recorded itself by then is unknown. */
export const STARTUP_MS = 60_000;

export type TranscriptReader = Pick<InteractiveAdapter, 'readTranscript' | 'normalizePrompt'>;

/** The status as InstanceView shows it (turn: the current one, or the last when none runs), and how it was reached. */
export interface DerivedStatus extends Pick<InstanceView, 'status' | 'since' | 'source' | 'why' | 'turn' | 'permission'> {
  /** The current (or last) turn. */
  last: TurnState | null;
  folded: Folded;
  /** What only the transcript showed, to be recorded as events (the fold then agrees). */
  learnt: Omit<InstanceEvent, 't'>[];
}

export interface DeriveOptions {
  adapter?: TranscriptReader | null;
  /** Process liveness (tests substitute it). */
  alive?: (pid: number, start: string | null) => boolean;
}

function transcriptOf(record: InstanceRecord, events: InstanceEvent[]): string | null {
  if (record.transcript_path) return record.transcript_path;
  for (let i = events.length - 1; i >= 0; i--) if (typeof events[i]!.transcript_path === 'string') return events[i]!.transcript_path as string;
  return null;
}

/** How far a transcript's turn may start before the hook saw its prompt (clocks of one machine, write delays). */
const START_SLACK_MS = 2000;

/**
 * The transcript's turn for ours: its last one, when it has the same prompt and did not start
 * before ours (the same prompt sent twice must not match the earlier turn); null when the
 * transcript has not got to ours yet.
 */
function transcriptTurn(turns: TranscriptTurn[], t: TurnState, normalize: (s: string) => string): TranscriptTurn | null {
  const last = turns.at(-1);
  if (!last || (normalize(last.prompt) !== normalize(t.prompt) && last.prompt !== t.prompt)) return null;
  if (last.at && Date.parse(last.at) < Date.parse(t.started_at) - START_SLACK_MS) return null;
  return last;
}

export function deriveStatus(record: InstanceRecord, events: InstanceEvent[], now: number = Date.now(), o: DeriveOptions = {}): DerivedStatus {
  const normalize = o.adapter ? (s: string) => o.adapter!.normalizePrompt(s) : looseNormalize;
  const f = foldEvents(record, events, normalize);
  const alive = o.alive ?? sameProcessAlive;
  const out: DerivedStatus = {
    status: f.status,
    since: f.since,
    source: f.source,
    why: f.why,
    turn: f.turns.at(-1)?.n ?? null,
    permission: f.permission ? { request: f.permission.request, tool: f.permission.tool, input: f.permission.input, asked_at: f.permission.asked_at } : null,
    last: f.turns.at(-1) ?? null,
    folded: f,
    learnt: [],
  };
  const override = (status: InstanceStatus, source: StatusSource, why: string) => {
    out.status = status;
    out.source = source;
    out.why = why;
    // a status only reconciliation sees dates from when it was first recorded
    out.since = f.recorded?.status === status ? f.recorded.t : new Date(now).toISOString();
    if (status === 'lost' || status === 'exited') out.permission = null;
  };
  if (f.status === 'exited') return out;
  if (record.stopped_at && (record.agent_pid === null || !alive(record.agent_pid, record.agent_start))) {
    override('exited', 'agentctl', 'stopped by agentctl');
    return out;
  }

  const agent = record.agent_pid !== null ? alive(record.agent_pid, record.agent_start) : null;
  const supervisor = record.supervisor_pid !== null ? alive(record.supervisor_pid, record.supervisor_start) : null;
  if (agent === false) {
    override('lost', 'process', `the agent process ${record.agent_pid} is gone and no exit was recorded`);
    return out;
  }
  if (agent === null && supervisor === false) {
    override('lost', 'process', `the supervisor process ${record.supervisor_pid} is gone and the agent never started`);
    return out;
  }
  if (agent === null && supervisor === null && now - Date.parse(record.created_at) > STARTUP_MS) {
    override('unknown', 'process', `no supervisor has started in ${STARTUP_MS / 1000} s`);
    return out;
  }

  if (f.status === 'needs_permission' && f.permission?.hook_pid && !pidAlive(f.permission.hook_pid)) {
    // the agent killed its hook: an interrupted turn (the transcript may say so), or a hook timeout
    if (o.adapter) reconcileWithTranscript(record, events, now, o.adapter, normalize, out);
    if (out.status !== 'needs_permission') return out;
    override('unknown', 'process', `the permission hook (process ${f.permission.hook_pid}) is gone: nobody can answer the request for ${f.permission.tool}`);
    out.permission = null;
    return out;
  }
  if (f.status === 'working' && o.adapter) reconcileWithTranscript(record, events, now, o.adapter, normalize, out);
  return out;
}

/** A running turn that the transcript says is over: interrupted or failed (no hook tells), or completed with no Stop (unknown). */
function reconcileWithTranscript(record: InstanceRecord, events: InstanceEvent[], now: number, adapter: TranscriptReader, normalize: (s: string) => string, out: DerivedStatus): void {
  const cur = out.last;
  const path = transcriptOf(record, events);
  if (!cur || cur.outcome !== 'running' || !path) return;
  let turns: TranscriptTurn[];
  let mtime: number;
  try {
    mtime = statSync(path).mtimeMs;
    turns = adapter.readTranscript(path);
  } catch {
    return; // not written yet
  }
  const t = transcriptTurn(turns, cur, normalize);
  if (!t || t.outcome === 'running') return;
  const at = new Date(now).toISOString();
  if (t.outcome === 'interrupted') {
    out.learnt.push({ source: 'transcript', kind: 'interrupted', turn: cur.n, why: 'the transcript shows the turn interrupted' });
    Object.assign(out, { status: 'idle', source: 'transcript', why: 'turn interrupted (at the pane: the transcript shows it)', since: at, permission: null });
    out.last = { ...cur, outcome: 'interrupted', ended_at: at };
  } else if (t.outcome === 'failed') {
    const error = t.error ?? 'the turn failed';
    out.learnt.push({ source: 'transcript', kind: 'turn_failed', turn: cur.n, error });
    Object.assign(out, { status: 'idle', source: 'transcript', why: `turn failed: ${error}`, since: at, permission: null });
    out.last = { ...cur, outcome: 'failed', ended_at: at, error };
  } else if (now - mtime > DISAGREE_MS && now - Date.parse(cur.started_at) > DISAGREE_MS) {
    Object.assign(out, {
      status: 'unknown',
      source: 'transcript',
      why: `the transcript says turn ${cur.n} ended ${Math.round((now - mtime) / 1000)} s ago, but no Stop hook came`,
      since: out.folded.recorded?.status === 'unknown' ? out.folded.recorded.t : at,
    });
  }
}

/**
 * The status now, with a change recorded (and what only the transcript showed): the call every
 * reader makes. Re-derived under the lock before writing, so concurrent readers record a change
 * once. `changed` tells the caller to announce it (a lost instance).
 */
export function refreshStatus(home: string, id: string, opts: DeriveOptions = {}): { record: InstanceRecord; status: DerivedStatus; changed: boolean } {
  const files = instanceFiles(home, id);
  let record = readInstance(home, id);
  // without a word from the caller, the agent's own adapter reads its transcript
  const o = opts.adapter === undefined ? { ...opts, adapter: adapterOrNull(record.agent) } : opts;
  let d = deriveStatus(record, readEvents(files), Date.now(), o);
  if (!needsWrite(d)) return { record, status: d, changed: false };
  let changed = false;
  withLock(files.lock, () => {
    record = readInstance(home, id);
    d = deriveStatus(record, readEvents(files), Date.now(), o);
    for (const ev of d.learnt) appendEvent(files, ev, { locked: true });
    if (d.learnt.length) d = deriveStatus(record, readEvents(files), Date.now(), o);
    if (d.folded.recorded?.status !== d.status) {
      appendEvent(files, { source: d.source, kind: 'status', status: d.status, ...(d.why ? { why: d.why } : {}), ...(d.turn !== null ? { turn: d.turn } : {}) }, { locked: true });
      changed = true;
    }
  }, undefined, { makeDir: false });
  return { record, status: d, changed };
}

function needsWrite(d: DerivedStatus): boolean {
  return d.learnt.length > 0 || d.folded.recorded?.status !== d.status;
}

/** What `wait` reports for an instance: its current (or last) turn as it stands. */
export function turnReport(record: InstanceRecord, d: DerivedStatus): TurnReport {
  const t = d.last;
  const r: TurnReport = { instance: record.id, name: record.name, turn: t?.n ?? null, status: d.status, outcome: outcomeOf(d), reply: t?.reply ?? null };
  if (d.status === 'needs_permission' && d.permission) r.permission = d.permission;
  const error = t?.error ?? (d.status === 'lost' || d.status === 'unknown' ? d.why : null);
  if (error && r.outcome !== 'completed') r.error = error;
  return r;
}

function outcomeOf(d: DerivedStatus): string {
  if (d.status === 'needs_permission') return 'needs_permission';
  if (d.status === 'lost') return 'lost';
  if (d.status === 'exited') return 'exited';
  if (d.status === 'unknown') return 'unknown';
  return d.last?.outcome ?? 'none';
}

/** A send not confirmed by then (its delivery failed) no longer holds a waiter. */
const SEND_CONFIRM_MS = 15_000;

/**
 * Whether `wait` is over for this instance: its turn ended (idle, and no send of agentctl's on
 * its way in), it needs permission, or it is gone or unknown (the report says why).
 */
export function turnSettled(d: DerivedStatus, now: number = Date.now()): boolean {
  if (d.status === 'working' || d.status === 'starting') return false;
  if (d.status !== 'idle') return true;
  // a queued send is due once the turn it waited for has ended
  const ended = d.last?.ended_at ? Date.parse(d.last.ended_at) : 0;
  return !d.folded.pendingSends.some((s) => now - (s.queued ? Math.max(Date.parse(s.t), ended) : Date.parse(s.t)) < SEND_CONFIRM_MS);
}
