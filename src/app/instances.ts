// The operations that change instances: spawn, send, ask, interrupt, answer, stop, revive. The
// CLI and the MCP tools call exactly these; the reads (list, status, read, wait) are in
// instance-reads.ts.
import type { Placement } from '../core/tmux/placement.js';
import { interactiveAdapter } from '../agents/interactive/index.js';
import { agentAlive, interruptInstance, prepareRevive, stopInstance, subtree } from '../core/instances/control.js';
import { deliver } from '../core/instances/deliver.js';
import { answerRequest } from '../core/instances/permission.js';
import { listInstanceRecords, readInstance } from '../core/instances/record.js';
import { resolveInstance } from '../core/instances/resolve.js';
import { resolveRole } from '../core/instances/roles.js';
import { placeInstancePane, spawnInstanceRecord } from '../core/instances/spawn.js';
import { INSTANCE_ID_RE, type InstanceAgent, type InstanceRecord, type InstanceView, type PermissionMode, type TurnReport } from '../core/instances/types.js';
import { instanceNow, until } from '../core/instances/until.js';
import { AppError } from '../core/sys/errors.js';
import type { AppContext } from './context.js';
import { viewOf, waitInstances } from './instance-reads.js';

/** How long a spawn or revive waits for the agent to be ready, unless told. */
const READY_MS = 90_000;

export interface SpawnRequest {
  agent?: InstanceAgent;
  role?: string;
  name?: string;
  model?: string;
  project?: string;
  worktree?: boolean;
  /** An instance id or name; by default the calling instance ($AGENTCTL_INSTANCE), if any. */
  parent?: string;
  permissions?: PermissionMode;
  /** Standing instructions. */
  context?: string;
  /** false: return at once, status starting. */
  wait?: boolean;
  timeoutMs?: number;
  placement?: Placement;
}

export async function spawnInstance(ctx: AppContext, o: SpawnRequest): Promise<InstanceView> {
  const cfg = ctx.config();
  const role = o.role ? resolveRole(ctx, o.role, { agent: o.agent }) : null;
  const record = await spawnInstanceRecord({
    home: ctx.home,
    env: ctx.env,
    cwd: ctx.cwd,
    agent: o.agent ?? role?.agent ?? cfg.default_instance_agent,
    role: role ? { name: role.name, text: role.text } : null,
    name: o.name,
    model: o.model ?? role?.model ?? null,
    project: o.project,
    worktree: o.worktree,
    parent: parentOf(ctx, o.parent),
    permissions: o.permissions ?? 'ask',
    context: o.context?.trim() ? o.context : null,
    placement: o.placement,
  });
  if (o.wait === false) return view(ctx, record.id);
  await untilReady(ctx, record.id, o.timeoutMs);
  return view(ctx, record.id);
}

/**
 * The parent: the one named, else the instance this call comes from (an agent running
 * `agentctl spawn` has AGENTCTL_INSTANCE; agentctl's MCP server inside one has
 * AGENTCTL_PARENT_INSTANCE), when it exists.
 */
function parentOf(ctx: AppContext, named: string | undefined): string | null {
  if (named) return resolveInstance(ctx.home, named).id;
  const implicit = ctx.env.AGENTCTL_PARENT_INSTANCE || ctx.env.AGENTCTL_INSTANCE;
  if (!implicit || !INSTANCE_ID_RE.test(implicit)) return null;
  try {
    return readInstance(ctx.home, implicit).id;
  } catch {
    return null; // another workspace's instance
  }
}

/** Until the agent takes input (claude: SessionStart; codex: its first turn began, or it has lived a second). */
async function untilReady(ctx: AppContext, id: string, timeoutMs = READY_MS): Promise<void> {
  await until(ctx.home, id, (n) => {
    const s = n.status.status;
    if (s === 'starting') return undefined;
    if (s === 'exited' || s === 'lost') {
      throw new AppError(`instance ${n.record.name} (${id}) ended while starting${n.status.why ? `: ${n.status.why}` : ''}`, {
        fix: n.record.tmux.pane ? `look at its pane ${n.record.tmux.pane}` : 'check the agent CLI ("{cmd:doctor}")',
      });
    }
    return true;
  }, { timeoutMs, what: 'become ready' });
}

export interface Sent {
  instance: string;
  name: string;
  turn: number;
}

export async function sendToInstances(ctx: AppContext, o: { ids: string[]; message: string; queue?: boolean }): Promise<Sent[]> {
  if (!o.message.trim()) throw new AppError('empty message', { fix: '{opt:message}' });
  const targets = unique(o.ids.map((id) => resolveInstance(ctx.home, id)));
  const results = await Promise.allSettled(targets.map((r) => deliver(ctx.home, r.id, interactiveAdapter(r.agent), o.message, { queue: o.queue })));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return targets.map((r, i) => ({ instance: r.id, name: r.name, turn: (results[i] as PromiseFulfilledResult<{ turn: number }>).value.turn }));
}

export async function askInstance(ctx: AppContext, o: { id: string; message: string; timeoutMs?: number }): Promise<TurnReport> {
  const [sent] = await sendToInstances(ctx, { ids: [o.id], message: o.message });
  const [report] = await waitInstances(ctx, { ids: [sent!.instance], timeoutMs: o.timeoutMs });
  return report!;
}

export async function interruptInstances(ctx: AppContext, o: { ids: string[] }): Promise<InstanceView[]> {
  const targets = unique(o.ids.map((id) => resolveInstance(ctx.home, id)));
  await Promise.all(targets.map((r) => interruptInstance(ctx.home, r.id)));
  return targets.map((r) => view(ctx, r.id));
}

/** How long an answer is given to reach the agent (the permission hook polls its answer file). */
const ANSWER_MS = 5000;

export async function answerPermission(ctx: AppContext, o: { id: string; decision: 'allow' | 'deny'; message?: string }): Promise<InstanceView> {
  const r = resolveInstance(ctx.home, o.id);
  const pending = answerRequest(ctx.home, r.id, o.decision, o.message);
  // the answer is taken once the hook has printed it: the status moves on from this request
  await until(ctx.home, r.id, (n) => (n.status.permission?.request === pending.request ? undefined : true), { timeoutMs: ANSWER_MS, what: 'take the answer', onTimeout: () => true });
  return view(ctx, r.id);
}

export async function stopInstances(ctx: AppContext, o: { ids: string[]; tree?: boolean }): Promise<InstanceView[]> {
  const named = unique(o.ids.map((id) => resolveInstance(ctx.home, id)));
  const all = o.tree ? listInstanceRecords(ctx.home) : [];
  const order = unique(named.flatMap((r) => (o.tree ? [...subtree(all, r.id), r] : [r])));
  for (const r of order) {
    if (r.stopped_at && !agentAlive(readInstance(ctx.home, r.id))) continue;
    await stopInstance(ctx.home, r.id);
  }
  return order.map((r) => view(ctx, r.id));
}

/**
 * Bring instances back in new panes, each resuming its own session: the ones named (a stopped
 * one too), or with `all` every instance whose processes are gone and that was not stopped.
 */
export async function reviveInstances(ctx: AppContext, o: { ids?: string[]; all?: boolean; timeoutMs?: number }): Promise<InstanceView[]> {
  if (!o.all && !o.ids?.length) throw new AppError('nothing to revive', { fix: 'name instances, or give {opt:all}' });
  const targets = o.all
    ? listInstanceRecords(ctx.home).filter((r) => !r.stopped_at && !agentAlive(r))
    : unique(o.ids!.map((id) => resolveInstance(ctx.home, id)));
  for (const t of targets) placeInstancePane(ctx.home, await prepareRevive(ctx.home, t.id), ctx.env);
  await Promise.all(targets.map((t) => untilReady(ctx, t.id, o.timeoutMs)));
  return targets.map((t) => view(ctx, t.id));
}

function view(ctx: AppContext, id: string): InstanceView {
  const now = instanceNow(ctx.home, id);
  return viewOf(now.record, now.status);
}

function unique(records: InstanceRecord[]): InstanceRecord[] {
  const seen = new Set<string>();
  return records.filter((r) => !seen.has(r.id) && seen.add(r.id));
}
