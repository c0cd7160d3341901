// The hidden `_supervise <id>` command that runs in a worker's tmux pane: it starts the agent
// with the caller's environment, records its raw output, shows readable progress, enforces the
// timeout, and finalises the run (result, git diff stat, notifications, auto-escalation).
import { createWriteStream, existsSync, readFileSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { execa } from 'execa';
import { getAdapter } from '../../agents/index.js';
import type { AgentState, FinalAnswer, ProgressLine } from '../../agents/types.js';
import { escalateRun } from './chain.js';
import { loadConfig, type LoadedConfig } from '../workspace/config.js';
import { formatSeconds } from '../sys/duration.js';
import { readFileOrNull } from '../sys/fsutil.js';
import { diffTrees, repoInfo, snapshotTree, type RepoInfo } from '../git/git.js';
import { tmuxFor } from './liveness.js';
import { type Meta, runCwd } from '../runs/meta.js';
import { appendNotification, notification, tmuxNotify } from './notify.js';
import { runFiles, workspace, type RunFiles, type Workspace } from '../workspace/paths.js';
import { killTree, procStartTime } from '../sys/proctree.js';
import { decideOutcome, type StopReason } from '../runs/result.js';
import { validateAnswer } from '../workspace/schema.js';
import { updateMeta } from '../runs/store.js';
import { finishWorktree } from '../git/worktree.js';

const TAIL_BYTES = 16 * 1024;

const color = {
  dim: (s: string) => `\x1b[2m${s}\x1b[0m`,
  bold: (s: string) => `\x1b[1m${s}\x1b[0m`,
  red: (s: string) => `\x1b[31m${s}\x1b[0m`,
  green: (s: string) => `\x1b[32m${s}\x1b[0m`,
  yellow: (s: string) => `\x1b[33m${s}\x1b[0m`,
  cyan: (s: string) => `\x1b[36m${s}\x1b[0m`,
};

const KIND_MARK: Record<ProgressLine['kind'], (s: string) => string> = {
  session: (s) => color.dim(`• ${s}`),
  message: (s) => `» ${s}`,
  reasoning: (s) => color.dim(`… ${s}`),
  command: (s) => color.cyan(s),
  file: (s) => color.yellow(`± ${s}`),
  tool: (s) => color.cyan(`⚙ ${s}`),
  error: (s) => color.red(`✗ ${s}`),
  usage: (s) => color.dim(`Σ ${s}`),
  result: (s) => color.bold(`= ${s}`),
  output: (s) => s,
};

/** Pane output; the pane may vanish at any time, so a failed write is not an error. */
function say(text: string): void {
  try {
    process.stdout.write(`${text}\n`);
  } catch {
    // pane gone
  }
}

function clock(): string {
  return new Date().toTimeString().slice(0, 8);
}

class Tail {
  private buf = '';
  push(s: string): void {
    this.buf = (this.buf + s).slice(-TAIL_BYTES);
  }
  toString(): string {
    return this.buf;
  }
}

export async function supervise(home: string, runId: string): Promise<number> {
  process.stdout.on('error', () => {});
  const ws = workspace(home);
  const files = runFiles(home, runId);
  const cfg = loadConfig(ws);
  const callerEnv = takeEnv(files);
  const paneId = process.env.TMUX_PANE ?? null;

  // claim the run under its lock: a `cancel` of a pending run may have ended it already
  let claimed = false;
  let meta = updateMeta(ws, runId, (m) => {
    if (m.status !== 'pending') return m;
    claimed = true;
    m.status = 'running';
    m.started_at = new Date().toISOString();
    m.timings.queued_ms = Date.parse(m.started_at) - Date.parse(m.created_at);
    m.pids.supervisor = process.pid;
    m.pids.supervisor_start = procStartTime(process.pid);
    if (paneId) m.tmux.pane = paneId;
  });
  if (!claimed) {
    say(`run ${runId} is already ${meta.outcome ?? meta.status}; nothing to do`);
    return 0;
  }
  const tmux = tmuxFor(meta);
  if (paneId) {
    const branch = meta.worktree ? ` · ⎇ ${meta.worktree.branch}` : '';
    tmux.decorateWorkerPane(paneId, `${runId} · ${meta.profile}${branch} · ${meta.title}`, meta.tmux.placement === 'split' ? 'spread' : 'tiled');
  }

  let stop: StopReason | null = null;
  let stopDetail = '';
  let agentPid: number | null = null;
  const requestStop = (reason: StopReason, detail: string) => {
    if (stop) return;
    stop = reason;
    stopDetail = detail;
    say(color.red(`\n${clock()} stopping: ${detail}`));
    if (agentPid) void killTree(agentPid);
  };
  process.on('SIGHUP', () => requestStop('lost', 'the worker pane was closed (SIGHUP)'));
  process.on('SIGTERM', () => requestStop('cancelled', existsSync(files.cancel) ? 'cancelled by agentctl cancel' : 'cancelled (SIGTERM)'));
  process.on('SIGINT', () => requestStop('cancelled', 'cancelled from the pane (Ctrl-C)'));

  say(color.bold(`agentctl ${runId}`) + color.dim(` · ${meta.agent} · profile ${meta.profile}${meta.mode !== 'new' ? ` · ${meta.mode} of ${meta.parent_run_id}` : ''}`));
  const cwd = runCwd(meta);
  const where = meta.worktree ? `${cwd} · branch ${meta.worktree.branch} from ${meta.worktree.base_ref} (${meta.worktree.base.slice(0, 10)})` : cwd;
  say(color.dim(`${meta.title}\n${where}${meta.timeout_s ? ` · timeout ${formatSeconds(meta.timeout_s)}` : ''}`));

  const repo = await repoInfo(cwd);
  const startTree = repo ? await snapshotTree(repo) : null;
  if (repo) {
    meta = updateMeta(ws, runId, (m) => {
      m.git = { repo_root: repo.root, start_head: repo.head, start_tree: startTree, end_tree: null, files_changed: null };
    });
  }

  const adapter = getAdapter(meta.agent);
  const schema = JSON.parse(readFileSync(files.schema, 'utf8')) as Record<string, unknown>;
  const prompt = readFileSync(files.prompt, 'utf8');
  const reader = adapter.newReader();
  const state: AgentState = reader.state;
  const stdoutTail = new Tail();
  const stderrTail = new Tail();
  let final: FinalAnswer;
  let exitCode: number | null = null;
  let signal: string | null = null;
  const startedMs = Date.now();
  let timer: NodeJS.Timeout | undefined;

  const inv = adapter.buildInvocation({
    prompt,
    cwd,
    runDir: files.dir,
    schema,
    schemaPath: files.schema,
    model: meta.model ?? undefined,
    profile: cfg.profiles[meta.profile] ?? { agent: meta.agent },
    resumeSessionId: meta.mode === 'resume' ? (meta.thread_id ?? undefined) : undefined,
    command: meta.command ?? undefined,
    isGitRepo: repo !== null,
  });
  if (inv.outputFile) rmSync(inv.outputFile, { force: true });

  const events = createWriteStream(files.events);
  const errlog = createWriteStream(files.stderr);
  try {
    const child = execa(inv.file, inv.args, {
      cwd,
      env: agentEnv(callerEnv, inv.env, runId, home),
      extendEnv: false,
      stdin: inv.stdin === null ? 'ignore' : 'pipe',
      input: inv.stdin ?? undefined,
      stdout: 'pipe',
      stderr: 'pipe',
      buffer: false,
      reject: false,
      detached: true,
      cleanup: false,
      encoding: 'buffer',
    });
    agentPid = child.pid ?? null;
    if (agentPid) {
      const pid = agentPid;
      meta = updateMeta(ws, runId, (m) => {
        m.pids.agent = pid;
        m.pids.agent_start = procStartTime(pid);
      });
    }
    if (stop && agentPid) void killTree(agentPid); // a signal arrived before the pid was known
    if (meta.timeout_s) {
      timer = setTimeout(() => requestStop('timed_out', `timed out after ${formatSeconds(meta.timeout_s!)}`), meta.timeout_s * 1000);
    }
    pipeLines(child.stdout!, events, stdoutTail, (line) => {
      for (const p of reader.onLine(line)) say(`${color.dim(clock())} ${KIND_MARK[p.kind](p.text)}`);
    });
    pipeLines(child.stderr!, errlog, stderrTail, (line) => say(color.dim(`${clock()} stderr│ ${line}`)));
    const res = await child;
    exitCode = typeof res.exitCode === 'number' ? res.exitCode : null;
    signal = res.signal ?? null;
    if (res.failed && exitCode === null && !signal && !stop) {
      state.errors.push(`could not start ${inv.file}: ${res.shortMessage ?? res.message}`);
    }
  } catch (err) {
    state.errors.push(`could not start ${inv.file}: ${(err as Error).message}`);
  } finally {
    if (timer) clearTimeout(timer);
    await Promise.all([closeStream(events), closeStream(errlog)]);
  }

  final = reader.finish({
    invocation: inv,
    exitCode,
    signal,
    outputFileText: inv.outputFile ? readFileOrNull(inv.outputFile) : null,
    stderrTail: stderrTail.toString(),
    stdoutTail: stdoutTail.toString(),
  });
  if (!final.agentError && exitCode === null && !signal && state.errors.length) final = { ...final, agentError: state.errors[0] };
  if (final.rawText !== null) writeFileSync(files.answer, final.rawText);
  const validationErrors = final.value === undefined ? [] : await validateAnswer(schema, final.value);
  const decision = decideOutcome({ stop, final, validationErrors, exitCode });
  if (decision.outcome !== 'invalid_output' && validationErrors.length === 0 && final.value !== undefined) {
    writeFileSync(files.result, `${JSON.stringify(final.value, null, 2)}\n`);
  }

  const diff = repo && startTree ? await runDiff(repo, startTree) : null;
  const errors = [...state.errors];
  let worktree = meta.worktree;
  if (worktree) {
    // before any auto-escalation: the child continues in this worktree, on top of this commit
    const done = await finishWorktree(
      { ...meta, summary: decision.summary, outcome: stop === 'lost' ? 'lost' : decision.outcome },
      { commit: cfg.worktree_commit, endTree: diff?.endTree ?? null, env: callerEnv },
    );
    worktree = done.worktree;
    if (done.error) errors.unshift(done.error);
  }
  if (final.agentError && !errors.includes(final.agentError)) errors.push(final.agentError);
  // last, as it is the `error` wait prints: why agentctl stopped the run, not the kill it caused
  if (stop) errors.push(stopDetail);

  const ended: Meta = {
    ...meta,
    status: stop === 'lost' ? 'lost' : 'finished',
    outcome: decision.outcome,
    goal_met: decision.goal_met,
    summary: decision.summary,
    followup_prompt: decision.followup_prompt,
    exit_code: exitCode,
    signal,
    ended_at: new Date().toISOString(),
    thread_id: state.sessionId ?? meta.thread_id,
    model: meta.model ?? state.model ?? null,
    usage: state.usage ? { ...state.usage } : null,
    cost_usd: state.costUsd ?? null,
    git_diff_stat: diff?.stat ?? null,
    git: meta.git && diff ? { ...meta.git, end_tree: diff.endTree, files_changed: diff.files } : meta.git,
    worktree,
    timings: { ...meta.timings, duration_ms: Date.now() - startedMs },
    errors: [...meta.errors, ...errors],
    validation_errors: validationErrors,
  };

  const child = await autoEscalate(ws, cfg, ended, callerEnv);
  const closing: Meta = { ...ended, escalated_to: child ?? ended.escalated_to };
  // the log line comes first: whoever `wait` wakes can then already `tail` it
  appendNotification(ws, notification('finish', closing));
  if (child) appendNotification(ws, notification('escalate', closing));
  // this process is alive, so no one else has ended the record; its own record is authoritative
  const finalMeta = updateMeta(ws, runId, () => closing);
  // a run that auto-escalated leaves the wake-up to the last run of its chain
  await tmuxNotify(ws, cfg, tmux, finalMeta, { wake: !child || stop === 'lost' });

  reportInPane(finalMeta, child);
  const success = finalMeta.outcome === 'goal_met';
  if (paneId && stop !== 'lost' && (success ? cfg.keep_pane_on_success : cfg.keep_pane_on_failure)) tmux.remainOnExit(paneId);
  return 0;
}

/** Read the caller's environment and delete it from disk at once. */
function takeEnv(files: RunFiles): NodeJS.ProcessEnv {
  const text = readFileOrNull(files.env);
  rmSync(files.env, { force: true });
  if (text === null) return { ...process.env };
  try {
    return JSON.parse(text) as NodeJS.ProcessEnv;
  } catch {
    return { ...process.env };
  }
}

function agentEnv(caller: NodeJS.ProcessEnv, extra: Record<string, string> | undefined, runId: string, home: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(caller)) if (v !== undefined) env[k] = v;
  // the agent lives in the worker pane, not the orchestrator's: nested agentctl calls and
  // tmux-aware tools must see this pane
  delete env.TMUX;
  delete env.TMUX_PANE;
  if (process.env.TMUX) env.TMUX = process.env.TMUX;
  if (process.env.TMUX_PANE) env.TMUX_PANE = process.env.TMUX_PANE;
  Object.assign(env, extra ?? {});
  env.AGENTCTL_RUN_ID = runId;
  env.AI_ORCH_HOME = home;
  return env;
}

function pipeLines(stream: NodeJS.ReadableStream, sink: WriteStream, tail: Tail, onLine: (line: string) => void): void {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  stream.on('data', (chunk: Buffer) => {
    sink.write(chunk);
    const text = decoder.write(chunk);
    tail.push(text);
    pending += text;
    let nl = pending.indexOf('\n');
    while (nl >= 0) {
      onLine(pending.slice(0, nl).replace(/\r$/, ''));
      pending = pending.slice(nl + 1);
      nl = pending.indexOf('\n');
    }
  });
  stream.on('end', () => {
    const rest = pending + decoder.end();
    if (rest) onLine(rest);
  });
}

function closeStream(s: WriteStream): Promise<void> {
  return new Promise((res) => s.end(() => res()));
}

async function runDiff(repo: RepoInfo, startTree: string): Promise<{ stat: string; files: string[]; endTree: string } | null> {
  const endTree = await snapshotTree(repo);
  if (!endTree) return null;
  try {
    return { ...(await diffTrees(repo.root, startTree, endTree)), endTree };
  } catch {
    return null;
  }
}

async function autoEscalate(ws: Workspace, cfg: LoadedConfig, ended: Meta, env: NodeJS.ProcessEnv): Promise<string | null> {
  if (!ended.auto_escalate || ended.status !== 'finished') return null;
  if (!['goal_not_met', 'invalid_output', 'agent_error'].includes(ended.outcome ?? '')) return null;
  if (!cfg.profiles[ended.profile]?.escalate_to || ended.escalation_depth >= cfg.max_escalations) return null;
  try {
    const started = await escalateRun({ home: ws.home, env, cwd: ended.project_dir, parent: ended, auto: true });
    say(color.yellow(`${clock()} auto-escalated to ${started.meta.run_id} (profile ${started.meta.profile})`));
    return started.meta.run_id;
  } catch (err) {
    ended.errors.push(`auto-escalation failed: ${(err as Error).message}`);
    say(color.red(`${clock()} auto-escalation failed: ${(err as Error).message}`));
    return null;
  }
}

function reportInPane(m: Meta, child: string | null): void {
  const ok = m.outcome === 'goal_met';
  const paint = ok ? color.green : color.red;
  say('');
  say(paint(color.bold(`${ok ? '✔' : '✘'} ${m.outcome} · exit ${m.exit_code ?? m.signal ?? 'none'} · ${formatSeconds((m.timings.duration_ms ?? 0) / 1000)}`)));
  if (m.summary) say(m.summary);
  if (m.git_diff_stat) say(color.dim(`git: ${m.git_diff_stat}`));
  const wt = m.worktree;
  if (wt) say(color.dim(`branch ${wt.branch}: ${wt.commit ? `committed ${wt.commit.slice(0, 10)}` : 'nothing new committed'}; against ${wt.base_ref}: ${wt.diff_stat ?? 'unknown'}`));
  for (const e of m.validation_errors.slice(0, 5)) say(color.red(`schema: ${e}`));
  if (child) say(color.yellow(`escalated to ${child}`));
}
