// events.jsonl: what happened to an instance, one JSON line each, appended under the instance's
// lock. The agents' hooks do not write it: they are tiny shell commands (no node start on the
// Stop -> wait path) that drop their payload into inbox/ as one file, written aside and renamed
// in. The in-pane supervisor moves those into the log (ingestInbox); a reader folds whatever is
// still in the inbox itself (readEvents), deduped by the file name, so nothing waits on the
// supervisor being scheduled.
//
// Kinds besides `hook` (written by whoever did it, through appendEvent):
//   send {turn, text}                   agentctl is delivering a prompt (before the paste)
//   launched {life, agent_pid}          the supervisor started the agent's TUI
//   ready {why}                         no ready hook (codex): ready by the process having lived
//   interrupted {turn}                  agentctl's interrupt (claude gives no hook for Escape), or
//                                       a person's Escape read from the transcript (source transcript)
//   turn_failed {turn, error}           a failure only the transcript/rollout shows (codex API error)
//   permission_answer {request, decision, message?}  answerRequest
//   exited {code, signal}               the supervisor saw the agent process end
//   stopped / revived {life}            agentctl's stop / revive
//   status {status, why, turn}          a derived status change (status.ts), never an input
import { appendFileSync, closeSync, fstatSync, openSync, readdirSync, readFileSync, readSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { withLock, writeJsonAtomic } from '../sys/fsutil.js';
import { onChanges } from '../sys/follow.js';
import { setLongTimeout } from '../sys/duration.js';
import { selfCommand } from '../sys/self.js';
import type { InstanceFiles } from './paths.js';
import { InstanceEventSchema, InstanceRecordSchema, type InstanceEvent } from './types.js';

/** The log is read from its end when it grows past this (a long-lived instance). */
const MAX_LOG_BYTES = 32 * 1024 * 1024;
/** A hook payload's text fields are kept up to this many characters (a reply, a 24 KB paste fit). */
const MAX_TEXT = 256 * 1024;
/** A tool's input bigger than this as JSON is kept as a shortened string. */
const MAX_TOOL_INPUT = 16 * 1024;
/** Inbox payload files: `<19-digit ns time>-<pid>.json` (the hooks' own names sort in time order). */
const INBOX_NAME = /^(\d{19})-(\d+)\.json$/;

/** Single-quoted for POSIX sh: nothing inside is expanded. */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The end of the record command: the payload in "$t" is renamed to its final name. */
function renameInto(): string {
  return `mv -f "$t" "$d/$(date +%s%N)-$$.json"; exit 0`;
}

/**
 * The `record` hook: a POSIX sh command line (run by `sh -c` with the payload on stdin) that
 * writes the payload to inbox/.tmp-PID and renames it to inbox/<ns time>-<pid>.json. It always
 * exits 0 and prints nothing: a hook's output would reach the agent.
 */
export function recordHookCommand(files: InstanceFiles): string {
  return `d=${shQuote(files.inbox)}; t="$d/.tmp-$$"; cat >"$t" && ${renameInto()}`;
}

/** codex `notify`: an argv whose LAST argument (appended by codex) is the JSON payload, dropped into the inbox like a hook's. */
export function notifyArgv(files: InstanceFiles): string[] {
  return ['sh', '-c', `d=${shQuote(files.inbox)}; t="$d/.tmp-$$"; printf '%s' "$1" >"$t" && ${renameInto()}`, 'agentctl-notify'];
}

/** The PermissionRequest hook: agentctl's own `_hook permission` (it blocks for the answer). */
export function permissionHookCommand(home: string, id: string): string {
  return [...selfCommand(), '_hook', 'permission', '--instance', id, '--home', home].map(shQuote).join(' ');
}

/** Writes one payload into the inbox the way the record hook does (the permission hook's own events). */
export function dropIntoInbox(files: InstanceFiles, payload: Record<string, unknown>): string {
  const ns = (BigInt(Date.now()) * 1_000_000n + BigInt(Math.floor((performance.now() % 1) * 1e6))).toString().padStart(19, '0');
  const name = `${ns}-${process.pid}.json`;
  writeJsonAtomic(join(files.inbox, name), payload, 0o600);
  return name;
}

function text(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  return v.length > MAX_TEXT ? `${v.slice(0, MAX_TEXT)}…` : v;
}

function toolInput(v: unknown): unknown {
  if (v === undefined) return undefined;
  const json = JSON.stringify(v) ?? '';
  return json.length > MAX_TOOL_INPUT ? `${json.slice(0, MAX_TOOL_INPUT)}…` : v;
}

/** The time a hook ran, from its inbox file name. */
function inboxTime(name: string): string {
  const ns = BigInt(INBOX_NAME.exec(name)![1]!);
  return new Date(Number(ns / 1_000_000n)).toISOString();
}

/** A hook payload as an event: its useful fields, under stable names. */
export function payloadEvent(name: string, raw: string): InstanceEvent {
  const key = name.replace(/\.json$/, '');
  const base = { t: inboxTime(name), source: 'hook' as const, kind: 'hook', key };
  let p: Record<string, unknown>;
  try {
    p = JSON.parse(raw) as Record<string, unknown>;
    if (!p || typeof p !== 'object' || Array.isArray(p)) throw new Error('not an object');
  } catch {
    return { ...base, hook: 'unreadable' };
  }
  // codex notify: no hook name, dashed keys
  if (p.type === 'agent-turn-complete' && p.hook_event_name === undefined) {
    return drop({ ...base, hook: 'notify', session_id: text(p['thread-id']), turn_id: text(p['turn-id']), last_assistant_message: text(p['last-assistant-message']) });
  }
  return drop({
    ...base,
    hook: typeof p.hook_event_name === 'string' ? p.hook_event_name : 'unknown',
    session_id: text(p.session_id),
    transcript_path: text(p.transcript_path),
    prompt: text(p.prompt),
    prompt_id: text(p.prompt_id),
    turn_id: text(p.turn_id),
    tool_name: text(p.tool_name),
    tool_input: toolInput(p.tool_input),
    tool_use_id: text(p.tool_use_id),
    last_assistant_message: text(p.last_assistant_message),
    error: text(p.error) ?? (p.error && typeof p.error === 'object' ? text(JSON.stringify(p.error)) : undefined),
    reason: text(p.reason),
    start_source: text(p.source),
    notification_type: text(p.notification_type),
    // the permission hook's own payloads (see permission.ts)
    request: text(p.agentctl_request),
    decision: text(p.agentctl_decision),
    by: text(p.agentctl_by),
    message: text(p.agentctl_message),
    hook_pid: typeof p.agentctl_pid === 'number' ? p.agentctl_pid : undefined,
  });
}

function drop(ev: Record<string, unknown>): InstanceEvent {
  for (const k of Object.keys(ev)) if (ev[k] === undefined) delete ev[k];
  return ev as InstanceEvent;
}

function inboxNames(files: InstanceFiles): string[] {
  try {
    return readdirSync(files.inbox).filter((n) => INBOX_NAME.test(n)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** The log's text, or its last MAX_LOG_BYTES starting at a line. */
function readLogText(path: string, limit = MAX_LOG_BYTES): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
  try {
    const { size } = fstatSync(fd);
    if (size <= limit) return readFileSync(fd, 'utf8');
    const buf = Buffer.alloc(limit);
    readSync(fd, buf, 0, limit, size - limit);
    const s = buf.toString('utf8');
    return s.slice(s.indexOf('\n') + 1);
  } finally {
    closeSync(fd);
  }
}

/** Parsed lines; a corrupt or partial line (a writer killed mid-line, a hand edit) is skipped. */
function parseLog(textIn: string): InstanceEvent[] {
  const out: InstanceEvent[] = [];
  for (const line of textIn.split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = InstanceEventSchema.safeParse(JSON.parse(line));
      if (r.success) out.push(r.data);
    } catch {
      // skipped
    }
  }
  return out;
}

function readInboxFile(files: InstanceFiles, name: string): string | null {
  try {
    return readFileSync(join(files.inbox, name), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * Every event in time order: the log and the hook payloads still in the inbox (not yet moved
 * by the supervisor), deduped by key. Sorted by time, stably: a reader may record a status
 * before the supervisor moves in a hook that happened earlier. Does not write.
 */
export function readEvents(files: InstanceFiles): InstanceEvent[] {
  for (let attempt = 0; ; attempt++) {
    // the inbox is listed before the log is read: a file moved meanwhile is in the log by then
    const names = inboxNames(files);
    const logged = parseLog(readLogText(files.events));
    const keys = new Set(logged.map((e) => e.key).filter(Boolean));
    let moved = false;
    for (const name of names) {
      if (keys.has(name.replace(/\.json$/, ''))) continue;
      const raw = readInboxFile(files, name);
      if (raw === null) {
        moved = true;
        break;
      }
      logged.push(payloadEvent(name, raw));
    }
    if (!moved || attempt >= 5) return inTimeOrder(logged);
  }
}

function inTimeOrder(events: InstanceEvent[]): InstanceEvent[] {
  return events
    .map((e, i) => ({ e, i }))
    .sort((a, b) => (a.e.t < b.e.t ? -1 : a.e.t > b.e.t ? 1 : a.i - b.i))
    .map((x) => x.e);
}

function lineOf(ev: InstanceEvent): string {
  return `${JSON.stringify(ev)}\n`;
}

/** Appends to the log whole lines only, starting a fresh line after a partial one. */
function appendLines(path: string, lines: string): void {
  let mid = false;
  try {
    const fd = openSync(path, 'r');
    try {
      const { size } = fstatSync(fd);
      if (size > 0) {
        const b = Buffer.alloc(1);
        readSync(fd, b, 0, 1, size - 1);
        mid = b[0] !== 0x0a;
      }
    } finally {
      closeSync(fd);
    }
  } catch {
    // no log yet
  }
  appendFileSync(path, mid ? `\n${lines}` : lines);
}

/**
 * Appends one event (t: now unless given) under the instance's lock and returns it. `locked`:
 * the caller already holds the lock (a second flock by the same process would wait on itself).
 */
export function appendEvent(files: InstanceFiles, ev: Omit<InstanceEvent, 't'> & { t?: string }, o: { locked?: boolean } = {}): InstanceEvent {
  const full = InstanceEventSchema.parse({ ...ev, t: ev.t ?? new Date().toISOString() });
  const write = () => appendLines(files.events, lineOf(full));
  if (o.locked) write();
  else withLock(files.lock, write, undefined, { makeDir: false });
  return full;
}

/** Keys near the log's end: a supervisor killed between appending and unlinking left its last ones there. */
function recentKeys(files: InstanceFiles): Set<string> {
  return new Set(parseLog(readLogText(files.events, 256 * 1024)).map((e) => e.key!).filter(Boolean));
}

/**
 * The supervisor's call: moves every inbox payload into the log, in order, as hook events, and
 * returns the new ones. The first hook naming the session fills the record's session_id and
 * transcript_path when they are still unknown (codex's are learnt this way).
 */
export function ingestInbox(files: InstanceFiles): InstanceEvent[] {
  return withLock(files.lock, () => {
    const names = inboxNames(files);
    if (!names.length) return [];
    const seen = recentKeys(files);
    const added: InstanceEvent[] = [];
    for (const name of names) {
      const key = name.replace(/\.json$/, '');
      const raw = readInboxFile(files, name);
      if (raw === null) continue;
      if (!seen.has(key)) added.push(payloadEvent(name, raw));
    }
    if (added.length) appendLines(files.events, added.map(lineOf).join(''));
    for (const name of names) unlinkSync(join(files.inbox, name));
    learnSession(files, added);
    return added;
  }, undefined, { makeDir: false });
}

function learnSession(files: InstanceFiles, added: InstanceEvent[]): void {
  const named = added.find((e) => e.hook !== 'notify' && e.hook !== 'unreadable' && typeof e.session_id === 'string');
  if (!named) return;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(files.record, 'utf8'));
  } catch {
    return;
  }
  const r = InstanceRecordSchema.safeParse(raw);
  if (!r.success) return;
  const rec = r.data;
  if (rec.session_id && rec.transcript_path) return;
  rec.session_id ??= named.session_id as string;
  if (!rec.transcript_path && typeof named.transcript_path === 'string' && rec.session_id === named.session_id) rec.transcript_path = named.transcript_path;
  writeJsonAtomic(files.record, rec);
}

export interface WaitEventsOptions {
  /**
   * Also look every this many ms: for what no file tells (a process that died). Not a readiness
   * signal: events are seen through the watches within milliseconds.
   */
  recheckMs?: number;
}

/**
 * pick() over the events until it returns non-null, or null after timeoutMs (non-finite: no
 * limit). Looks once at once, then again whenever the inbox or the instance's directory
 * changes (fs.watch), so a hook's payload is seen within milliseconds of landing.
 */
export function waitForEvents<T>(files: InstanceFiles, pick: (events: InstanceEvent[]) => T | null, timeoutMs: number, o: WaitEventsOptions = {}): Promise<T | null> {
  const first = pick(readEvents(files));
  if (first !== null) return Promise.resolve(first);
  return new Promise<T | null>((resolve, reject) => {
    let done = false;
    let queued = false;
    const cleanups: (() => void)[] = [];
    const finish = (v: T | null, err?: unknown) => {
      if (done) return;
      done = true;
      for (const c of cleanups) c();
      if (err) reject(err);
      else resolve(v);
    };
    const check = () => {
      queued = false;
      if (done) return;
      try {
        const v = pick(readEvents(files));
        if (v !== null) finish(v);
      } catch (err) {
        finish(null, err);
      }
    };
    const changes = onChanges([files.inbox, files.dir], () => {
      if (queued) return;
      queued = true;
      setImmediate(check);
    });
    cleanups.push(() => void changes.stop());
    if (Number.isFinite(timeoutMs)) cleanups.push(setLongTimeout(() => finish(null), Math.max(0, timeoutMs)));
    if (o.recheckMs) {
      const iv = setInterval(check, o.recheckMs);
      cleanups.push(() => clearInterval(iv));
    }
    // what landed between the first look and the watches being in place
    check();
  });
}
