// What a workflow is (its definition: steps, iterations, stop conditions) and what a started
// one keeps on disk (its record). Built-in definitions and YAML files both end up as a Workflow.
import * as z from 'zod';
import { WorktreeSchema } from '../runs/meta.js';

/** What a step is asked to do; each kind has its own prompt (prompts.ts). */
export const STEP_KINDS = ['implement', 'review', 'security_review', 'test', 'refine', 'document'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

/** Kinds whose answer is a list of findings (the findings schema). */
export function isReview(kind: StepKind): boolean {
  return kind === 'review' || kind === 'security_review';
}

export const StepSchema = z.strictObject({
  /** Unique within the workflow; default: the kind, numbered when repeated. */
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/).optional(),
  profile: z.string().min(1),
  kind: z.enum(STEP_KINDS),
  /** A prompt template replacing the kind's own: {{task}}, {{iteration}}, {{previous}}, {{findings}}. */
  prompt: z.string().min(1).optional(),
  /** Runs again in every iteration (default: all kinds but implement and document, which run once). */
  repeat: z.boolean().optional(),
  /** Per-step run timeout, e.g. "30m". */
  timeout: z.string().optional(),
});
export type StepInput = z.infer<typeof StepSchema>;

export const StopSchema = z.strictObject({
  /** Stop (goal met) when the reviews of an iteration find fewer than this many findings. */
  min_suggestions_threshold: z.number().int().min(1).optional(),
  /** Stop (goal met) as soon as a review round leaves no open findings (default true). */
  no_open_findings: z.boolean().optional(),
  /** Stop (goal met) when every review of an iteration scores at least this (0-10). */
  quality_score: z.number().min(0).max(10).optional(),
});

export const WorkflowFileSchema = z.strictObject({
  description: z.string().optional(),
  max_iterations: z.number().int().min(1).max(20).default(1),
  /** USD: a step that would start beyond it stops the workflow. */
  budget_usd: z.number().positive().optional(),
  stop: StopSchema.optional(),
  steps: z.array(z.union([StepSchema, z.strictObject({ parallel: z.array(StepSchema).min(2) })])).min(1),
});

/** A step as the engine runs it: named, with repeat decided. */
export interface Step {
  name: string;
  profile: string;
  kind: StepKind;
  prompt: string | null;
  repeat: boolean;
  timeout: string | null;
}

/** A position in the workflow: one step, or several run at once and joined. */
export type Group = Step[];

export interface Workflow {
  name: string;
  description: string;
  /** Where it came from: "built-in" or the YAML file. */
  source: string;
  max_iterations: number;
  budget_usd: number | null;
  stop: { min_suggestions_threshold: number | null; no_open_findings: boolean; quality_score: number | null };
  groups: Group[];
}

export const WORKFLOW_ID_RE = /^wf-[a-z0-9]{6}$/;
export function isWorkflowId(id: string): boolean {
  return WORKFLOW_ID_RE.test(id);
}

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;

/** One finding as a reviewer reports it (the findings schema's item). */
export const ReportedFindingSchema = z.object({
  id: z.string().nullable().optional(),
  severity: z.enum(SEVERITIES),
  file: z.string(),
  line: z.number().int().nullable(),
  text: z.string().min(1),
});
export type ReportedFinding = z.infer<typeof ReportedFindingSchema>;

export const FindingSchema = z.object({
  id: z.string(),
  severity: z.enum(SEVERITIES),
  file: z.string(),
  line: z.number().int().nullable(),
  text: z.string(),
  /** The review step that reported it: only that step closes it. */
  step: z.string(),
  opened_in: z.number().int(),
  opened_by: z.string(),
  closed_in: z.number().int().nullable(),
  closed_by: z.string().nullable(),
});
export type Finding = z.infer<typeof FindingSchema>;

export const StepRunSchema = z.object({
  step: z.string(),
  profile: z.string(),
  kind: z.enum(STEP_KINDS),
  run_id: z.string(),
  attempt: z.number().int(),
  /** Filled when the run ended. */
  outcome: z.string().nullable(),
  summary: z.string().nullable(),
  cost_usd: z.number().nullable(),
  findings: z.number().int().nullable(),
  quality_score: z.number().nullable(),
  files_changed: z.array(z.string()).nullable(),
});
export type StepRun = z.infer<typeof StepRunSchema>;

export const IterationSchema = z.object({
  n: z.number().int(),
  /** Groups finished in this iteration (their index in the definition). */
  done: z.array(z.number().int()),
  runs: z.array(StepRunSchema),
  opened: z.array(z.string()),
  closed: z.array(z.string()),
  /** Steps a resume allows one more attempt after they failed. */
  retry: z.array(z.string()).optional(),
});
export type Iteration = z.infer<typeof IterationSchema>;

export const WF_STATUSES = ['running', 'finished'] as const;
export const WF_OUTCOMES = ['goal_met', 'goal_not_met', 'step_failed', 'budget_exceeded', 'cancelled'] as const;
export type WorkflowOutcome = (typeof WF_OUTCOMES)[number];

export const WorkflowRecordSchema = z.looseObject({
  version: z.literal(1),
  workflow_id: z.string().regex(WORKFLOW_ID_RE),
  name: z.string(),
  /** The definition as it was started (a later edit of the YAML does not change a running workflow). */
  definition: z.custom<Workflow>((v) => typeof v === 'object' && v !== null),
  project: z.string().nullable(),
  project_dir: z.string(),
  title: z.string(),
  max_iterations: z.number().int(),
  budget_usd: z.number().nullable(),
  status: z.enum(WF_STATUSES),
  outcome: z.enum(WF_OUTCOMES).nullable(),
  stop_reason: z.string().nullable(),
  created_at: z.string(),
  ended_at: z.string().nullable(),
  /** The one worktree every step works in (null until the first step made it). */
  worktree: WorktreeSchema.nullable(),
  driver: z.object({ pid: z.number().int().nullable(), start: z.string().nullable(), restarts: z.number().int() }),
  iterations: z.array(IterationSchema),
  findings: z.array(FindingSchema),
  cost_usd: z.number().nullable(),
  errors: z.array(z.string()),
});
export type WorkflowRecord = z.infer<typeof WorkflowRecordSchema>;
