// Telling the orchestrator about an instance, by the channels a run's end uses: a line in
// notify.log (same file, a compatible shape with an `instance` field), a tmux flash and the
// wake-up line typed into the orchestrator's pane. Sent when a turn ends, at once when a
// permission is asked, and when an instance exits or is lost.
import { appendNotification, tmuxAnnounce } from '../lifecycle/notify.js';
import { tmuxFor } from '../tmux/tmux.js';
import type { LoadedConfig } from '../workspace/config.js';
import type { Workspace } from '../workspace/paths.js';
import { refreshStatus } from './status.js';
import type { InstanceEvent, InstanceRecord, InstanceStatus } from './types.js';

export type InstanceNoticeKind = 'turn_end' | 'permission' | 'exited' | 'lost';

export interface InstanceNotice {
  kind: InstanceNoticeKind;
  status: InstanceStatus;
  turn?: number | null;
  /** turn_end: completed | failed | interrupted */
  outcome?: string | null;
  /** turn_end: the reply; exited/lost: why. Shortened in the line. */
  summary?: string | null;
  /** permission: the request, the tool and its input. */
  request?: string;
  tool?: string;
  input?: unknown;
  exit_code?: number | null;
  /** Who started the turn: a person's turn at the pane wakes nobody. */
  by?: 'agentctl' | 'person';
}

/** One notify.log line; the run fields a reader of runs' lines expects are there (run_id null). */
export interface InstanceNotification {
  ts: string;
  event: InstanceNoticeKind | 'wake_skipped';
  instance: string;
  name: string;
  run_id: null;
  title: string;
  profile: string;
  project: string | null;
  status: string;
  outcome: string | null;
  goal_met: null;
  exit_code: number | null;
  turn: number | null;
  summary?: string;
  request?: string;
  tool?: string;
  input?: string;
  reason?: string;
}

const SUMMARY_MAX = 400; // keeps a line well under PIPE_BUF, so concurrent appends never interleave
const INPUT_MAX = 600;

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

export function instanceNotification(record: InstanceRecord, n: InstanceNotice): InstanceNotification {
  const line: InstanceNotification = {
    ts: new Date().toISOString(),
    event: n.kind,
    instance: record.id,
    name: record.name,
    run_id: null,
    title: record.name,
    profile: record.agent,
    project: record.project,
    status: n.status,
    outcome: n.kind === 'permission' ? 'needs_permission' : (n.outcome ?? (n.kind === 'turn_end' ? null : n.kind)),
    goal_met: null,
    exit_code: n.exit_code ?? null,
    turn: n.turn ?? null,
  };
  if (n.summary) line.summary = clip(n.summary, SUMMARY_MAX);
  if (n.request) line.request = n.request;
  if (n.tool) line.tool = n.tool;
  if (n.input !== undefined) line.input = clip(typeof n.input === 'string' ? n.input : (JSON.stringify(n.input) ?? ''), INPUT_MAX);
  return line;
}

/** The line typed into the orchestrator's pane; orchestrator prompts match on its start. */
export function instanceWakeLine(record: InstanceRecord, n: InstanceNotice): string {
  const head = `id=${record.id} name=${record.name}`;
  if (n.kind === 'permission') return `[AI_ORCH PERMISSION ${head} tool=${(n.tool ?? 'unknown').replace(/\s/g, '_')}]`;
  if (n.kind === 'turn_end') return `[AI_ORCH TURN ${head} turn=${n.turn ?? 'none'} outcome=${n.outcome ?? 'none'}]`;
  return `[AI_ORCH INSTANCE ${head} status=${n.status}]`;
}

export function instanceFlash(record: InstanceRecord, n: InstanceNotice): string {
  const who = `agentctl: ${record.name} (${record.id})`;
  if (n.kind === 'permission') return clip(`${who} asks permission for ${n.tool ?? 'a tool'}`, 200);
  if (n.kind === 'turn_end') return clip(`${who} turn ${n.turn ?? '?'} ${n.outcome ?? 'ended'}`, 200);
  return clip(`${who} ${n.status}`, 200);
}

/**
 * Announce one instance event: the notify.log line first (what `tail` follows), then tmux.
 * An instance spawned by another instance, or a turn a person started at the pane, wakes no
 * one: its parent (or the person) is the one to know. Never throws for tmux's sake.
 */
export async function announce(ws: Workspace, cfg: LoadedConfig | null, record: InstanceRecord, n: InstanceNotice): Promise<void> {
  announceLine(ws, record, n);
  await announceTmux(ws, cfg, record, n);
}

/** The notify.log line alone (sync): written before the event that wakes a `wait`, so the woken can already `tail` it. */
export function announceLine(ws: Workspace, record: InstanceRecord, n: InstanceNotice): void {
  appendNotification(ws, instanceNotification(record, n));
}

/** The tmux half of announce: the flash and the wake-up line. */
export async function announceTmux(ws: Workspace, cfg: LoadedConfig | null, record: InstanceRecord, n: InstanceNotice): Promise<void> {
  if (!cfg) return;
  const wake = record.parent === null && n.by !== 'person';
  try {
    await tmuxAnnounce(ws, cfg, tmuxFor(record), {
      flash: instanceFlash(record, n),
      wakeLine: instanceWakeLine(record, n),
      buffer: `agentctl-${record.id}`,
      skipped: (reason) => void appendNotification(ws, { ...instanceNotification(record, n), event: 'wake_skipped', reason }),
    }, { wake });
  } catch {
    // the line is written; a tmux that failed is not the instance's problem
  }
}

/** Hooks that end a turn (codex's notify repeats its Stop, so it never announces on its own). */
const TURN_ENDS = new Set(['Stop', 'StopFailure', 'Interrupt']);

/**
 * The supervisor's call after ingestInbox moved `added` into the log: a turn's end (Stop,
 * StopFailure, codex's Interrupt) or the session's end is announced once, whoever recorded
 * the status change (the supervisor is the only one ingesting, so once per hook). A permission
 * request is not: its hook announces it at once itself.
 */
export async function announceIngested(ws: Workspace, cfg: LoadedConfig | null, home: string, id: string, added: InstanceEvent[]): Promise<void> {
  const ends = added.some((e) => TURN_ENDS.has(e.hook ?? ''));
  const endsSession = added.some((e) => e.hook === 'SessionEnd');
  if (!ends && !endsSession) return;
  const { record, status: d } = refreshStatus(home, id);
  if (endsSession || d.status === 'exited') {
    await announce(ws, cfg, record, { kind: 'exited', status: d.status, turn: d.turn, summary: d.why });
    return;
  }
  const t = d.last;
  if (!t || t.outcome === 'running') return;
  await announce(ws, cfg, record, { kind: 'turn_end', status: d.status, turn: t.n, outcome: t.outcome, summary: t.reply ?? t.error, by: t.by });
}
