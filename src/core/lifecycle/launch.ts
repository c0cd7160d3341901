// Creating a run: every check that can fail happens before anything is written; then the run
// directory is claimed, its files written, and a tmux pane started running the supervisor.
// `start`, `resume`, `escalate` and auto-escalation all come through startRun().
import { existsSync, openSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { getAdapter } from '../../agents/index.js';
import type { AgentName } from '../../agents/types.js';
import { ensureWorkspace, getProfile, loadConfig, type LoadedConfig } from '../workspace/config.js';
import { parseDuration } from '../sys/duration.js';
import { AppError } from '../sys/errors.js';
import { readFileOrNull, writeFileAtomic } from '../sys/fsutil.js';
import { assertRunId, newRunId } from '../runs/ids.js';
import { type Meta, type Worktree, isEnded, newMeta, runCwd } from '../runs/meta.js';
import type { Workspace } from '../workspace/paths.js';
import { resolveProject } from '../workspace/projects.js';
import { selfCommand, which } from '../sys/self.js';
import { appendNotification, notification } from './notify.js';
import { indexRun, updateMeta, writeMetaAt } from '../runs/store.js';
import { RunDraft, sweepInterruptedStarts } from '../runs/draft.js';
import { placePane, type Placement } from '../tmux/placement.js';
import { socketFrom, Tmux } from '../tmux/tmux.js';
import { trace } from '../sys/trace.js';
import { runLimits } from '../budget/limits.js';

/** Where the caller wants the pane (placement.ts decides the rest). */
export type { Placement };

export interface StartRequest {
  home: string;
  /** The caller's environment: the worker gets it (PATH, CODEX_HOME, API keys). */
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** The prompt, or how to get it once the run's agent is known (see PromptSource). */
  prompt: PromptSource;
  project?: string;
  profile?: string;
  agent?: AgentName;
  title?: string;
  model?: string;
  schemaFile?: string;
  timeout?: string;
  runId?: string;
  command?: string[];
  autoEscalate?: boolean;
  placement?: Placement;
  /** --worktree (true), --no-worktree (false), or neither: the project's, profile's or config default. */
  worktree?: boolean;
  /** --base REF: the commit the worktree's branch starts from (default HEAD). */
  base?: string;
  /** --with-changes: copy the checkout's uncommitted changes into the worktree. */
  withChanges?: boolean;
  /** Stop the run once it has cost this much (USD) or used this many tokens (default: config budgets.per_run_*). */
  maxCostUsd?: number;
  maxTokens?: number;
  /** The workflow this run is a step of (its record's workflow_id). */
  workflowId?: string;
  /** Chaining (resume / escalate). */
  parent?: Meta;
  mode?: Meta['mode'];
  resumeSessionId?: string;
  escalatedFrom?: string;
  /** A workflow step's worktree, made by an earlier step of the workflow and shared with it. */
  sharedWorktree?: Worktree | null;
  /** The worker is the agent's TUI, not its headless mode (claude and codex; interactive-run.ts). */
  interactive?: boolean;
}

/**
 * The prompt as given, or a function the front-end supplies that gets it (stdin, an argument),
 * told whether this run needs one: only once the profile, and so the agent, is known.
 */
export type PromptSource = Prompt | ((required: boolean) => Prompt | Promise<Prompt>);

/** A prompt: text, or bytes that are not UTF-8 (a binary file, Latin-1 text), passed on exactly. */
export type Prompt = string | Buffer;

/** A prompt's text, for titles and checks (bytes that are not UTF-8 shown as replacement characters). */
export function promptText(p: Prompt): string {
  return typeof p === 'string' ? p : p.toString('utf8');
}

/**
 * The one rule on prompts: every agent but the shell needs one (a shell run's command is its
 * task). The source is asked only now, so a front-end need not guess from its own arguments.
 */
export async function askPrompt(source: PromptSource, agent: AgentName): Promise<Prompt> {
  const required = agent !== 'shell';
  const prompt = typeof source === 'function' ? await source(required) : source;
  // {opt:prompt}: each front-end says how it takes a prompt (stdin or a file; an argument)
  if (required && promptText(prompt).trim() === '') throw new AppError('empty prompt', { fix: '{opt:prompt}' });
  return prompt;
}

export interface Started {
  meta: Meta;
  ws: Workspace;
}

export async function startRun(req: StartRequest): Promise<Started> {
  trace('startRun');
  const { ws } = ensureWorkspace(req.home);
  const cfg = loadConfig(ws);
  trace('config loaded');

  const project = req.parent
    ? { name: req.parent.project, dir: req.parent.project_dir, defaultProfile: undefined }
    : resolveProject(ws, req.project, req.cwd);
  const profileName = req.profile ?? (req.agent && !req.parent && cfg.profiles[req.agent] ? req.agent : undefined) ?? req.parent?.profile ?? project.defaultProfile ?? cfg.default_profile;
  const profile = getProfile(cfg, profileName);
  const agent: AgentName = req.agent ?? profile.agent;
  const adapter = getAdapter(agent);

  const command = agent === 'shell' ? (req.command?.length ? req.command : (profile.command ?? req.parent?.command ?? null)) : null;
  if (agent === 'shell' && !command) {
    throw new AppError('the shell agent needs a command: agentctl start --agent shell --title tests -- npm test');
  }
  if (req.interactive && agent !== 'claude' && agent !== 'codex') {
    throw new AppError(`{opt:interactive} runs claude or codex in its own TUI, not ${agent}`, { fix: 'choose {opt:agent=claude} or {opt:agent=codex}, or drop {opt:interactive}' });
  }
  if (agent !== 'shell' && req.command?.length) {
    throw new AppError(`a command after "--" is only for the shell agent, not ${agent}`, { fix: 'drop it or add {opt:agent=shell}' });
  }

  const prompt = await askPrompt(req.prompt, agent);
  const bytes = Buffer.byteLength(prompt);
  if (bytes > cfg.max_prompt_bytes) {
    throw new AppError(`prompt is ${bytes} bytes, over the ${cfg.max_prompt_bytes}-byte limit: shorten it, or raise max_prompt_bytes in config.json`);
  }

  const binary = command ? command[0]! : adapter.binary;
  if (!which(binary, req.env.PATH, project.dir)) {
    throw agent === 'shell'
      ? new AppError(`command not found: ${binary}: check the command after "--" and PATH`)
      : new AppError(`${binary} not found on PATH`, { fix: `install the ${agent} CLI (see "{cmd:doctor}") or choose another {opt:agent}/{opt:profile}` });
  }

  const timeoutText = req.timeout ?? profile.timeout;
  const timeoutS = timeoutText ? parseDuration(timeoutText, 'timeout') : null;
  const schema = await resolveSchema(ws, req.schemaFile, agent);
  // a project that used up its daily budget starts nothing (core/budget); no budget, no reading
  if (cfg.budgets.per_project_day_usd != null) (await import('../budget/spent.js')).checkBudget(ws, cfg, { project: project.name ?? project.dir });

  // a worktree is decided without running git: a run without one pays nothing for the feature
  // a workflow's steps share one worktree on purpose (parallel reviewers): its driver orders them
  const shared = req.sharedWorktree ? { ...req.sharedWorktree, commit: null, head: null, diff_stat: null, files_changed: null } : null;
  const inherited = req.parent ? await inheritedWorktree(ws, req.parent) : shared;
  const worktreeSource = req.parent || shared ? null : worktreeWanted(req, project, profile, profileName, cfg);

  const depth = req.escalatedFrom && req.parent ? req.parent.escalation_depth + 1 : 0;
  const title = (req.title ?? firstProseLine(promptText(prompt)) ?? command?.join(' ') ?? profileName).slice(0, 200);
  const tmuxSock = socketFrom(cfg, req.env);
  const now = new Date();
  sweepInterruptedStarts(ws);
  const draft = claimRunId(ws, req.runId, now);
  const runId = draft.runId;

  let created: Worktree | null = null;
  if (worktreeSource) {
    trace('worktree');
    try {
      const { createRunWorktree } = await import('../git/worktree.js');
      created = await createRunWorktree(ws, {
        runId,
        projectDir: project.dir,
        projectName: project.name,
        base: req.base,
        withChanges: req.withChanges ?? false,
        source: worktreeSource,
        patchFile: join(draft.files.dir, 'carry.patch'),
        env: req.env,
      });
    } catch (err) {
      draft.abandon();
      throw err;
    }
    trace('worktree made');
  }
  const meta = newMeta({
    run_id: runId,
    title,
    project: project.name,
    project_dir: project.dir,
    profile: profileName,
    agent,
    model: req.model ?? profile.model ?? null,
    mode: req.mode ?? 'new',
    command,
    created_at: now.toISOString(),
    parent_run_id: req.parent?.run_id ?? null,
    escalated_from: req.escalatedFrom ?? null,
    escalation_depth: depth,
    auto_escalate: req.autoEscalate ?? false,
    thread_id: req.resumeSessionId ?? null,
    ...(req.interactive ? { interactive: true } : {}),
    timeout_s: timeoutS,
    tmux: { socket: tmuxSock.socket, socket_name: tmuxSock.socketName, session: null, pane: null, placement: null },
    worktree: inherited ?? created,
    workflow_id: req.workflowId ?? req.parent?.workflow_id ?? null,
    budget: runLimits(cfg.budgets, req),
  });

  try {
    writeFileAtomic(draft.files.prompt, prompt, 0o600);
    writeFileAtomic(draft.files.schema, schema.text, 0o600);
    writeSecretEnv(draft.files.env, req.env);
    writeMetaAt(draft.files.meta, meta);
    draft.publish();
    const tmux = new Tmux(tmuxSock);
    const placed = placePane(tmux, cfg, ws, req, [...selfCommand(req.env), '_supervise', runId, '--home', ws.home], runCwd(meta), runId);
    // indexed only once the pane exists: a failed start must leave no index line behind
    indexRun(ws, runId, meta.created_at);
    trace('pane placed');
    const withPane = updateMeta(ws, runId, (m) => {
      m.tmux.pane ??= placed.pane;
      m.tmux.session ??= placed.session;
      m.tmux.placement ??= placed.placement;
    });
    draft.finish();
    const failed = appendNotification(ws, notification('start', withPane));
    const started = failed ? updateMeta(ws, runId, (m) => void (m.errors = [...m.errors, failed])) : withPane;
    trace('start done');
    return { meta: started, ws };
  } catch (err) {
    draft.abandon(); // nothing half-made stays behind
    if (created) {
      const made = created;
      await import('../git/worktree.js').then((w) => w.undoRunWorktree(ws, made, req.env)).catch(() => {});
    }
    throw err;
  }
}

/**
 * Whether a new run gets a worktree, and who asked (for error messages): the flags first, then
 * the project's default, the profile's, and config.json's. null: no worktree.
 */
function worktreeWanted(req: StartRequest, project: { name: string | null; worktree?: boolean }, profile: { worktree?: boolean }, profileName: string, cfg: LoadedConfig): string | null {
  // --base and --with-changes only make sense in a worktree: they ask for one themselves
  const impliedBy = req.base !== undefined ? '{opt:base}' : req.withChanges === true ? '{opt:withChanges}' : null;
  if (req.worktree === false) {
    if (impliedBy) throw new AppError(`${impliedBy} is for a run in its own worktree`, { fix: 'drop {opt:worktree=false} or that option' });
    return null;
  }
  if (req.worktree === true) return '{opt:worktree=true}';
  if (project.worktree !== undefined) return project.worktree ? `project ${project.name}'s default` : impliedBy;
  if (profile.worktree !== undefined) return profile.worktree ? `profile ${profileName}'s default` : impliedBy;
  if (cfg.worktree) return 'config.json "worktree": true';
  return impliedBy;
}

/**
 * A resume or escalation continues in its parent's worktree, which must still be there and
 * have no other run at work in it (two workers in one checkout is what worktrees prevent).
 */
async function inheritedWorktree(ws: Workspace, parent: Meta): Promise<Worktree | null> {
  const wt = parent.worktree;
  if (!wt) return null;
  if (wt.removed_at || !existsSync(wt.path)) {
    throw new AppError(
      `run ${parent.run_id}'s worktree ${wt.path} was removed, so the run cannot be continued there`,
      { fix: wt.branch_deleted_at ? 'start a new run' : `start a new run with "{opt:base} ${wt.branch}" to build on its branch` },
    );
  }
  // the parent itself may still be finishing (auto-escalation): its own record is not read here
  const { runsSharing } = await import('../git/worktree.js');
  const busy = runsSharing(ws, wt).find((r) => r.run_id !== parent.run_id && !isEnded(r));
  if (busy) {
    throw new AppError(`run ${busy.run_id} is still working in ${wt.path}`, { fix: `wait for it ("{cmd:wait ${busy.run_id}}") before continuing run ${parent.run_id} there` });
  }
  return { ...wt, commit: null, head: null, diff_stat: null, files_changed: null };
}

/** A default title: the prompt's first line of prose (section headings like "# TASK" skipped). */
function firstProseLine(text: string): string | undefined {
  const lines = text.split('\n').map((l) => l.trim());
  const line = (lines.find((l) => l && !l.startsWith('#')) ?? lines.find((l) => l))?.replace(/^[#>*\s-]+/, '').trim();
  return line ? line.slice(0, 80) : undefined;
}

function claimRunId(ws: Workspace, wanted: string | undefined, now: Date): RunDraft {
  if (wanted !== undefined) {
    assertRunId(wanted, '{opt:runId}');
    return RunDraft.begin(ws, wanted);
  }
  for (let i = 0; ; i++) {
    try {
      return RunDraft.begin(ws, newRunId(now));
    } catch (err) {
      if (i > 20) throw err;
    }
  }
}

/** The default schema is trusted as written by init; a user's file is checked before use. */
async function resolveSchema(ws: Workspace, file: string | undefined, agent: AgentName): Promise<{ text: string }> {
  if (!file) {
    const text = readFileOrNull(ws.defaultSchema);
    if (text === null) throw new AppError(`default schema ${ws.defaultSchema} is missing`, { fix: 'run "{cmd:init}" to restore it' });
    try {
      JSON.parse(text);
    } catch {
      throw new AppError(`default schema ${ws.defaultSchema} is not valid JSON`, { fix: 'fix it, or delete it and run "{cmd:init}"' });
    }
    return { text };
  }
  const { readSchemaFile, checkSchema, strictModeProblem } = await import('../workspace/schema.js');
  const schema = readSchemaFile(file);
  await checkSchema(schema, file);
  if (agent === 'codex') {
    const problem = strictModeProblem(schema);
    if (problem) throw new AppError(`schema ${file} does not follow the strict structured-output rules codex needs (${problem}): fix the schema`);
  }
  return { text: `${JSON.stringify(schema, null, 2)}\n` };
}

/**
 * The caller's environment, for the supervisor to hand to the agent: mode 0600, created
 * exclusively, deleted by the supervisor the moment it has read it. Never in argv or the pane.
 */
export function writeSecretEnv(path: string, env: NodeJS.ProcessEnv): void {
  const fd = openSync(path, 'wx', 0o600);
  try {
    // the MCP server's token is its own: a worker that had it could call the server as its user
    const { AGENTCTL_MCP_TOKEN: _token, ...workerEnv } = env;
    writeSync(fd, JSON.stringify(workerEnv));
  } finally {
    closeSync(fd);
  }
}
