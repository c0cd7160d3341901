import type { AgentName } from '../agents/types.js';
import { startRun } from '../core/launch.js';
import { resolveHome } from '../core/paths.js';
import { compactResult } from '../core/result.js';
import { readPrompt } from '../core/stdin.js';

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

export async function startCmd(o: StartOptions): Promise<void> {
  const shell = o.agent === 'shell' || (o.command?.length ?? 0) > 0;
  const prompt = await readPrompt({ promptFile: o.promptFile, optional: shell });
  const { meta } = await startRun({
    home: resolveHome(o.home),
    env: process.env,
    cwd: process.cwd(),
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
  });
  printStarted(meta, o.json);
}

export function printStarted(meta: Parameters<typeof compactResult>[0], json?: boolean): void {
  if (!json) {
    process.stdout.write(`${meta.run_id}\n`);
    return;
  }
  const { run_id, status, title, project, project_dir, profile, agent, mode, parent_run_id, escalated_from, tmux, worktree } = meta;
  const wt = worktree ? { branch: worktree.branch, worktree: worktree.cwd, base: worktree.base } : {};
  process.stdout.write(`${JSON.stringify({ run_id, status, title, project, project_dir, profile, agent, mode, parent_run_id, escalated_from, ...wt, pane: tmux.pane, session: tmux.session })}\n`);
}
