// The record of one persistent interactive agent (an "instance") and its event log. An
// instance lives in <home>/instances/<id>/ (see paths.ts): instance.json is what it is (who,
// where, which session), events.jsonl is what happened to it, in order, each line with its time
// and source. Status is never stored as the truth: it is folded from the events and checked
// against the process (status.ts), so a reader can always say why.
import * as z from 'zod';

/** Instance ids never look like run ids (yyyyMMdd-HHmmss-xxxx) or workflow ids (wf-...). */
export const INSTANCE_ID_RE = /^i-[a-z0-9]{6}$/;

export const INSTANCE_AGENTS = ['claude', 'codex'] as const;
export type InstanceAgent = (typeof INSTANCE_AGENTS)[number];

/** ask: every request reaches the orchestrator; auto-edit: file edits are allowed, the rest asked; bypass: nothing is asked. */
export const PERMISSION_MODES = ['ask', 'auto-edit', 'bypass'] as const;
export type PermissionMode = (typeof PERMISSION_MODES)[number];

export const INSTANCE_STATUSES = ['starting', 'idle', 'working', 'needs_permission', 'exited', 'lost', 'unknown'] as const;
export type InstanceStatus = (typeof INSTANCE_STATUSES)[number];

/** Where a status (or an event) came from: the agent's hooks, the process table, the agent's transcript/rollout, agentctl's own action, or a person at the pane. */
export const STATUS_SOURCES = ['hook', 'process', 'transcript', 'agentctl', 'person'] as const;
export type StatusSource = (typeof STATUS_SOURCES)[number];

export const InstanceRecordSchema = z.looseObject({
  version: z.literal(1),
  id: z.string().regex(INSTANCE_ID_RE),
  name: z.string(),
  role: z.string().nullable(),
  agent: z.enum(INSTANCE_AGENTS),
  model: z.string().nullable(),
  permissions: z.enum(PERMISSION_MODES),
  project: z.string().nullable(),
  project_dir: z.string(),
  /** Where the agent runs (the project dir, or the instance's worktree). Resume needs the same. */
  cwd: z.string(),
  worktree: z.object({ path: z.string(), branch: z.string(), base: z.string().nullable() }).nullable(),
  parent: z.string().nullable(),
  created_at: z.string(),
  /** The agent's session id: chosen by agentctl for claude (--session-id), learnt from the first hook payload for codex. */
  session_id: z.string().nullable(),
  transcript_path: z.string().nullable(),
  /** The in-pane supervisor and the agent process, with their start times (pids are reused). */
  supervisor_pid: z.number().int().nullable(),
  supervisor_start: z.string().nullable(),
  agent_pid: z.number().int().nullable(),
  agent_start: z.string().nullable(),
  tmux: z.object({ socket: z.string().nullable(), socket_name: z.string().nullable(), session: z.string().nullable(), pane: z.string().nullable() }),
  /** How many times the instance was brought back (revive); its record and event log go on. */
  lives: z.number().int().min(1),
  stopped_at: z.string().nullable(),
});
export type InstanceRecord = z.infer<typeof InstanceRecordSchema>;

/** One line of events.jsonl. `kind` says which of the optional fields are set. */
export const InstanceEventSchema = z.looseObject({
  /** ISO time the event happened (hook: when the hook ran). */
  t: z.string(),
  source: z.enum(STATUS_SOURCES),
  kind: z.string(),
  /** hook events: the hook's name (SessionStart, UserPromptSubmit, Stop, ...) and the payload's useful fields. */
  hook: z.string().optional(),
  /** Dedupe key of a hook event (its inbox file name): a reader may see one both in the inbox and in the log. */
  key: z.string().optional(),
  turn: z.number().int().optional(),
  status: z.enum(INSTANCE_STATUSES).optional(),
  why: z.string().optional(),
});
export type InstanceEvent = z.infer<typeof InstanceEventSchema>;

/** One turn as `wait`, `ask` and `send_to_instance` report it: one compact JSON line each. */
export interface TurnReport {
  instance: string;
  name: string;
  turn: number | null;
  /** The instance's status when the report was made. */
  status: InstanceStatus;
  /** completed | failed | interrupted | needs_permission (the turn waits on a question) | exited | lost | timeout (the wait's, not the turn's) */
  outcome: string;
  reply: string | null;
  usage?: { input_tokens?: number; output_tokens?: number; cached_input_tokens?: number; cost_usd?: number };
  permission?: PendingPermission;
  error?: string;
}

export interface PendingPermission {
  request: string;
  tool: string;
  input: unknown;
  asked_at: string;
}

/** What `instances` and `get_instance_status` show per instance. */
export interface InstanceView {
  id: string;
  name: string;
  role: string | null;
  agent: InstanceAgent;
  model: string | null;
  project: string | null;
  status: InstanceStatus;
  since: string;
  source: StatusSource;
  why: string | null;
  turn: number | null;
  permission: PendingPermission | null;
  parent: string | null;
  pane: string | null;
  session_id: string | null;
  cwd: string;
}
