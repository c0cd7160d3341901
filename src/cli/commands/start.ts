import type { AgentName } from '../../agents/types.js';
import { startRun } from '../../core/lifecycle/launch.js';
import type { Meta } from '../../core/runs/meta.js';
import { resolveHome } from '../../core/workspace/paths.js';
import { readPrompt } from '../../core/sys/stdin.js';

/** `agentctl start`'s options; the MCP start_run tool fills the same object. */
export interface StartOptions {
  home?: string;
  project?: string;
  profile?: string;
  agent?: AgentName;
  title?: string;
  model?: string;
  schema?: string;
  timeout?: string;
  promptFile?: string;
  runId?: string;
  window?: boolean;
  target?: string;
  json?: boolean;
  autoEscalate?: boolean;
  command?: string[];
  worktree?: boolean;
  base?: string;
  withChanges?: boolean;
}

/** Whose run it is: the worker gets this environment; a relative project path resolves against cwd. */
export interface Caller {
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export const thisProcess = (): Caller => ({ env: process.env, cwd: process.cwd() });

/** A shell run needs no prompt: a command alone is enough. */
export const promptOptional = (o: Pick<StartOptions, 'agent' | 'command'>): boolean => o.agent === 'shell' || (o.command?.length ?? 0) > 0;

/** Start a run from start's options and a prompt already read: shared by the CLI and MCP. */
export async function startWith(o: StartOptions, prompt: string, caller: Caller, emptyPromptFix?: string): Promise<Meta> {
  const { meta } = await startRun({
    home: resolveHome(o.home),
    env: caller.env,
    cwd: caller.cwd,
    prompt,
    project: o.project,
    profile: o.profile,
    agent: o.agent ?? (o.command?.length && !o.profile ? 'shell' : undefined),
    title: o.title,
    model: o.model,
    schemaFile: o.schema,
    timeout: o.timeout,
    runId: o.runId,
    command: o.command,
    autoEscalate: o.autoEscalate,
    placement: { window: o.window, target: o.target },
    worktree: o.worktree,
    base: o.base,
    withChanges: o.withChanges,
    emptyPromptFix,
  });
  return meta;
}

export async function startCmd(o: StartOptions): Promise<void> {
  const prompt = await readPrompt({ promptFile: o.promptFile, optional: promptOptional(o) });
  printStarted(await startWith(o, prompt, thisProcess()), o.json);
}

/** What `start --json` prints about a new run (and what start_run returns). */
export function startedView(meta: Meta) {
  const { run_id, status, title, project, project_dir, profile, agent, mode, parent_run_id, escalated_from, tmux, worktree } = meta;
  const wt = worktree ? { branch: worktree.branch, worktree: worktree.cwd, base: worktree.base } : {};
  return { run_id, status, title, project, project_dir, profile, agent, mode, parent_run_id, escalated_from, ...wt, pane: tmux.pane, session: tmux.session };
}
export type StartedView = ReturnType<typeof startedView>;

export function printStarted(meta: Meta, json?: boolean): void {
  process.stdout.write(json ? `${JSON.stringify(startedView(meta))}\n` : `${meta.run_id}\n`);
}
