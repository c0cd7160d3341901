// What the instance operations return, as zod shapes: the MCP tools' output schemas, and what
// `--json` prints, one compact object per line. The core defines the types (core/instances/
// types.ts, agents/interactive/types.ts); the check at the bottom keeps each shape equal to its
// type, so a field added there must be described here. Descriptions are written for a model.
import * as z from 'zod';
import type { TranscriptTurn } from '../agents/interactive/types.js';
import { INSTANCE_AGENTS, INSTANCE_STATUSES, STATUS_SOURCES, type InstanceView as CoreInstanceView, type PendingPermission, type TurnReport } from '../core/instances/types.js';

const nstr = z.string().nullable();

export const PermissionView = z.object({
  request: z.string().describe('the request id'),
  tool: z.string().describe('the tool the agent wants to use, e.g. Bash, Edit, Write, apply_patch'),
  input: z.unknown().describe("the tool's input as the agent gave it (the command, the file and its new text, ...)"),
  asked_at: z.string(),
});

export const InstanceStatusEnum = z
  .enum(INSTANCE_STATUSES)
  .describe(
    'starting: the agent is not ready for input yet; idle: ready for a message; working: a turn is running; needs_permission: the turn waits for answer_permission; exited: the agent ended (revive_instance brings it back); lost: its process is gone without an exit; unknown: the signals disagree (see why)',
  );

export const InstanceView = z.object({
  id: z.string().describe('the instance id (i-xxxxxx); every instance tool also takes its name'),
  name: z.string(),
  role: nstr.describe('the role it was spawned with (architect, developer, ...); null: none'),
  agent: z.enum(INSTANCE_AGENTS),
  model: nstr.describe("null: the agent's default model"),
  project: nstr,
  status: InstanceStatusEnum,
  since: z.string().describe('when the status began (ISO time)'),
  source: z.enum(STATUS_SOURCES).describe("where the status comes from: the agent's hooks, the process table, the transcript, agentctl's own action, or a person at the pane"),
  why: nstr.describe('why the status is what it is, when that is not plain (lost, unknown, exited)'),
  turn: z.number().nullable().describe('the current (or last) turn number; null before the first'),
  permission: PermissionView.nullable().describe('status needs_permission: the pending request; null otherwise'),
  parent: nstr.describe('the instance that spawned it; null: spawned by you or a person'),
  pane: nstr.describe('its tmux pane, where a person can watch and type'),
  session_id: nstr.describe("the agent's own session id (resumed by revive)"),
  cwd: z.string().describe('the directory the agent works in'),
});
export type InstanceView = z.infer<typeof InstanceView>;

export const TurnReportView = z.object({
  instance: z.string(),
  name: z.string(),
  turn: z.number().nullable(),
  status: InstanceStatusEnum,
  outcome: z
    .string()
    .describe(
      'completed; failed (see error); interrupted; needs_permission (the turn is waiting on the request in permission: answer it, then wait again); exited; lost; timeout (the wait ended first: the turn goes on, wait again)',
    ),
  reply: nstr.describe("the agent's last message of the turn: its answer"),
  usage: z
    .object({ input_tokens: z.number().optional(), output_tokens: z.number().optional(), cached_input_tokens: z.number().optional(), cost_usd: z.number().optional() })
    .optional()
    .describe('tokens and cost of the turn, where the agent reports them'),
  permission: PermissionView.optional(),
  error: z.string().optional(),
});

export const SentView = z.object({
  instance: z.string(),
  name: z.string(),
  turn: z.number().describe('the turn the message started: wait for it'),
});
export type SentView = z.infer<typeof SentView>;

export const TranscriptTurnView = z.object({
  n: z.number().describe('1-based turn number, in transcript order'),
  at: nstr,
  prompt: z.string().describe('the message the turn answered'),
  reply: nstr,
  outcome: z.string().describe('completed, interrupted, failed or running'),
  error: z.string().optional(),
  tools: z.array(z.object({ name: z.string(), input: z.unknown() })).optional().describe('tools the agent used in the turn'),
});

export const StatusEventView = z.looseObject({
  t: z.string(),
  source: z.enum(STATUS_SOURCES),
  kind: z.string(),
  status: z.enum(INSTANCE_STATUSES).optional(),
  why: z.string().optional(),
});

// ---- the core's types must equal their shapes (a compile error otherwise)

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
export type InstanceTypesMatchViews = [
  Assert<Same<CoreInstanceView, InstanceView>>,
  Assert<Same<PendingPermission, z.infer<typeof PermissionView>>>,
  Assert<Same<TurnReport, z.infer<typeof TurnReportView>>>,
  Assert<Same<TranscriptTurn, z.infer<typeof TranscriptTurnView>>>,
];
