// What a finished run amounts to: the outcome rules and the compact JSON `wait` prints.
import type { FinalAnswer } from '../../agents/types.js';
import { EXIT } from '../sys/errors.js';
import type { Meta, Outcome } from './meta.js';

export type StopReason = 'cancelled' | 'timed_out' | 'lost' | 'budget_exceeded';

export interface Decision {
  outcome: Outcome;
  goal_met: boolean;
  summary: string | null;
  followup_prompt: string | null;
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/**
 * A stop by agentctl wins; then the agent's own failure; then an answer that is missing or
 * breaks the schema; then the answer's goal_met (or, for a schema without it, exit code 0).
 */
export function decideOutcome(i: { stop: StopReason | null; final: FinalAnswer; validationErrors: string[]; exitCode: number | null }): Decision {
  const value = i.final.value;
  const obj = value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  const valid = value !== undefined && i.validationErrors.length === 0;
  const summary = valid ? str(obj?.summary) : null;
  const followup = valid ? str(obj?.followup_prompt) : null;
  if (i.stop) return { outcome: i.stop, goal_met: false, summary, followup_prompt: followup };
  if (i.final.agentError) {
    return { outcome: 'agent_error', goal_met: false, summary: summary ?? `agent failed: ${i.final.agentError}`, followup_prompt: followup };
  }
  if (value === undefined) {
    const why = i.final.rawText === null || i.final.rawText.trim() === '' ? 'the agent gave no final answer' : `the final answer is not JSON (${i.final.parseError ?? 'unparseable'})`;
    return { outcome: 'invalid_output', goal_met: false, summary: `invalid output: ${why}`, followup_prompt: null };
  }
  if (!valid) {
    return { outcome: 'invalid_output', goal_met: false, summary: `invalid output: ${i.validationErrors[0]}`, followup_prompt: null };
  }
  const goal = typeof obj?.goal_met === 'boolean' ? obj.goal_met : i.exitCode === 0;
  return { outcome: goal ? 'goal_met' : 'goal_not_met', goal_met: goal, summary, followup_prompt: followup };
}

export function exitCodeFor(m: Pick<Meta, 'status' | 'outcome'>): number {
  switch (m.outcome) {
    case 'goal_met':
      return EXIT.OK;
    case 'goal_not_met':
      return EXIT.GOAL_NOT_MET;
    case 'invalid_output':
    case 'agent_error':
    case 'budget_exceeded':
      return EXIT.RUN_FAILED;
    case 'cancelled':
    case 'timed_out':
    case 'lost':
      return EXIT.RUN_LOST;
    default:
      return EXIT.WAIT_TIMEOUT;
  }
}

export interface CompactResult {
  run_id: string;
  status: Meta['status'];
  outcome: Meta['outcome'];
  goal_met: boolean | null;
  summary: string | null;
  followup_prompt: string | null;
  exit_code: number | null;
  git_diff_stat: string | null;
  duration_s: number | null;
  escalated_to: string | null;
  parent_run_id: string | null;
  /** Worktree runs: the run's branch and worktree directory; null for the others. */
  branch: string | null;
  worktree: string | null;
  /** Why a run that failed or was stopped ended (its last recorded error); null otherwise. */
  error: string | null;
}

export function durationSeconds(m: Meta, now = Date.now()): number | null {
  const start = m.started_at ?? m.created_at;
  const end = m.ended_at ? Date.parse(m.ended_at) : m.status === 'finished' || m.status === 'lost' ? null : now;
  if (end === null) return null;
  return Math.round((end - Date.parse(start)) / 100) / 10;
}

/**
 * The same keys for every run, whatever its kind or state, so a reader of `wait` lines never
 * checks for a key: what does not apply is null (an empty followup_prompt too).
 */
export function compactResult(m: Meta): CompactResult {
  const failed = m.outcome && m.outcome !== 'goal_met' && m.outcome !== 'goal_not_met';
  return {
    run_id: m.run_id,
    status: m.status,
    outcome: m.outcome,
    goal_met: m.goal_met,
    summary: m.summary,
    followup_prompt: m.followup_prompt || null,
    exit_code: m.exit_code,
    git_diff_stat: m.git_diff_stat,
    duration_s: durationSeconds(m),
    escalated_to: m.escalated_to,
    parent_run_id: m.parent_run_id,
    branch: m.worktree?.branch ?? null,
    worktree: m.worktree?.cwd ?? null,
    error: (failed && m.errors.at(-1)) || null,
  };
}
