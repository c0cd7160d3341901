// The supervisor's middle phase: the agent process itself. It runs with the caller's
// environment in its own process group, its stdout is copied byte for byte to events.jsonl and
// its stderr to stderr.log while the adapter turns events into readable pane lines, and a stop
// (timeout, cancel, closed pane) kills its whole tree.
import { createWriteStream, existsSync, readFileSync, rmSync, type WriteStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { execa } from 'execa';
import { getAdapter } from '../../agents/index.js';
import type { AgentState, FinalAnswer } from '../../agents/types.js';
import type { LoadedConfig } from '../workspace/config.js';
import { formatSeconds, setLongTimeout } from '../sys/duration.js';
import { readFileOrNull } from '../sys/fsutil.js';
import { killTree } from '../sys/proctree.js';
import type { Meta } from '../runs/meta.js';
import type { StopReason } from '../runs/result.js';
import type { RunFiles } from '../workspace/paths.js';
import { CANCELLED_BY_COMMAND } from './cancel.js';
import { clock, color, say, sayProgress, sayStderr } from './pane.js';
import { budgetWatch } from '../budget/live.js';
import { workspace } from '../workspace/paths.js';

const TAIL_BYTES = 16 * 1024;

/** Why agentctl stops the run, if it does, and the agent whose tree a stop kills. */
export class Stopper {
  reason: StopReason | null = null;
  detail = '';
  private agentPid: number | null = null;

  request(reason: StopReason, detail: string): void {
    if (this.reason) return;
    this.reason = reason;
    this.detail = detail;
    say(color.red(`\n${clock()} stopping: ${detail}`));
    if (this.agentPid) void killTree(this.agentPid);
  }

  /** The agent's pid is known: a stop requested before it was kills the tree now. */
  agentStarted(pid: number): void {
    this.agentPid = pid;
    if (this.reason) void killTree(pid);
  }

  /** A closed pane (SIGHUP), cancel (SIGTERM) and Ctrl-C (SIGINT) stop the run; returns what removes the handlers. */
  listen(cancelFile: string): () => void {
    const handlers: [NodeJS.Signals, () => void][] = [
      ['SIGHUP', () => this.request('lost', 'the worker pane was closed (SIGHUP)')],
      // `agentctl cancel` leaves this file before its SIGTERM
      ['SIGTERM', () => this.request('cancelled', existsSync(cancelFile) ? CANCELLED_BY_COMMAND : 'cancelled (SIGTERM)')],
      ['SIGINT', () => this.request('cancelled', 'cancelled from the pane (Ctrl-C)')],
    ];
    for (const [sig, fn] of handlers) process.on(sig, fn);
    return () => {
      for (const [sig, fn] of handlers) process.off(sig, fn);
    };
  }
}

export interface AgentRun {
  meta: Meta;
  files: RunFiles;
  cfg: LoadedConfig;
  home: string;
  /** Where the agent works. */
  cwd: string;
  isGitRepo: boolean;
  /** The caller's environment (what the agent gets) and the pane's own (its tmux variables). */
  callerEnv: NodeJS.ProcessEnv;
  paneEnv: NodeJS.ProcessEnv;
  stop: Stopper;
  /** Called with the agent's pid as soon as it is known: cancel and liveness checks kill its tree. */
  onPid: (pid: number) => void;
}

export interface AgentExit {
  state: AgentState;
  final: FinalAnswer;
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  /** The run's result schema, which the answer is validated against. */
  schema: Record<string, unknown>;
}

/** Start the agent, follow it to its exit, and let its adapter decide the final answer. */
export async function runAgent(r: AgentRun): Promise<AgentExit> {
  if (r.meta.interactive === true) return (await import('./interactive-run.js')).runInteractive(r);
  const { meta, files } = r;
  const adapter = getAdapter(meta.agent);
  const schema = JSON.parse(readFileSync(files.schema, 'utf8')) as Record<string, unknown>;
  const promptBytes = readFileSync(files.prompt); // the agent gets these exact bytes (a prompt need not be UTF-8)
  const prompt = promptBytes.toString('utf8');
  const reader = adapter.newReader();
  const state: AgentState = reader.state;
  const stdoutTail = new Tail();
  const stderrTail = new Tail();
  let exitCode: number | null = null;
  let signal: string | null = null;
  const startedMs = Date.now();
  let cancelTimer: (() => void) | undefined;

  const inv = adapter.buildInvocation({
    prompt,
    cwd: r.cwd,
    runDir: files.dir,
    schema,
    schemaPath: files.schema,
    model: meta.model ?? undefined,
    profile: r.cfg.profiles[meta.profile] ?? { agent: meta.agent },
    resumeSessionId: meta.mode === 'resume' ? (meta.thread_id ?? undefined) : undefined,
    command: meta.command ?? undefined,
    isGitRepo: r.isGitRepo,
  });
  if (inv.outputFile) rmSync(inv.outputFile, { force: true });

  const events = createWriteStream(files.events);
  const errlog = createWriteStream(files.stderr);
  try {
    const child = execa(inv.file, inv.args, {
      cwd: r.cwd,
      env: agentEnv(r.callerEnv, r.paneEnv, inv.env, meta.run_id, r.home),
      extendEnv: false,
      stdin: inv.stdin === null ? 'ignore' : 'pipe',
      input: inv.stdin === prompt ? promptBytes : (inv.stdin ?? undefined),
      stdout: 'pipe',
      stderr: 'pipe',
      buffer: false,
      reject: false,
      detached: true,
      cleanup: false,
      encoding: 'buffer',
    });
    if (child.pid) {
      r.onPid(child.pid);
      r.stop.agentStarted(child.pid);
    }
    if (meta.timeout_s) {
      const limit = meta.timeout_s;
      cancelTimer = setLongTimeout(() => r.stop.request('timed_out', `timed out after ${formatSeconds(limit)}`), limit * 1000);
    }
    // the run's own cost/token limits, checked as usage shows in the stream (core/budget/live.ts)
    const budget = budgetWatch(workspace(r.home), r.cfg, meta, (detail) => r.stop.request('budget_exceeded', detail));
    pipeLines(child.stdout!, events, stdoutTail, (line) => {
      for (const p of reader.onLine(line)) sayProgress(p);
      budget?.(state);
    });
    pipeLines(child.stderr!, errlog, stderrTail, sayStderr);
    const res = await child;
    exitCode = typeof res.exitCode === 'number' ? res.exitCode : null;
    signal = res.signal ?? null;
    if (res.failed && exitCode === null && !signal && !r.stop.reason) {
      state.errors.push(`could not start ${inv.file}: ${res.shortMessage ?? res.message}`);
    }
  } catch (err) {
    state.errors.push(`could not start ${inv.file}: ${(err as Error).message}`);
  } finally {
    cancelTimer?.();
    await Promise.all([closeStream(events), closeStream(errlog)]);
  }

  let final = reader.finish({
    invocation: inv,
    exitCode,
    signal,
    outputFileText: inv.outputFile ? readFileOrNull(inv.outputFile) : null,
    stderrTail: stderrTail.toString(),
    stdoutTail: stdoutTail.toString(),
  });
  if (!final.agentError && exitCode === null && !signal && state.errors.length) final = { ...final, agentError: state.errors[0] };
  return { state, final, exitCode, signal, durationMs: Date.now() - startedMs, schema };
}

function agentEnv(caller: NodeJS.ProcessEnv, pane: NodeJS.ProcessEnv, extra: Record<string, string> | undefined, runId: string, home: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(caller)) if (v !== undefined) env[k] = v;
  // the agent lives in the worker pane, not the orchestrator's: nested agentctl calls and
  // tmux-aware tools must see this pane
  delete env.TMUX;
  delete env.TMUX_PANE;
  if (pane.TMUX) env.TMUX = pane.TMUX;
  if (pane.TMUX_PANE) env.TMUX_PANE = pane.TMUX_PANE;
  Object.assign(env, extra ?? {});
  env.AGENTCTL_RUN_ID = runId;
  env.AI_ORCH_HOME = home;
  return env;
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
