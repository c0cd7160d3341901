// What the application returns, as zod shapes: the TypeScript types of the app's results are
// inferred from them, and the MCP tools use the same shapes as their output schemas, so a field
// added here is in both at once. Where the core defines a result type itself, a compile-time
// check below keeps the shape and the type equal. Descriptions are written for a model reading
// a tool's schema.
import * as z from 'zod';
import { AGENT_NAMES } from '../agents/types.js';
import type { MergeResult } from '../core/git/worktree.js';
import type { CleanReport, RemoveReport } from '../core/git/worktree-clean.js';
import { OUTCOMES, RUN_STATUSES } from '../core/runs/meta.js';
import type { PruneReport } from '../core/runs/prune.js';
import type { CompactResult } from '../core/runs/result.js';

const nstr = z.string().nullable();
export const RunStatus = z.enum(RUN_STATUSES);
export const RunOutcome = z.enum(OUTCOMES).nullable();

/** A new run as `start --json` prints it and start_run, resume_run and escalate_run return it. */
export const StartedView = z.object({
  run_id: z.string().describe('the new run id; other tools take it (or a unique prefix or suffix of it)'),
  status: RunStatus,
  title: z.string(),
  project: nstr,
  project_dir: z.string().describe('the directory the worker runs in'),
  profile: z.string(),
  agent: z.enum(AGENT_NAMES),
  mode: z.enum(['new', 'resume', 'fresh']),
  parent_run_id: nstr,
  escalated_from: nstr,
  branch: z.string().optional().describe("worktree runs only: the git branch the worker's changes are committed to (agentctl/<run id>)"),
  worktree: z.string().optional().describe('worktree runs only: the directory the worker works in, a separate git checkout of that branch'),
  base: z.string().optional().describe('worktree runs only: the commit the branch starts from'),
  pane: nstr.describe('tmux pane of the worker'),
  session: nstr.describe('tmux session of the worker'),
});
export type StartedView = z.infer<typeof StartedView>;

/** A run's compact result: what `wait` prints per run and `cancel` prints. */
export const ResultView = z.object({
  run_id: z.string(),
  status: RunStatus,
  outcome: RunOutcome,
  goal_met: z.boolean().nullable(),
  summary: nstr,
  followup_prompt: nstr,
  exit_code: z.number().nullable(),
  git_diff_stat: nstr,
  duration_s: z.number().nullable(),
  escalated_to: nstr,
  parent_run_id: nstr,
  branch: nstr.describe("worktree runs: the branch holding the run's committed changes (see run_diff, merge_run); null for the others"),
  worktree: nstr.describe('worktree runs: the directory the worker worked in; null for the others'),
  error: nstr.describe('a run that failed or was stopped: why; null otherwise'),
});
export type ResultView = z.infer<typeof ResultView>;

/** One line of `wait`'s output: the run's result, with its escalation chain when following. */
export const WaitLine = ResultView.extend({
  chain: z.array(z.string()).optional().describe('with follow: the run waited for, then each run it was escalated to'),
});
export type WaitLine = z.infer<typeof WaitLine>;

/** A run as `show` prints it: the whole record (more fields than named here), its result and files. */
export const RecordView = z.looseObject({
  ...ResultView.pick({ run_id: true, status: true, outcome: true, goal_met: true, summary: true, followup_prompt: true, duration_s: true }).shape,
  result: z.unknown().describe("the worker's answer, when it matched the schema"),
  files: z.record(z.string(), z.string()),
});

/** One run as `list --json` prints it; an unreadable record has only run_id, status "corrupt" and error. */
export const ListEntry = z.object({
  run_id: z.string(),
  status: z.enum([...RUN_STATUSES, 'corrupt']),
  error: z.string().optional().describe('status corrupt: why the record cannot be read'),
  outcome: RunOutcome.optional(),
  goal_met: z.boolean().nullable().optional(),
  title: z.string().optional(),
  project: nstr.optional(),
  profile: z.string().optional(),
  agent: z.enum(AGENT_NAMES).optional(),
  created_at: z.string().optional(),
  ended_at: nstr.optional(),
  duration_s: z.number().nullable().optional(),
  exit_code: z.number().nullable().optional(),
  parent_run_id: nstr.optional(),
  escalated_to: nstr.optional(),
  pane: nstr.optional(),
  branch: nstr.optional().describe("worktree runs: the run's branch; null for other runs"),
  merged: z.boolean().nullable().optional().describe("whether the run's work is in the project's current branch; null: not a worktree run, still running, or unknown"),
  branch_state: nstr.optional().describe('merged, merged (squash), not merged, no changes, deleted, running or unknown; null for runs without a worktree'),
  worktree: nstr.optional().describe('the worktree directory while it exists'),
});
export type ListEntry = z.infer<typeof ListEntry>;

/** A run's recent events, rendered readably, and how it ended. */
export const LogsView = z.object({
  run_id: z.string(),
  status: RunStatus,
  outcome: RunOutcome,
  lines: z.array(z.string()),
  total_lines: z.number().describe('how many readable lines the run has in all'),
  footer: z.array(z.string()).describe('for an ended run: the end of its stderr and its outcome'),
});
export type LogsView = z.infer<typeof LogsView>;

/** One notify.log line (start, finish, escalate, lost, cancel), or {line} for one that is not JSON. */
export const NotificationView = z.looseObject({ event: z.string().optional(), run_id: z.string().optional() });
export type NotificationView = z.infer<typeof NotificationView>;

/** Notification lines from a cursor on (see notificationsSince). */
export const NotificationBatch = z.object({
  /** Raw notify.log lines, oldest first. */
  lines: z.array(z.string()),
  cursor: z.string().describe('pass it to the next call'),
  more: z.boolean().describe('more notifications are waiting: call again with the cursor'),
  reset: z.boolean().describe('the log was replaced since the cursor was made: reading started over'),
});
export type NotificationBatch = z.infer<typeof NotificationBatch>;

export const MergeView = z.object({
  run_id: z.string(),
  branch: z.string().describe("the run's branch"),
  into: z.string().describe("the branch it was merged into (the checkout's current branch)"),
  squash: z.boolean(),
  commit: nstr.describe('the new commit; null when there was nothing to merge'),
  already_merged: z.boolean().describe('nothing was done: the branch was already in `into`'),
  diff_stat: nstr.describe("the merge's diff stat"),
  files_changed: z.array(z.string()),
});

export const RemoveView = z.object({
  path: z.string().describe('the worktree directory'),
  branch: nstr,
  run_id: nstr,
  worktree_removed: z.boolean(),
  branch_deleted: z.boolean(),
  kept: z.array(z.string()).describe('what was kept to save work, and why; empty when all is gone'),
});

export const CleanView = z.object({
  removed: z.array(RemoveView).describe('one entry per worktree handled: what was (or would be) removed, and what was kept'),
  pruned: z.array(z.string()).describe('repositories whose stale git worktree entries were (or would be) pruned'),
  runs_removed: z.array(z.string()).optional().describe('with runs: ids of the runs whose records were (or would be) removed'),
  runs_kept: z.array(z.object({ run_id: z.string(), reason: z.string() })).optional().describe('with runs: old runs whose records were kept, and why'),
  notify_lines_removed: z.number().optional().describe('with runs: notify.log lines older than older_than removed (or that would be)'),
  panes_closed: z.array(z.object({ run_id: z.string(), pane: z.string() })).optional().describe('with panes: the kept panes of ended runs closed (or that would be)'),
});
export type CleanView = z.infer<typeof CleanView>;

/** A dry run's report: the same entries, under names that say nothing happened yet. */
export const CleanDryRunView = z.object({
  would_remove: CleanView.shape.removed.describe('dry run: one entry per worktree: what would be removed, and what would be kept'),
  would_prune: CleanView.shape.pruned.describe('dry run: repositories whose stale git worktree entries would be pruned'),
  runs_would_remove: CleanView.shape.runs_removed.describe('dry run with runs: ids of the runs whose records would be removed'),
  runs_kept: CleanView.shape.runs_kept,
  notify_lines_would_remove: CleanView.shape.notify_lines_removed.describe('dry run with runs: notify.log lines older than older_than that would be removed'),
});
export type CleanDryRunView = z.infer<typeof CleanDryRunView>;

export const Check = z.object({ level: z.enum(['ok', 'warn', 'fail']), name: z.string(), detail: z.string(), fix: z.string().optional() });
export type Check = z.infer<typeof Check>;

export const DoctorView = z.object({
  ok: z.boolean().describe('no check failed'),
  checks: z.array(Check),
});
export type DoctorView = z.infer<typeof DoctorView>;

/** A registered project (fields a newer agentctl wrote are kept). */
export const ProjectView = z.looseObject({
  name: z.string(),
  path: z.string(),
  default_profile: z.string().optional(),
  worktree: z.boolean().optional().describe('whether runs of the project get their own git worktree by default'),
  added_at: z.string().optional(),
});
export type ProjectView = z.infer<typeof ProjectView>;

export const AddedProjectView = z.object({
  name: z.string(),
  path: z.string(),
  default_profile: z.string().optional(),
  worktree: z.boolean().optional(),
  test: z.string().optional(),
  replaced: z.boolean(),
});
export type AddedProjectView = z.infer<typeof AddedProjectView>;

// ---- the core's own result types must equal their shapes (a compile error otherwise)

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
export type CoreTypesMatchViews = [
  Assert<Same<CompactResult, ResultView>>,
  Assert<Same<MergeResult, z.infer<typeof MergeView>>>,
  Assert<Same<RemoveReport, z.infer<typeof RemoveView>>>,
  Assert<Same<CleanReport & Partial<PruneReport>, CleanView>>,
];
