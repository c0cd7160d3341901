// Runs that continue other runs: resume (same agent session by its recorded id, or a fresh
// session carrying the parent's context) and escalation to a stronger profile.
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
  return startRun({
    home: r.home,
    env: r.env,
    cwd: r.cwd,
    prompt: sameSession ? prompt : carryPrompt(r.home, p, promptText(prompt)),
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
}

/** A new session on another agent gets the parent's task, result and follow-up in its prompt. */
export function carryPrompt(home: string, p: Meta, prompt: string): string {
  const original = readFileOrNull(runFiles(home, p.run_id).prompt) ?? '';
  const lines = [
    '# Context from an earlier run',
    `Run ${p.run_id} (profile ${p.profile}, agent ${p.agent}) worked on this task and ended with outcome ${p.outcome ?? p.status}.`,
  ];
  if (original.trim()) lines.push('', '--- its prompt ---', original.trimEnd(), '--- end of its prompt ---');
  if (p.summary) lines.push('', `Its summary: ${p.summary}`);
  if (p.followup_prompt) lines.push(`Its suggested follow-up: ${p.followup_prompt}`);
  lines.push('', '# Your task', prompt);
  return `${lines.join('\n')}\n`;
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

export function escalationPrompt(p: Meta): string {
  if (p.followup_prompt?.trim()) return p.followup_prompt;
  return `The previous attempt (run ${p.run_id}) did not meet the goal${p.summary ? `: ${p.summary}` : '.'}\nFind out why, then complete the original task and verify it.`;
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
