// The hidden `_instance <id> --home H` an instance's pane runs: the agent's TUI is its child,
// on the pane's terminal, and it stays the TUI's parent for the instance's whole life. It moves
// each hook payload from the inbox into the event log (the one writer of hook events while it
// lives), tells the orchestrator when a turn ends or a permission is asked, stops an instance
// idle for too long, and records the agent's exit. A person at the pane sees the real agent.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { interactiveAdapter } from '../../agents/interactive/index.js';
import type { InteractiveAdapter, LaunchContext } from '../../agents/interactive/types.js';
import { loadConfig, type LoadedConfig } from '../workspace/config.js';
import { parseDuration } from '../sys/duration.js';
import { readFileOrNull, writeFileAtomic } from '../sys/fsutil.js';
import { onChanges } from '../sys/follow.js';
import { instanceSpent, transcriptTurns } from './usage.js';
import { procStartTime, sameProcessAlive } from '../sys/proctree.js';
import { selfCommand } from '../sys/self.js';
import { trace } from '../sys/trace.js';
import { tmuxFor } from '../tmux/tmux.js';
import { workspace, type Workspace } from '../workspace/paths.js';
import { takeEnv } from '../lifecycle/supervisor.js';
import { appendEvent, ingestInbox, notifyArgv, permissionHookCommand, recordHookCommand } from './events.js';
import { announce, type InstanceNotice } from './notify.js';
import { instanceFiles, type InstanceFiles } from './paths.js';
import { readInstance, updateInstance } from './record.js';
import { type DerivedStatus, refreshStatus } from './status.js';
import type { InstanceRecord, InstanceStatus } from './types.js';
import { stopInstance } from './control.js';

/** codex gives no ready signal: a TUI that has lived this long takes a paste (0.5 s was enough in tests). */
const CODEX_READY_MS = 1000;
/** An agent that ends this soon after its start most likely failed to start: its pane stays to show why. */
const EARLY_EXIT_MS = 10_000;

/**
 * Run instance `id`'s agent in this pane until it exits; returns its exit code. paneEnv: this
 * process's environment (the pane's tmux variables); callerEnv: the agent's, when the caller
 * has it already (a `start --interactive` run), else taken from the instance's env.json.
 */
export async function superviseInstance(home: string, id: string, paneEnv: NodeJS.ProcessEnv = process.env, o: { callerEnv?: NodeJS.ProcessEnv } = {}): Promise<number> {
  process.stdout.on('error', () => {});
  const ws = workspace(home);
  const cfg = loadConfig(ws);
  const files = instanceFiles(home, id);
  const callerEnv = o.callerEnv ?? takeEnv(files, paneEnv);
  const before = readInstance(home, id);
  if (before.supervisor_pid && before.supervisor_pid !== process.pid && sameProcessAlive(before.supervisor_pid, before.supervisor_start)) {
    process.stdout.write(`instance ${id} is already supervised by pid ${before.supervisor_pid}; nothing to do\n`);
    return 0;
  }
  const adapter = interactiveAdapter(before.agent);
  const resume = before.lives > 1 && sessionOnDisk(adapter, before, callerEnv);
  const record = updateInstance(home, id, (r) => {
    r.supervisor_pid = process.pid;
    r.supervisor_start = procStartTime(process.pid);
    r.agent_pid = null;
    r.agent_start = null;
    if (paneEnv.TMUX_PANE) r.tmux.pane = paneEnv.TMUX_PANE;
    // claude takes the session id it is given: known before any hook fires
    if (r.agent === 'claude' && !resume) r.session_id ??= randomUUID();
  });
  const tmux = tmuxFor(record);

  adapter.prepareHome(record.cwd, callerEnv);
  const instructions = readFileOrNull(files.context)?.trim() || null;
  const launch = adapter.launch(launchContext(home, record, files, cfg, callerEnv, instructions, resume));
  for (const [path, content] of Object.entries(launch.files)) writeFileAtomic(path, content, 0o600);

  const env = agentEnv(callerEnv, paneEnv, launch.env, id, home);
  const startedAt = Date.now();
  const child = spawn(launch.file, launch.args, { cwd: record.cwd, env, stdio: 'inherit' });
  const life = new Life(home, id, cfg, adapter, child);
  return life.run(startedAt, (code) => {
    if (code !== 0 && Date.now() - startedAt < EARLY_EXIT_MS && record.tmux.pane) tmux.remainOnExit(record.tmux.pane);
  });
}

/**
 * Whether the session can be resumed: the agent wrote its transcript, which it does only with
 * the first turn (claude refuses to resume a session id it never saved). Else a revive starts
 * afresh, in the same record and, for claude, under the same session id.
 */
function sessionOnDisk(adapter: InteractiveAdapter, r: InstanceRecord, env: NodeJS.ProcessEnv): boolean {
  if (!r.session_id) return false;
  const path = r.transcript_path ?? adapter.transcriptPath(r.session_id, r.cwd, env);
  return path !== null && existsSync(path);
}

function launchContext(home: string, r: InstanceRecord, files: InstanceFiles, cfg: LoadedConfig, env: NodeJS.ProcessEnv, instructions: string | null, resume: boolean): LaunchContext {
  const self = selfCommand(env);
  const permissionTimeoutS = parseDuration(cfg.permission_timeout, 'permission_timeout');
  return {
    dir: files.dir,
    cwd: r.cwd,
    model: r.model,
    permissions: r.permissions,
    instructions,
    resumeSessionId: resume ? r.session_id : null,
    newSessionId: resume ? null : r.session_id,
    hooks: {
      record: recordHookCommand(files),
      permission: permissionHookCommand(home, r.id),
      permissionTimeoutS,
      notify: notifyArgv(files),
    },
    mcpServer: { command: self[0]!, args: [...self.slice(1), 'mcp', '--home', home], env: { AGENTCTL_PARENT_INSTANCE: r.id, AGENTCTL_HOME: home } },
    // the instructions reach both agents as instructions (claude's system prompt, codex's
    // developer_instructions), so no turn is spent on them: ready is SessionStart, or for
    // codex its process having lived CODEX_READY_MS
    firstPrompt: null,
    env,
  };
}

/** The child process's life as the instance's records tell it. */
class Life {
  private last: InstanceStatus | null = null;
  private idleSince = Date.now();
  private stopping = false;
  private readonly files: InstanceFiles;
  private readonly ws: Workspace;

  constructor(
    private readonly home: string,
    private readonly id: string,
    private readonly cfg: LoadedConfig,
    private readonly adapter: InteractiveAdapter,
    private readonly child: ChildProcess,
  ) {
    this.files = instanceFiles(home, id);
    this.ws = workspace(home);
  }

  async run(startedAt: number, onExit: (code: number | null) => void): Promise<number> {
    const { child, files } = this;
    const forward = (sig: NodeJS.Signals) => () => void child.kill(sig);
    // Ctrl-C at the pane is the TUI's (it gets it from the terminal itself); the pane closing or a stop ends the agent first
    const handlers: [NodeJS.Signals, () => void][] = [['SIGINT', () => {}], ['SIGHUP', forward('SIGHUP')], ['SIGTERM', forward('SIGTERM')]];
    for (const [sig, fn] of handlers) process.on(sig, fn);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: string }>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
      child.once('error', (err) => resolve({ code: null, signal: null, error: err.message }));
    });
    child.once('spawn', () => this.started(startedAt));
    // the inbox brings the hooks; the log, what agentctl did (a send, an interrupt, a stop)
    const changes = onChanges([files.inbox, files.events], (path) => this.batch(path === files.events));
    const idleTimer = this.idleStopTimer();
    this.batch(); // payloads that arrived before the watch
    const end = await exited;
    clearInterval(idleTimer);
    await changes.stop();
    this.batch();
    appendEvent(files, { source: 'process', kind: 'exited', code: end.code, signal: end.signal, ...(end.error ? { why: `could not start the agent: ${end.error}` } : {}) });
    this.batch(true);
    for (const [sig, fn] of handlers) process.off(sig, fn);
    onExit(end.code);
    return end.code ?? 1;
  }

  private started(startedAt: number): void {
    const pid = this.child.pid!;
    const r = updateInstance(this.home, this.id, (rec) => {
      rec.agent_pid = pid;
      rec.agent_start = procStartTime(pid);
    });
    appendEvent(this.files, { source: 'process', kind: 'launched', agent_pid: pid, life: r.lives });
    trace(`instance ${this.id} launched`);
    if (!this.adapter.readySignal) {
      setTimeout(() => {
        if (this.child.exitCode !== null || this.child.signalCode !== null) return;
        appendEvent(this.files, { source: 'process', kind: 'ready', why: `${this.adapter.agent} gives no ready signal: its process has run ${CODEX_READY_MS / 1000} s` });
        this.batch(true);
      }, Math.max(0, startedAt + CODEX_READY_MS - Date.now()));
    }
  }

  /**
   * Fold the inbox into the log, then act on a status change: it is recorded (refreshStatus)
   * and the orchestrator told. force: look even when the inbox was empty (an event of
   * agentctl's own, or the supervisor's).
   */
  private batch(force = false): void {
    try {
      if (!ingestInbox(this.files).length && !force) return;
      // a change is judged against what this supervisor saw last, not by who recorded it: a
      // `wait` reading the inbox often records the turn's end first, and the end must still be told
      const { record, status } = refreshStatus(this.home, this.id, { adapter: this.adapter });
      const before = this.last;
      this.last = status.status;
      if (status.status !== 'idle') this.idleSince = Date.now();
      const notice = before !== status.status ? noticeOf(before, status) : null;
      if (notice) void announce(this.ws, this.cfg, record, notice);
      if (status.status === 'idle') this.checkBudget(record);
    } catch (err) {
      // a damaged record or a full disk must not end the agent: the next batch tries again
      trace(`instance ${this.id}: events not taken in: ${(err as Error).message}`);
    }
  }

  /**
   * budgets.per_instance_usd: once the session's turns (priced from the transcript's tokens)
   * cost more, the instance is stopped between turns, saying why; its session stays resumable.
   */
  private checkBudget(record: InstanceRecord): void {
    const limit = this.cfg.budgets.per_instance_usd;
    if (limit === null || limit === undefined || this.stopping) return;
    const spent = instanceSpent(this.cfg, record, transcriptTurns(this.adapter, record, process.env));
    if (spent.usd <= limit) return;
    this.stopping = true;
    const why = `over its budget: ~$${spent.usd.toFixed(4)} spent over ${spent.turns} turns, budgets.per_instance_usd is $${limit}`;
    appendEvent(this.files, { source: 'agentctl', kind: 'budget_exceeded', why, spent_usd: spent.usd, limit_usd: limit });
    void stopInstance(this.home, this.id, { why }).catch((err) => trace(`budget stop failed: ${(err as Error).message}`));
  }

  /** instance_idle_stop: an instance idle that long is stopped; its session stays resumable. */
  private idleStopTimer(): NodeJS.Timeout | undefined {
    if (!this.cfg.instance_idle_stop) return undefined;
    const limitMs = parseDuration(this.cfg.instance_idle_stop, 'instance_idle_stop') * 1000;
    return setInterval(() => {
      if (this.stopping || this.last !== 'idle' || Date.now() - this.idleSince < limitMs) return;
      this.stopping = true;
      void stopInstance(this.home, this.id, { why: `idle for ${this.cfg.instance_idle_stop}` }).catch((err) => trace(`idle stop failed: ${(err as Error).message}`));
    }, Math.min(limitMs, 30_000));
  }
}

/** What the orchestrator is told of a status change: a turn's end, a question, an exit; null for the rest. */
function noticeOf(before: InstanceStatus | null, d: DerivedStatus): InstanceNotice | null {
  const by = d.last?.by;
  switch (d.status) {
    // needs_permission: the permission hook itself tells the orchestrator, at once
    case 'exited':
      return { kind: 'exited', status: d.status, summary: d.why, exit_code: d.folded.exitCode };
    case 'lost':
      return { kind: 'lost', status: d.status, summary: d.why };
    case 'idle':
      if ((before !== 'working' && before !== 'needs_permission') || !d.last || d.last.outcome === 'running') return null;
      return { kind: 'turn_end', status: d.status, turn: d.turn, outcome: d.last.outcome, summary: d.last.reply ?? d.last.error, by };
    default:
      return null;
  }
}

/** The agent's environment: the caller's, this pane's tmux variables, the launch's own, and who it is. */
function agentEnv(caller: NodeJS.ProcessEnv, pane: NodeJS.ProcessEnv, extra: Record<string, string>, id: string, home: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(caller)) if (v !== undefined && !k.startsWith('TMUX')) env[k] = v;
  for (const k of ['TMUX', 'TMUX_PANE', 'TERM', 'COLORTERM'] as const) if (pane[k]) env[k] = pane[k];
  Object.assign(env, extra);
  env.AGENTCTL_INSTANCE = id;
  env.AGENTCTL_HOME = home;
  env.AI_ORCH_HOME = home;
  return env;
}
