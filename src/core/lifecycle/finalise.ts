// The supervisor's last phases. finaliseRun turns the agent's exit into how the run ended: the
// answer checked against the schema, the outcome, the run's own git change and, for a worktree
// run, the commit on its branch. announceEnd then auto-escalates if asked, ends the run (one
// write of the record, notify.log, tmux) and reports in the pane.
import { writeFileSync } from 'node:fs';
import type { LoadedConfig } from '../workspace/config.js';
import { diffTrees, snapshotTree, type RepoInfo } from '../git/git.js';
import { finishWorktree } from '../git/worktree.js';
import type { Meta } from '../runs/meta.js';
import { decideOutcome } from '../runs/result.js';
import type { NotifyEvent } from './notify.js';
import type { RunFiles, Workspace } from '../workspace/paths.js';
import { validateAnswerWithin } from '../workspace/schema.js';
import { type Tmux } from '../tmux/tmux.js';
import type { AgentExit, Stopper } from './agent-run.js';
import { CANCELLED_BY_COMMAND } from './cancel.js';
import { escalateRun } from './chain.js';
import { endedRecord, endRun, type RunEnd } from './end.js';
import { clock, color, reportInPane, say } from './pane.js';
import { costLine } from '../budget/spent.js';

/** The working tree as the run started, when it runs in a git repository. */
export interface GitStart {
  repo: RepoInfo | null;
  startTree: string | null;
}

/** The answer file, result file, outcome, git change and worktree commit of a run whose agent exited. */
export async function finaliseRun(
  o: { meta: Meta; files: RunFiles; cfg: LoadedConfig; stop: Stopper; git: GitStart; callerEnv: NodeJS.ProcessEnv; ownEnv: NodeJS.ProcessEnv },
  exit: AgentExit,
): Promise<RunEnd> {
  const { meta, files, stop } = o;
  const { final, state, exitCode } = exit;
  if (final.rawText !== null) writeFileSync(files.answer, final.rawText);
  // bounded: a schema's pattern can backtrack for ever on an answer, and the run must still end
  const checked = final.value === undefined ? { errors: [], failure: null } : await validateAnswerWithin(exit.schema, final.value);
  const validationErrors = checked.errors;
  const decision = decideOutcome({ stop: stop.reason, final, validationErrors, exitCode });
  if (decision.outcome !== 'invalid_output' && validationErrors.length === 0 && final.value !== undefined) {
    writeFileSync(files.result, `${JSON.stringify(final.value, null, 2)}\n`);
  }

  const diff = o.git.repo && o.git.startTree ? await snapshotDiff(o.git.repo, o.git.startTree, o.ownEnv) : null;
  const errors = [...state.errors];
  if (checked.failure) errors.push(checked.failure);
  let worktree = meta.worktree;
  if (worktree) {
    // before any auto-escalation: the child continues in this worktree, on top of this commit
    const done = await finishWorktree(
      { ...meta, summary: decision.summary, outcome: decision.outcome },
      { commit: o.cfg.worktree_commit, endTree: diff?.endTree ?? null, env: o.callerEnv, ownEnv: o.ownEnv },
    );
    worktree = done.worktree;
    if (done.error) errors.unshift(done.error);
  }
  if (final.agentError && !errors.includes(final.agentError)) errors.push(final.agentError);

  return {
    outcome: decision.outcome,
    // last, as it is the `error` wait prints: why agentctl stopped the run, not the kill it caused
    reason: stop.reason ? stop.detail : null,
    facts: {
      summary: decision.summary,
      followup_prompt: decision.followup_prompt,
      exit_code: exitCode,
      signal: exit.signal,
      thread_id: state.sessionId ?? meta.thread_id,
      model: meta.model ?? state.model ?? null,
      usage: state.usage ? { ...state.usage } : null,
      cost_usd: state.costUsd ?? null,
      git_diff_stat: diff?.stat ?? null,
      git: meta.git && diff ? { ...meta.git, end_tree: diff.endTree, files_changed: diff.files } : meta.git,
      worktree,
      timings: { ...meta.timings, duration_ms: exit.durationMs },
      errors: [...meta.errors, ...errors],
      validation_errors: validationErrors,
    },
  };
}

/** The run's own change: a second snapshot of the working tree against the one from its start. */
async function snapshotDiff(repo: RepoInfo, startTree: string, env: NodeJS.ProcessEnv): Promise<{ stat: string; files: string[]; endTree: string } | null> {
  const endTree = await snapshotTree(repo, env);
  if (!endTree) return null;
  try {
    return { ...(await diffTrees(repo.root, startTree, endTree, env)), endTree };
  } catch {
    return null;
  }
}

/**
 * Auto-escalate (first, so the parent's final record already names its child), end the run and
 * report in the pane. Returns the final record and the child run, if one was started.
 */
export async function announceEnd(
  o: { ws: Workspace; cfg: LoadedConfig; meta: Meta; stop: Stopper; tmux: Tmux; paneId: string | null; callerEnv: NodeJS.ProcessEnv },
  end: RunEnd,
): Promise<{ meta: Meta; child: string | null }> {
  const { ws, cfg, stop } = o;
  const escalation = await autoEscalate(ws, cfg, endedRecord(o.meta, end), o.callerEnv);
  const child = escalation.child;
  const closing: RunEnd = {
    ...end,
    facts: {
      ...end.facts,
      escalated_to: child ?? o.meta.escalated_to,
      errors: [...(end.facts?.errors ?? o.meta.errors), ...(escalation.error ? [escalation.error] : [])],
    },
  };
  const events: NotifyEvent[] = ['finish'];
  if (child) events.push('escalate');
  if (stop.detail === CANCELLED_BY_COMMAND) events.push('cancel');
  // a run that auto-escalated leaves the wake-up to the last run of its chain
  const { meta } = await endRun(ws, cfg, o.meta.run_id, closing, { events, wake: !child || stop.reason === 'lost' });

  reportInPane(meta, child);
  const cost = costLine(ws, cfg, meta);
  if (cost) say(color.dim(cost));
  const success = meta.outcome === 'goal_met';
  if (o.paneId && stop.reason !== 'lost' && (success ? cfg.keep_pane_on_success : cfg.keep_pane_on_failure)) o.tmux.remainOnExit(o.paneId);
  return { meta, child };
}

async function autoEscalate(ws: Workspace, cfg: LoadedConfig, ended: Meta, env: NodeJS.ProcessEnv): Promise<{ child: string | null; error: string | null }> {
  const none = { child: null, error: null };
  if (!ended.auto_escalate || ended.status !== 'finished') return none;
  if (!['goal_not_met', 'invalid_output', 'agent_error'].includes(ended.outcome ?? '')) return none;
  if (!cfg.profiles[ended.profile]?.escalate_to || ended.escalation_depth >= cfg.max_escalations) return none;
  try {
    const started = await escalateRun({ home: ws.home, env, cwd: ended.project_dir, parent: ended, auto: true });
    say(color.yellow(`${clock()} auto-escalated to ${started.meta.run_id} (profile ${started.meta.profile})`));
    return { child: started.meta.run_id, error: null };
  } catch (err) {
    say(color.red(`${clock()} auto-escalation failed: ${(err as Error).message}`));
    return { child: null, error: `auto-escalation failed: ${(err as Error).message}` };
  }
}
