import * as z from 'zod';
import { AGENT_NAMES } from '../../agents/types.js';

export const META_VERSION = 1;

export const RUN_STATUSES = ['pending', 'running', 'finished', 'lost'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** How a run ended. `status` says where it is in its life; `outcome` what came of it. */
export const OUTCOMES = ['goal_met', 'goal_not_met', 'invalid_output', 'agent_error', 'cancelled', 'timed_out', 'lost', 'budget_exceeded'] as const;
export type Outcome = (typeof OUTCOMES)[number];

const UsageSchema = z.looseObject({
  input_tokens: z.number().optional(),
  cached_input_tokens: z.number().optional(),
  cache_write_input_tokens: z.number().optional(),
  output_tokens: z.number().optional(),
  reasoning_output_tokens: z.number().optional(),
  total_tokens: z.number().optional(),
});

const nstr = z.string().nullable();
const nint = z.number().int().nullable();

/**
 * A run's own git worktree (`start --worktree`). Resumes and escalations share their parent's,
 * each with its own copy of this record (commit, head and diff are per run).
 */
export const WorktreeSchema = z.looseObject({
  /** The worktree's top directory: <home>/worktrees/<project>/<run id of its creator>. */
  path: z.string(),
  /** Where the agent runs: path plus the project's subdirectory within its repository. */
  cwd: z.string(),
  branch: z.string(),
  /** Top of the checkout it was made from, and which `merge` merges into. */
  repo_root: z.string(),
  /** The base as given (HEAD or --base REF), and the commit it named. */
  base_ref: z.string(),
  base: z.string(),
  /** The checkout's uncommitted changes were copied in (--with-changes). */
  with_changes: z.boolean(),
  /** The run that created the worktree. */
  created_by: z.string(),
  /** The commit this run's end made on the branch (null: nothing to commit, or commits off). */
  commit: nstr,
  /** The branch tip when this run ended. */
  head: nstr,
  /** `git diff --stat` summary and changed paths of the branch (or worktree) against base. */
  diff_stat: nstr,
  files_changed: z.array(z.string()).nullable(),
  merged: z
    .object({ into: z.string(), commit: z.string(), squash: z.boolean(), branch_head: z.string(), at: z.string() })
    .nullable(),
  removed_at: nstr,
  branch_deleted_at: nstr,
});
export type Worktree = z.infer<typeof WorktreeSchema>;

// Field names agent-orc users know are kept (run_id, title, project, project_dir, profile,
// created_at, status, mode, parent_run_id, thread_id, exit_code, ended_at, goal_met, summary,
// git_diff_stat); everything else is new. Unknown fields are kept so newer writers stay readable.
export const MetaSchema = z.looseObject({
  version: z.literal(META_VERSION),
  run_id: z.string(),
  title: z.string(),
  project: nstr,
  project_dir: z.string(),
  profile: z.string(),
  agent: z.enum(AGENT_NAMES),
  model: nstr,
  /** new: a fresh session; resume: continues the parent's agent session; fresh: new session carrying the parent's context. */
  mode: z.enum(['new', 'resume', 'fresh']),
  command: z.array(z.string()).nullable(),
  created_at: z.string(),
  started_at: nstr,
  ended_at: nstr,
  status: z.enum(RUN_STATUSES),
  outcome: z.enum(OUTCOMES).nullable(),
  exit_code: nint,
  signal: nstr,
  parent_run_id: nstr,
  /** Set when this run was made by `escalate` or --auto-escalate from parent_run_id. */
  escalated_from: nstr,
  escalated_to: nstr,
  escalation_depth: z.number().int().min(0),
  auto_escalate: z.boolean(),
  thread_id: nstr,
  goal_met: z.boolean().nullable(),
  summary: nstr,
  followup_prompt: nstr,
  git_diff_stat: nstr,
  git: z
    .object({
      repo_root: z.string(),
      start_head: nstr,
      start_tree: nstr,
      end_tree: nstr,
      files_changed: z.array(z.string()).nullable(),
    })
    .nullable(),
  /** Optional: records written before worktrees existed have no such field. */
  worktree: WorktreeSchema.nullable().optional(),
  usage: UsageSchema.nullable(),
  cost_usd: z.number().nullable(),
  timeout_s: z.number().nullable(),
  timings: z.object({
    queued_ms: nint,
    duration_ms: nint,
  }),
  tmux: z.object({
    socket: nstr,
    socket_name: nstr,
    session: nstr,
    pane: nstr,
    placement: z.enum(['split', 'agents-window', 'own-window', 'new-session']).nullable(),
  }),
  pids: z.object({
    supervisor: nint,
    /** /proc start time of the supervisor, so a recycled pid is not mistaken for it. */
    supervisor_start: nstr,
    agent: nint,
    agent_start: nstr,
  }),
  errors: z.array(z.string()),
  validation_errors: z.array(z.string()),
  /** The workflow this run is a step of; null for a run started on its own (older records: absent). */
  workflow_id: nstr.default(null),
  /** The run's own limits (start's max cost / max tokens, or config budgets.per_run_*), and the one it crossed. */
  budget: z
    .object({
      max_usd: z.number().nullable(),
      max_tokens: z.number().nullable(),
      /** Set when the run was stopped for crossing a limit: which, the limit, and what was spent then. */
      exceeded: z.object({ limit: z.enum(['usd', 'tokens']), max: z.number(), spent: z.number(), estimated: z.boolean() }).nullable(),
    })
    .nullable()
    .default(null),
});
export type Meta = z.infer<typeof MetaSchema>;

/** Where the agent works: its worktree, else the project directory. */
export function runCwd(m: Pick<Meta, 'project_dir' | 'worktree'>): string {
  return m.worktree ? m.worktree.cwd : m.project_dir;
}

export function isEnded(m: Pick<Meta, 'status'>): boolean {
  return m.status === 'finished' || m.status === 'lost';
}

/** What a new run's record must be told; every other field starts empty. */
export type NewMetaFields = Pick<Meta, 'run_id' | 'title' | 'project_dir' | 'profile' | 'agent' | 'created_at'> & Partial<Meta>;

/** A pending run's record: the one place that knows every field's starting value. */
export function newMeta(fields: NewMetaFields): Meta {
  return {
    version: META_VERSION,
    project: null,
    model: null,
    mode: 'new',
    command: null,
    started_at: null,
    ended_at: null,
    status: 'pending',
    outcome: null,
    exit_code: null,
    signal: null,
    parent_run_id: null,
    escalated_from: null,
    escalated_to: null,
    escalation_depth: 0,
    auto_escalate: false,
    thread_id: null,
    goal_met: null,
    summary: null,
    followup_prompt: null,
    git_diff_stat: null,
    git: null,
    worktree: null,
    usage: null,
    cost_usd: null,
    timeout_s: null,
    timings: { queued_ms: null, duration_ms: null },
    tmux: { socket: null, socket_name: null, session: null, pane: null, placement: null },
    pids: { supervisor: null, supervisor_start: null, agent: null, agent_start: null },
    errors: [],
    validation_errors: [],
    workflow_id: null,
    budget: null,
    ...fields,
  };
}
