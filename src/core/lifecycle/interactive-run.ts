// `start --interactive`: a run whose worker is the agent's own TUI instead of its headless
// mode, so a person watching the run's pane sees the real agent and can take over. The run's
// supervisor runs an internal instance (named run-<run id>, no parent) in its own pane, gives
// it the prompt and the schema instructions as its first message, takes the reply of that turn
// as the run's answer (checked against the schema as any run's), and stops the instance. The
// run keeps its record, result and everything `wait` prints; the session stays resumable.
import { readFileSync } from 'node:fs';
import { interactiveAdapter } from '../../agents/interactive/index.js';
import { answerFromText } from '../../agents/answer.js';
import { geminiInstruction } from '../../agents/gemini.js';
import type { AgentState, FinalAnswer } from '../../agents/types.js';
import { agentAlive, stopInstance } from '../instances/control.js';
import { deliver } from '../instances/deliver.js';
import { createInstance, newInstanceId } from '../instances/record.js';
import { newInstanceRecord } from '../instances/spawn.js';
import { superviseInstance } from '../instances/supervisor.js';
import type { InstanceAgent, InstanceRecord } from '../instances/types.js';
import { type InstanceNow, instanceNow, until } from '../instances/until.js';
import type { AgentExit, AgentRun } from './agent-run.js';

/** How long the TUI may take to be ready for its first message. */
const READY_MS = 120_000;

export async function runInteractive(r: AgentRun): Promise<AgentExit> {
  const { meta, files, home } = r;
  const schema = JSON.parse(readFileSync(files.schema, 'utf8')) as Record<string, unknown>;
  const prompt = readFileSync(files.prompt, 'utf8');
  const state: AgentState = { errors: [] };
  const startedMs = Date.now();
  const agent = meta.agent as InstanceAgent;
  const record = internalInstance(r, agent);
  createInstance(home, record);
  const life = superviseInstance(home, record.id, r.paneEnv, { callerEnv: r.callerEnv });
  let final: FinalAnswer = { rawText: null, value: undefined };
  try {
    const ready = await until(home, record.id, (n) => (n.status.status === 'starting' ? undefined : n), { timeoutMs: READY_MS, what: 'become ready' });
    const pid = ready.record.agent_pid;
    if (pid) {
      r.onPid(pid);
      r.stop.agentStarted(pid);
    }
    if (ready.status.status !== 'idle') throw new Error(`the agent did not start: ${ready.status.why ?? ready.status.status}`);
    const { turn } = await deliver(home, record.id, interactiveAdapter(agent), `${prompt.trimEnd()}\n\n${geminiInstruction(schema)}`);
    // no bound of its own: the run's timeout and cancel end the agent, and so this wait
    const end = await until(home, record.id, (n) => turnOver(n, turn), { timeoutMs: Number.POSITIVE_INFINITY, what: 'answer' });
    if (end.record.session_id) state.sessionId = end.record.session_id;
    const last = end.status.last;
    final = answerFromText(last?.n === turn ? last.reply : null);
    if (last?.n === turn && last.outcome === 'failed') final = { ...final, agentError: last.error ?? 'the turn failed' };
    else if (last?.n !== turn || last.outcome !== 'completed') final = { ...final, agentError: `the agent's turn did not complete (${end.status.status}${end.status.why ? `: ${end.status.why}` : ''})` };
  } catch (err) {
    const problem = (err as Error).message;
    state.errors.push(problem);
    final = { rawText: null, value: undefined, agentError: problem };
  } finally {
    if (agentAlive(instanceNow(home, record.id).record)) await stopInstance(home, record.id, { why: `run ${meta.run_id} has its answer` }).catch(() => {});
  }
  const exitCode = await life;
  return { state, final, exitCode, signal: null, durationMs: Date.now() - startedMs, schema };
}

/** The turn's end (or the agent's): a question on the way is left to whoever is told of it. */
function turnOver(n: InstanceNow, turn: number): InstanceNow | undefined {
  const s = n.status;
  if (s.status === 'exited' || s.status === 'lost') return n;
  if (s.status === 'idle' && s.last && s.last.n >= turn && s.last.outcome !== 'running') return n;
  return undefined;
}

/** The instance a run works through: no parent, named after the run, in the run's own pane. */
function internalInstance(r: AgentRun, agent: InstanceAgent): InstanceRecord {
  const { meta } = r;
  return newInstanceRecord({
    id: newInstanceId(),
    name: `run-${meta.run_id}`,
    role: null,
    agent,
    model: meta.model,
    // edits go ahead, as in a headless run; anything else is asked through the run's channels
    permissions: 'auto-edit',
    project: meta.project,
    project_dir: meta.project_dir,
    cwd: r.cwd,
    worktree: meta.worktree ? { path: meta.worktree.path, branch: meta.worktree.branch, base: meta.worktree.base } : null,
    parent: null,
    tmux: { socket: meta.tmux.socket, socket_name: meta.tmux.socket_name, session: meta.tmux.session, pane: r.paneEnv.TMUX_PANE ?? meta.tmux.pane },
  });
}
