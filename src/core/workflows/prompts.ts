// What each step is told, and how review answers are read: the findings schema reviewers answer
// with, the prompt of a step (the task, what the earlier steps did, the open findings), and the
// bookkeeping that opens and closes findings from one review to the next.
import { type Finding, isReview, type ReportedFinding, ReportedFindingSchema, SEVERITIES, type Step, type StepKind, type StepRun } from './types.js';

/** The answer schema of review steps: the worker result's fields plus findings and a score (codex strict mode). */
export const FINDINGS_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'agentctl review result',
  type: 'object',
  additionalProperties: false,
  required: ['goal_met', 'summary', 'followup_prompt', 'notes', 'findings', 'quality_score'],
  properties: {
    goal_met: { type: 'boolean', description: 'true when the review found nothing left to fix' },
    summary: { type: 'string', description: 'the review in one to three sentences' },
    followup_prompt: { type: 'string', description: 'empty' },
    notes: { type: 'string', description: 'anything else the orchestrator should know' },
    findings: {
      type: 'array',
      description: 'every problem still present: earlier findings not yet fixed (with their id) and new ones (id null)',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'severity', 'file', 'line', 'text'],
        properties: {
          id: { type: ['string', 'null'], description: 'the id of an earlier open finding this repeats; null for a new one' },
          severity: { type: 'string', enum: [...SEVERITIES] },
          file: { type: 'string' },
          line: { type: ['integer', 'null'] },
          text: { type: 'string', description: 'what is wrong and what to do about it' },
        },
      },
    },
    quality_score: { type: ['number', 'null'], description: 'overall quality from 0 to 10' },
  },
} as const;

const INSTRUCTIONS: Record<StepKind, string> = {
  implement: 'Implement the task in this checkout. Make the change complete, run the checks that cover it, and report what you did.',
  review:
    'Review the work done for the task in this checkout (the changed files and their context; "git diff" against the branch base shows them; when nothing has changed yet, the code the task is about). Do not change any file. ' +
    'Answer with every problem still present as a finding (severity, file, line, text). An open finding listed below that is still there: repeat it with its id. One that was fixed: leave it out. A new one: id null. ' +
    'Set goal_met to true only when no findings remain, and quality_score from 0 to 10.',
  security_review:
    'Review the work done for the task in this checkout for security problems only (injection, secrets, unsafe input handling, permissions, dependencies). Do not change any file. ' +
    'Answer with every security problem still present as a finding (severity, file, line, text). An open finding listed below that is still there: repeat it with its id. One that was fixed: leave it out. A new one: id null. ' +
    'Set goal_met to true only when no findings remain, and quality_score from 0 to 10.',
  test: 'Write or extend the tests for the task in this checkout, run them, and fix what they show is broken. Report which tests you added and their result.',
  refine: 'Address the open findings below in this checkout, each one: fix it, or say in your notes why it should stay. Keep the rest of the work intact and run the checks again. Say in your summary which findings you addressed.',
  document: 'Write or update the documentation the task asks for in this checkout (README, docs, comments where they explain why). Address the open findings below, if any.',
};

export interface PromptInput {
  workflowId: string;
  workflowName: string;
  task: string;
  step: Step;
  iteration: number;
  maxIterations: number;
  /** Every step run so far, oldest first. */
  previous: StepRun[];
  open: Finding[];
}

/** The earlier steps, one line each (at most the last 12: older ones are in the record). */
export function previousText(runs: StepRun[]): string {
  const ended = runs.filter((r) => r.outcome !== null);
  if (!ended.length) return '(none: this is the first step)';
  const shown = ended.slice(-12);
  const lines = shown.map((r) => `- ${r.step} (${r.kind}, profile ${r.profile}, run ${r.run_id}): ${r.outcome}${r.summary ? ` - ${oneLine(r.summary, 400)}` : ''}`);
  if (shown.length < ended.length) lines.unshift(`(${ended.length - shown.length} earlier steps left out)`);
  return lines.join('\n');
}

export function findingsText(open: Finding[]): string {
  if (!open.length) return '(none)';
  return open.map((f) => `- ${f.id} [${f.severity}] ${f.file}${f.line !== null ? `:${f.line}` : ''}: ${oneLine(f.text, 600)}`).join('\n');
}

/** A step's prompt: its template (when the definition has one) or the kind's own layout. */
export function stepPrompt(p: PromptInput): string {
  const vars: Record<string, string> = {
    task: p.task.trimEnd(),
    iteration: String(p.iteration),
    max_iterations: String(p.maxIterations),
    previous: previousText(p.previous),
    findings: findingsText(p.open),
    step: p.step.name,
    workflow: p.workflowName,
  };
  if (p.step.prompt) return `${p.step.prompt.replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (all, k: string) => vars[k] ?? all).trimEnd()}\n`;
  const lines = [
    `# Workflow ${p.workflowName} (${p.workflowId}): step ${p.step.name}, iteration ${p.iteration} of at most ${p.maxIterations}`,
    '',
    '# Task',
    vars.task!,
    '',
    '# Your part',
    INSTRUCTIONS[p.step.kind],
    '',
    '# Earlier steps',
    vars.previous!,
  ];
  if (p.open.length || isReview(p.step.kind) || p.step.kind === 'refine') lines.push('', '# Open findings', vars.findings!);
  return `${lines.join('\n')}\n`;
}

function oneLine(text: string, max: number): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max)}…` : t;
}

/** A review's answer as the workflow reads it; null when it holds no valid findings list. */
export function readReview(result: unknown): { findings: ReportedFinding[]; quality: number | null } | null {
  if (typeof result !== 'object' || result === null) return null;
  const r = result as { findings?: unknown; quality_score?: unknown };
  if (!Array.isArray(r.findings)) return null;
  const findings: ReportedFinding[] = [];
  for (const f of r.findings) {
    const parsed = ReportedFindingSchema.safeParse(f);
    if (!parsed.success) return null;
    findings.push(parsed.data);
  }
  return { findings, quality: typeof r.quality_score === 'number' ? r.quality_score : null };
}

/**
 * One review's findings laid over the record's: the step's earlier open findings it does not
 * repeat are closed in this iteration; the ones it reports without a known id are opened.
 * A review step closes only findings it opened itself (a security review never closes style ones).
 */
export function applyReview(all: Finding[], o: { step: string; iteration: number; runId: string; reported: ReportedFinding[] }): { opened: string[]; closed: string[] } {
  const mine = all.filter((f) => f.step === o.step && f.closed_in === null);
  const repeated = new Set(o.reported.flatMap((f) => (f.id && mine.some((m) => m.id === f.id) ? [f.id] : [])));
  const closed: string[] = [];
  for (const f of mine) {
    if (repeated.has(f.id)) continue;
    f.closed_in = o.iteration;
    f.closed_by = o.runId;
    closed.push(f.id);
  }
  const opened: string[] = [];
  for (const f of o.reported) {
    if (f.id && repeated.has(f.id)) continue;
    const id = `F${all.length + 1}`;
    all.push({ id, severity: f.severity, file: f.file, line: f.line, text: f.text, step: o.step, opened_in: o.iteration, opened_by: o.runId, closed_in: null, closed_by: null });
    opened.push(id);
  }
  return { opened, closed };
}

export interface ReviewRound {
  /** Findings the reviews of this round reported (new and repeated). */
  reported: number;
  /** Each review's score (null when it gave none). */
  scores: (number | null)[];
  /** Findings open after the round. */
  open: number;
}

/** Whether a review round meets a stop condition: the reason (goal met), else null. */
export function stopReason(stop: { min_suggestions_threshold: number | null; no_open_findings: boolean; quality_score: number | null }, round: ReviewRound): string | null {
  if (stop.no_open_findings && round.open === 0) return 'the review left no open findings';
  if (stop.min_suggestions_threshold !== null && round.reported < stop.min_suggestions_threshold) {
    return `the review found ${round.reported} finding${round.reported === 1 ? '' : 's'}, fewer than min_suggestions_threshold ${stop.min_suggestions_threshold}`;
  }
  if (stop.quality_score !== null && round.scores.length && round.scores.every((s) => s !== null && s >= stop.quality_score!)) {
    return `every review scored at least quality_score ${stop.quality_score}`;
  }
  return null;
}
