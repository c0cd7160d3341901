// Runs that continue other runs: resume (same agent session by its recorded id, or a fresh
// session carrying the parent's context) and escalation to a stronger profile.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { getAdapter } from '../../agents/index.js';
import { getProfile, loadConfig } from '../workspace/config.js';
import { AppError } from '../sys/errors.js';
import { readFileOrNull } from '../sys/fsutil.js';
import { askPrompt, promptText, type PromptSource, startRun, type Placement, type Started } from './launch.js';
import { type Meta, isEnded } from '../runs/meta.js';
import { runFiles, workspace } from '../workspace/paths.js';
import { appendNotification, notification } from './notify.js';
import { updateMeta } from '../runs/store.js';

export interface ResumeRequest {
  home: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
  parent: Meta;
  /** Asked with the new run's agent in mind: a resume on the shell agent needs none. */
  prompt: PromptSource;
  profile?: string;
  title?: string;
  model?: string;
  timeout?: string;
  schemaFile?: string;
  autoEscalate?: boolean;
  placement?: Placement;
  runId?: string;
  /** Set for escalations: the parent's record may still be finalising (auto-escalation). */
  escalatedFrom?: string;
}

export async function resumeRun(r: ResumeRequest): Promise<Started> {
  const p = r.parent;
  if (!r.escalatedFrom && !isEnded(p)) {
    throw new AppError(`run ${p.run_id} is still ${p.status}`, { fix: `wait for it ("{cmd:wait ${p.run_id}}") before resuming it` });
  }
  const cfg = loadConfig(workspace(r.home));
  const profileName = r.profile ?? p.profile;
  const profile = getProfile(cfg, profileName);
  // an escalation of a run that never got a session (it failed first) starts a fresh one
  // carrying the parent's context; only an explicit resume insists on continuing the session
  const sameSession = profile.agent === p.agent && getAdapter(p.agent).resumable && (p.thread_id !== null || !r.escalatedFrom);
  if (sameSession && !p.thread_id) {
    throw new AppError(
      `run ${p.run_id} has no recorded ${p.agent} session id, so it cannot be resumed: start a new run with the needed context in its prompt`,
    );
  }
  // the new run's agent decides whether a prompt is needed, before any context is carried
  const prompt = await askPrompt(r.prompt, profile.agent);
  // an escalation continuing the session knows its own answer, but not why agentctl judged the
  // run failed or stopped it: those errors and the stderr tail go with the follow-up
  const evidence = r.escalatedFrom && p.outcome !== 'goal_not_met' ? evidenceLines(r.home, p, { notes: false }) : [];
  const launch = () => startRun({
    home: r.home,
    env: r.env,
    cwd: r.cwd,
    prompt: sameSession ? (evidence.length ? `${promptText(prompt).trimEnd()}\n\n${evidence.join('\n')}\n` : prompt) : carryPrompt(r.home, p, promptText(prompt)),
    profile: profileName,
    title: r.title ?? `${r.escalatedFrom ? 'escalated' : 'resumed'}: ${p.title}`.slice(0, 200),
    model: r.model,
    timeout: r.timeout,
    schemaFile: r.schemaFile,
    autoEscalate: r.autoEscalate ?? p.auto_escalate,
    placement: r.placement,
    runId: r.runId,
    parent: p,
    mode: sameSession ? 'resume' : 'fresh',
    resumeSessionId: sameSession ? p.thread_id! : undefined,
    escalatedFrom: r.escalatedFrom,
  });
  const wt = p.worktree;
  if (!wt) return launch();
  // under the repository's lock until the new run's record exists: a discard of this worktree
  // waits for it and then sees the run at work, or went first and the check below sees it gone
  const { assertContinuable, underRepoLock } = await import('../git/worktree.js');
  return underRepoLock(workspace(r.home), wt.repo_root, r.env, async () => {
    await assertContinuable(p, r.env);
    return launch();
  });
}

/**
 * A new session (on another agent, or after a run that never got one) gets the parent's task,
 * what happened to it, its follow-up and the evidence in its prompt.
 */
export function carryPrompt(home: string, p: Meta, prompt: string): string {
  const original = readFileOrNull(runFiles(home, p.run_id).prompt) ?? '';
  const lines = [
    '# Context from an earlier run',
    `Run ${p.run_id} (profile ${p.profile}, agent ${p.agent}) worked on this task and ${whatHappened(p)} (outcome ${p.outcome ?? p.status}).`,
  ];
  if (original.trim()) lines.push('', '--- its prompt ---', original.trimEnd(), '--- end of its prompt ---');
  if (p.summary) lines.push('', `Its summary: ${p.summary}`);
  if (p.followup_prompt && !wasStopped(p)) lines.push(`Its suggested follow-up: ${p.followup_prompt}`);
  const evidence = evidenceLines(home, p);
  if (evidence.length) lines.push('', ...evidence);
  lines.push('', '# Your task', prompt);
  return `${lines.join('\n')}\n`;
}

/** How the parent ended, as a clause: "did not meet the goal", "was cancelled before it finished". */
export function whatHappened(p: Meta): string {
  switch (p.outcome) {
    case 'goal_met':
      return 'met its goal';
    case 'goal_not_met':
      return 'did not meet the goal';
    case 'agent_error':
      return 'failed with an error before it could finish';
    case 'invalid_output':
      return 'ended without a valid final answer';
    case 'timed_out':
      return `was stopped when its time limit${p.timeout_s ? ` (${p.timeout_s}s)` : ''} ran out, before it finished`;
    case 'cancelled':
      return 'was cancelled before it finished';
    case 'lost':
      return 'was lost (its worker stopped without recording an end) before it finished';
    case 'budget_exceeded':
      return 'was stopped when it crossed its budget, before it finished';
    default:
      return `ended as ${p.status}`;
  }
}

/** Stopped from outside: its own follow-up (a shell run's "fix the cause") does not apply. */
function wasStopped(p: Meta): boolean {
  return p.outcome === 'cancelled' || p.outcome === 'timed_out' || p.outcome === 'lost' || p.outcome === 'budget_exceeded';
}

/** Each piece of evidence is cut to this many characters (its end kept): enough to act on, never a flood. */
const EVIDENCE_CHARS = 3000;
const STDERR_LINES = 40;

/**
 * What the next worker needs to see why the run fell short: the notes of its answer, the errors
 * agentctl recorded, and the last lines of its stderr, each bounded in size.
 */
export function evidenceLines(home: string, p: Meta, o: { notes?: boolean } = {}): string[] {
  if (p.outcome === 'goal_met') return [];
  const files = runFiles(home, p.run_id);
  const out: string[] = [];
  const section = (title: string, text: string) => {
    if (text.trim()) out.push(`--- ${title} ---`, clipStart(text.trimEnd(), EVIDENCE_CHARS), `--- end of ${title} ---`);
  };
  if (o.notes !== false) section('its notes', answerNotes(readFileOrNull(files.result)));
  section('errors agentctl recorded', [...p.errors, ...p.validation_errors].join('\n'));
  section('the last lines of its stderr', tailLines(files.stderr, STDERR_LINES));
  return out;
}

function answerNotes(resultText: string | null): string {
  try {
    const notes = (JSON.parse(resultText ?? 'null') as { notes?: unknown } | null)?.notes;
    return typeof notes === 'string' ? notes : '';
  } catch {
    return '';
  }
}

/** The last lines of a file, reading only its end (a stderr log can be large). */
export function tailLines(path: string, lines: number): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return '';
  }
  try {
    const size = fstatSync(fd).size;
    const len = Math.min(size, EVIDENCE_CHARS * 4);
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, size - len);
    const text = buf.toString('utf8').split('\n');
    if (len < size) text.shift(); // a partial first line
    return text.slice(-lines - 1).join('\n');
  } finally {
    closeSync(fd);
  }
}

function clipStart(text: string, max: number): string {
  return text.length <= max ? text : `[... ${text.length - max} characters before this cut ...]\n${text.slice(-max)}`;
}

export interface EscalateRequest {
  home: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
  parent: Meta;
  profile?: string;
  placement?: Placement;
  /** Auto-escalation from the parent's supervisor: the parent's final record is written after. */
  auto?: boolean;
}

/** The profile a run escalates to, or an error saying how to choose one. */
export function escalationTarget(home: string, parent: Meta, explicit?: string): string {
  if (explicit) return explicit;
  const cfg = loadConfig(workspace(home));
  const target = cfg.profiles[parent.profile]?.escalate_to;
  if (!target) throw new AppError(`profile ${parent.profile} has no escalate_to`, { fix: 'pass {opt:profile}, or set "escalate_to" for it in config.json' });
  getProfile(cfg, target);
  return target;
}

/**
 * The escalation's task: the parent's own follow-up when it wrote one and was not stopped from
 * outside; otherwise what happened to it and what to do about that. The evidence is added by
 * resumeRun (see evidenceLines).
 */
export function escalationPrompt(p: Meta): string {
  if (p.followup_prompt?.trim() && !wasStopped(p)) return p.followup_prompt;
  const what = `The previous attempt (run ${p.run_id}) ${whatHappened(p)}${p.summary ? `: ${p.summary}` : '.'}`;
  const next = wasStopped(p)
    ? 'Its changes so far are still in place: check what it got done, then complete the original task and verify it.'
    : 'Find out why, then complete the original task and verify it.';
  return `${what}\n${next}`;
}

export async function escalateRun(r: EscalateRequest): Promise<Started> {
  const p = r.parent;
  if (!r.auto) {
    if (!isEnded(p)) throw new AppError(`run ${p.run_id} is still ${p.status}: wait for it before escalating`);
    if (p.escalated_to) throw new AppError(`run ${p.run_id} was already escalated to ${p.escalated_to}: escalate that run instead`);
    if (p.outcome === 'goal_met') throw new AppError(`run ${p.run_id} met its goal: nothing to escalate (use resume to ask for more)`);
  }
  const cfg = loadConfig(workspace(r.home));
  if (p.escalation_depth >= cfg.max_escalations) {
    throw new AppError(`run ${p.run_id} is already ${p.escalation_depth} escalations deep (max_escalations ${cfg.max_escalations}): look at it yourself, or raise max_escalations`);
  }
  const target = escalationTarget(r.home, p, r.profile);
  const started = await resumeRun({
    home: r.home,
    env: r.env,
    cwd: r.cwd,
    parent: p,
    prompt: escalationPrompt(p),
    profile: target,
    placement: r.placement,
    escalatedFrom: p.run_id,
  });
  if (!r.auto) {
    const linked = updateMeta(started.ws, p.run_id, (m) => {
      m.escalated_to = started.meta.run_id;
    });
    appendNotification(started.ws, notification('escalate', linked));
  }
  return started;
}
