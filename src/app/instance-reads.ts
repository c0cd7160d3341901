// The instance calls that only read (and record the status changes they see): list, status,
// the conversation, and wait. The front-ends call exactly these; app/instances.ts holds the
// ones that act.
import { adapterOrNull } from '../core/instances/adapter.js';
import { readEvents } from '../core/instances/events.js';
import { announce } from '../core/instances/notify.js';
import { instanceFiles } from '../core/instances/paths.js';
import { listInstanceRecords, readInstance } from '../core/instances/record.js';
import { resolveInstance } from '../core/instances/resolve.js';
import { refreshStatus, type DerivedStatus } from '../core/instances/status.js';
import type { InstanceEvent, InstanceRecord, InstanceView, TurnReport } from '../core/instances/types.js';
import { waitForTurns } from '../core/instances/wait.js';
import { dirname } from 'node:path';
import type { InteractiveAdapter, TranscriptTurn } from '../agents/interactive/types.js';
import { onChanges } from '../core/sys/follow.js';
import { transcriptTurns, turnCost } from '../core/instances/usage.js';
import { AppError } from '../core/sys/errors.js';
import type { AppContext } from './context.js';

export function viewOf(record: InstanceRecord, d: DerivedStatus): InstanceView {
  return {
    id: record.id,
    name: record.name,
    role: record.role,
    agent: record.agent,
    model: record.model,
    project: record.project,
    status: d.status,
    since: d.since,
    source: d.source,
    why: d.why,
    turn: d.turn,
    permission: d.permission,
    parent: record.parent,
    pane: record.tmux.pane,
    session_id: record.session_id,
    cwd: record.cwd,
  };
}

/** A status change a reader found (the supervisor announces the rest): a lost instance is announced. */
async function announceFound(ctx: AppContext, record: InstanceRecord, d: DerivedStatus): Promise<void> {
  if (d.status !== 'lost') return;
  await announce(ctx.ws, ctx.configOrNull(), record, { kind: 'lost', status: 'lost', turn: d.turn, summary: d.why });
}

/** One instance's view as it is now, its status change recorded (and announced when it is lost). */
export async function instanceView(ctx: AppContext, idOrName: string): Promise<InstanceView> {
  const rec = resolveInstance(ctx.home, idOrName);
  const { record, status, changed } = refreshStatus(ctx.home, rec.id);
  if (changed) await announceFound(ctx, record, status);
  return viewOf(record, status);
}

/** The instances, oldest first: those still there (exited ones too when `all`). */
export async function listInstances(ctx: AppContext, o: { all?: boolean } = {}): Promise<InstanceView[]> {
  const views: InstanceView[] = [];
  for (const rec of listInstanceRecords(ctx.home)) {
    const { record, status, changed } = refreshStatus(ctx.home, rec.id);
    if (changed) await announceFound(ctx, record, status);
    if (o.all || status.status !== 'exited') views.push(viewOf(record, status));
  }
  return views;
}

/** How many recent status changes `instanceStatus` shows. */
const RECENT_CHANGES = 20;

export async function instanceStatus(ctx: AppContext, o: { id: string }): Promise<InstanceView & { events: InstanceEvent[] }> {
  const view = await instanceView(ctx, o.id);
  const events = readEvents(instanceFiles(ctx.home, view.id)).filter((e) => e.kind === 'status');
  return { ...view, events: events.slice(-RECENT_CHANGES) };
}

/** The conversation from the agent's own transcript (never the screen): the last `last` turns, or turn `turn`. */
export async function readConversation(ctx: AppContext, o: { id: string; last?: number; turn?: number }): Promise<TranscriptTurn[]> {
  const rec = resolveInstance(ctx.home, o.id);
  const noTranscript = () =>
    new AppError(`instance ${rec.name} (${rec.id}) has no transcript yet: it has had no turn`, { fix: `send it a message with "{cmd:send ${rec.name}}"` });
  if (!rec.transcript_path && !rec.session_id) throw noTranscript();
  const adapter = adapterOrNull(rec.agent);
  if (!adapter) throw new AppError(`this agentctl cannot read ${rec.agent} transcripts`);
  const path = rec.transcript_path ?? (rec.session_id ? adapter.transcriptPath(rec.session_id, rec.cwd, ctx.env) : null);
  if (!path) throw noTranscript();
  // the turns the hooks say have ended: the transcript shows them too, at most moments later
  const { status } = refreshStatus(ctx.home, rec.id);
  const ended = status.last && status.last.outcome !== 'running' ? (status.turn ?? 0) : Math.max(0, (status.turn ?? 0) - 1);
  const turns = await transcriptUpTo(adapter, path, ended);
  if (o.turn !== undefined) {
    const t = turns.filter((x) => x.n === o.turn);
    if (!t.length) throw new AppError(`instance ${rec.name} has no turn ${o.turn} (it has ${turns.length})`, { fix: `see them all with "{cmd:read ${rec.name}}"` });
    return t;
  }
  return o.last !== undefined ? turns.slice(-Math.max(0, o.last)) : turns;
}

/** How long `read` waits for an agent's transcript to catch up with its hooks (claude writes its last entry after Stop). */
const TRANSCRIPT_LAG_MS = 3000;

/**
 * The transcript's turns once it has the first `ended` turns ended too, or as it is after
 * TRANSCRIPT_LAG_MS: a read right after a turn's end must not miss it.
 */
async function transcriptUpTo(adapter: Pick<InteractiveAdapter, 'readTranscript'>, path: string, ended: number): Promise<TranscriptTurn[]> {
  const read = (): TranscriptTurn[] | null => {
    try {
      return adapter.readTranscript(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  };
  const caughtUp = (t: TranscriptTurn[] | null): t is TranscriptTurn[] => t !== null && t.length >= ended && (ended === 0 || t[ended - 1]!.outcome !== 'running');
  const first = read();
  if (caughtUp(first)) return first;
  return new Promise((resolve) => {
    let finished = false;
    const done = (t: TranscriptTurn[] | null) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      void changes.stop();
      resolve(t ?? []);
    };
    const timer = setTimeout(() => done(read()), TRANSCRIPT_LAG_MS);
    const changes = onChanges([dirname(path)], () => {
      const t = read();
      if (caughtUp(t)) done(t);
    });
    const now = read(); // written while the watch was being set up
    if (caughtUp(now)) done(now);
  });
}

/**
 * Wait until each instance's current turn ended, it needs permission, or it exited or was lost
 * (with `any`, the first of them); one report each, in the order given. An instance with no turn
 * running reports its last turn at once.
 */
export async function waitInstances(ctx: AppContext, o: { ids: string[]; any?: boolean; timeoutMs?: number; signal?: AbortSignal }): Promise<TurnReport[]> {
  return (await waitInstancesOutcome(ctx, o)).reports;
}

/** waitInstances with the exit code `wait` ends with and whether time ran out. */
export async function waitInstancesOutcome(ctx: AppContext, o: { ids: string[]; any?: boolean; timeoutMs?: number | null; signal?: AbortSignal }) {
  const records = [...new Map(o.ids.map((id) => resolveInstance(ctx.home, id)).map((r) => [r.id, r])).values()];
  const found: Promise<void>[] = [];
  const out = await waitForTurns(ctx.home, {
    records,
    any: o.any,
    timeoutMs: o.timeoutMs,
    signal: o.signal,
    onChange: (record, d) => void found.push(announceFound(ctx, record, d)),
  });
  await Promise.all(found);
  return { ...out, reports: out.reports.map((r) => withUsage(ctx, records.find((x) => x.id === r.instance), r)) };
}

/**
 * A report with its turn's tokens from the agent's transcript (the hooks carry none) and their
 * cost from the price table; unchanged when the transcript has nothing for that turn.
 */
function withUsage(ctx: AppContext, rec: InstanceRecord | undefined, r: TurnReport): TurnReport {
  if (!rec || r.turn === null || r.outcome === 'timeout') return r;
  // the record as it is now: codex's session id and transcript are learnt from its first hook
  let current = rec;
  try {
    current = readInstance(ctx.home, rec.id);
  } catch {
    // removed meanwhile: what was read before will do
  }
  const adapter = adapterOrNull(current.agent);
  const u = adapter ? transcriptTurns(adapter, current, ctx.env).find((t) => t.n === r.turn)?.usage : undefined;
  if (!u) return r;
  const cfg = ctx.configOrNull();
  const cost = cfg ? turnCost(cfg, current, u) : null;
  return { ...r, usage: { input_tokens: u.input_tokens, cached_input_tokens: u.cached_input_tokens, output_tokens: u.output_tokens, ...(cost === null ? {} : { cost_usd: Math.round(cost * 1e6) / 1e6 }) } };
}
