// Starting runs: a new one, a resume of an ended one, an escalation. The prompt comes from the
// front-end through a PromptSource, asked only once the run's agent is known.
import type { AgentName } from '../agents/types.js';
import { parseTokens, parseUsd } from '../core/budget/limits.js';
import { escalateRun, resumeRun } from '../core/lifecycle/chain.js';
import { type PromptSource, startRun } from '../core/lifecycle/launch.js';
import type { Meta } from '../core/runs/meta.js';
import { AppError } from '../core/sys/errors.js';
import { socketFrom, Tmux } from '../core/tmux/tmux.js';
import type { AppContext } from './context.js';
import { openRun } from './runs.js';
import type { StartedView } from './views.js';

export type { PromptSource } from '../core/lifecycle/launch.js';

/** Options every new run takes, whether started, resumed or escalated. */
export interface RunOptions {
  title?: string;
  model?: string;
  /** A JSON Schema file the final answer must match. */
  schema?: string;
  /** 90, 90s, 15m, 1h30m. */
  timeout?: string;
  runId?: string;
  autoEscalate?: boolean;
  /** A tmux window of its own. */
  window?: boolean;
  /** Split this pane's window instead of the orchestrator's. */
  target?: string;
}

export interface StartOptions extends RunOptions {
  /** A registered project name or a directory (relative: against the caller's directory). */
  project?: string;
  profile?: string;
  agent?: AgentName;
  /** Shell agent: the command and its arguments. */
  command?: string[];
  worktree?: boolean;
  base?: string;
  withChanges?: boolean;
  /** Stop the run once it has cost this much, in USD (2, 0.50, $0.50). */
  maxCost?: string | number;
  /** Stop the run once it has used this many tokens, input and output (200000, 200k). */
  maxTokens?: string | number;
  /** The worker is the agent's own TUI in the pane (claude, codex), not its headless mode. */
  interactive?: boolean;
}

/** Start a new run; `prompt` is asked for once the profile, and so the agent, is known. */
export async function startWith(ctx: AppContext, o: StartOptions, prompt: PromptSource): Promise<Meta> {
  refuseDeadTarget(ctx, o.target);
  const { meta } = await startRun({
    ...runRequest(ctx, o),
    prompt,
    project: o.project,
    profile: o.profile,
    // a command alone is a shell run, unless a profile says which agent runs it
    agent: o.agent ?? (o.command?.length && !o.profile ? 'shell' : undefined),
    command: o.command,
    worktree: o.worktree,
    base: o.base,
    withChanges: o.withChanges,
    maxCostUsd: o.maxCost === undefined ? undefined : parseUsd(o.maxCost),
    maxTokens: o.maxTokens === undefined ? undefined : parseTokens(o.maxTokens),
    interactive: o.interactive,
  });
  return meta;
}

export interface ResumeOptions extends RunOptions {
  /** The run to continue (id, prefix or suffix). */
  parentRunId: string;
  /** The new run's profile (default: the parent's). */
  profile?: string;
}

/** Continue an ended run as a new run; whether a prompt is needed depends on the new run's agent. */
export async function resumeWith(ctx: AppContext, o: ResumeOptions, prompt: PromptSource): Promise<Meta> {
  // the parent's record as it stands: resuming a run still going is refused, not waited for
  const parent = await openRun(ctx, o.parentRunId);
  refuseDeadTarget(ctx, o.target);
  const { meta } = await resumeRun({ ...runRequest(ctx, o), parent, prompt, profile: o.profile });
  return meta;
}

/** What every new run's request holds: the caller, and the options of RunOptions. */
function runRequest(ctx: AppContext, o: RunOptions) {
  return {
    home: ctx.home,
    env: ctx.env,
    cwd: ctx.cwd,
    title: o.title,
    model: o.model,
    schemaFile: o.schema,
    timeout: o.timeout,
    runId: o.runId,
    autoEscalate: o.autoEscalate,
    placement: { window: o.window, target: o.target },
  };
}

/**
 * A target pane whose program exited (kept by remain-on-exit) cannot host the run's window as
 * asked; said here, before anything is made, as what it is rather than "not found".
 */
function refuseDeadTarget(ctx: AppContext, target: string | undefined): void {
  if (!target) return;
  const info = new Tmux(socketFrom(ctx.config(), ctx.env)).paneInfo(target);
  if (info?.dead) {
    throw new AppError(`tmux target ${target} is a dead pane (its program exited)`, { fix: `give a live pane (e.g. %3 or ai:0.1), or close it with "tmux kill-pane -t ${target}"` });
  }
}

export interface EscalateOptions {
  id: string;
  /** Escalate to this profile instead of the profile's escalate_to. */
  profile?: string;
  window?: boolean;
}

/** Resume a run that missed its goal with its followup_prompt on a stronger profile. */
export async function escalateWith(ctx: AppContext, o: EscalateOptions): Promise<Meta> {
  const parent = await openRun(ctx, o.id);
  const { meta } = await escalateRun({ home: ctx.home, env: ctx.env, cwd: ctx.cwd, parent, profile: o.profile, placement: { window: o.window } });
  return meta;
}

/** A new run as `start --json` prints it and the MCP start tools return it. */
export function startedView(meta: Meta): StartedView {
  const { run_id, status, title, project, project_dir, profile, agent, mode, parent_run_id, escalated_from, tmux, worktree } = meta;
  const wt = worktree ? { branch: worktree.branch, worktree: worktree.cwd, base: worktree.base } : {};
  return { run_id, status, title, project, project_dir, profile, agent, mode, parent_run_id, escalated_from, ...wt, pane: tmux.pane, session: tmux.session };
}
