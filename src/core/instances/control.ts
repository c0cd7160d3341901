// Changing an instance's course from outside: interrupt its turn (keeping its context), stop
// it (its session stays resumable), and revive it in a new pane after its processes died.
import { rmSync } from 'node:fs';
import { interactiveAdapter } from '../../agents/interactive/index.js';
import { AppError } from '../sys/errors.js';
import { killTree, running, sameProcessAlive } from '../sys/proctree.js';
import { tmuxFor } from '../tmux/tmux.js';
import { answerRequest } from './permission.js';
import { paste } from './deliver.js';
import { appendEvent } from './events.js';
import { instanceFiles } from './paths.js';
import { readInstance, updateInstance } from './record.js';
import type { InstanceRecord } from './types.js';
import { instanceNow, until } from './until.js';

/** After the interrupting Escape, claude may put the dropped prompt back into the box about this much later. */
const CLAUDE_REFILL_MS = 1000;
/** How long an interrupted turn may take to show as ended. */
const INTERRUPT_MS = 10_000;
/** How long a typed /exit is given before the pane's processes are killed. */
const EXIT_MS = 5000;

/**
 * Whether the agent process (or, before it started, the supervisor) still runs: a zombie does
 * not (it has ended; its supervisor has not reaped it yet).
 */
export function agentAlive(r: InstanceRecord): boolean {
  const alive = (pid: number | null, start: string | null) => pid !== null && sameProcessAlive(pid, start) && running(pid);
  return r.agent_pid !== null ? alive(r.agent_pid, r.agent_start) : alive(r.supervisor_pid, r.supervisor_start);
}

/**
 * Stop the current turn and keep the context: Escape, as a person would. claude records no hook
 * for it (agentctl records the interrupt); codex confirms with its Interrupt hook. Returns once
 * the instance is idle again. An instance not working is left as it is.
 */
export async function interruptInstance(home: string, id: string): Promise<void> {
  const now = instanceNow(home, id);
  const { record: r, status } = now;
  if (status.status !== 'working' && status.status !== 'needs_permission') return;
  const pane = r.tmux.pane;
  if (!pane) return;
  const tmux = tmuxFor(r);
  // a pending question is answered first: the hook must not stay blocked on an abandoned turn
  if (status.permission) {
    try {
      answerRequest(home, id, 'deny', 'interrupted by agentctl');
    } catch {
      // answered meanwhile
    }
  }
  appendEvent(instanceFiles(home, id), { source: 'agentctl', kind: 'interrupt', ...(status.turn !== null ? { turn: status.turn } : {}) });
  tmux.sendKeys(pane, 'Escape');
  if (r.agent === 'claude') {
    // claude interrupted before any output puts the prompt back into the input box: one
    // character makes the box non-empty for sure, and two Escapes clear it (two on an empty
    // box would open the rewind menu instead)
    await new Promise((res) => setTimeout(res, CLAUDE_REFILL_MS));
    tmux.sendKeys(pane, '-l', '.');
    tmux.sendKeys(pane, 'Escape');
    tmux.sendKeys(pane, 'Escape');
    appendEvent(instanceFiles(home, id), { source: 'agentctl', kind: 'interrupted', ...(status.turn !== null ? { turn: status.turn } : {}) });
  }
  await until(home, id, (n) => (n.status.status === 'working' || n.status.status === 'needs_permission' ? undefined : true), { timeoutMs: INTERRUPT_MS, what: 'end its turn after the interrupt' });
}

/**
 * End the instance cleanly: `/exit` typed into its TUI (an instance at work is interrupted
 * first), then its processes are given EXIT_MS before the pane's tree is killed. Its session
 * stays resumable. why: recorded with the stop (an idle stop says so).
 */
export async function stopInstance(home: string, id: string, o: { why?: string } = {}): Promise<void> {
  const r = readInstance(home, id);
  if (agentAlive(r)) {
    let gone = false;
    if (r.tmux.pane) {
      const st = instanceNow(home, id).status.status;
      if (st === 'working' || st === 'needs_permission') await interruptInstance(home, id).catch(() => {});
      await paste(tmuxFor(r), r.tmux.pane, interactiveAdapter(r.agent).exitCommand, `agentctl-${id}-exit`);
      gone = await until(home, id, (n) => (agentAlive(n.record) ? undefined : true), { timeoutMs: EXIT_MS, what: 'exit', onTimeout: () => false });
    }
    // no pane to type into, or the TUI did not take /exit: its process tree goes
    const pid = r.agent_pid ?? r.supervisor_pid;
    if (!gone && pid) await killTree(pid);
  }
  updateInstance(home, id, (rec) => void (rec.stopped_at = new Date().toISOString()));
  appendEvent(instanceFiles(home, id), { source: 'agentctl', kind: 'stopped', ...(o.why ? { why: o.why } : {}) });
}

/** The instance's descendants (children, their children, ...), deepest first: a tree is stopped from its leaves. */
export function subtree(all: InstanceRecord[], id: string): InstanceRecord[] {
  const out: InstanceRecord[] = [];
  for (const child of all.filter((r) => r.parent === id)) out.push(...subtree(all, child.id), child);
  return out;
}

/**
 * Make the instance ready for a new pane: the record continued (lives + 1, stop cleared, the
 * old processes forgotten), a `revived` event. Refused while its processes still run. Its
 * session is resumed when the agent saved one (the supervisor decides), else it starts afresh.
 */
export async function prepareRevive(home: string, id: string): Promise<InstanceRecord> {
  const r = readInstance(home, id);
  const who = `instance ${r.name} (${r.id})`;
  if (agentAlive(r)) throw new AppError(`${who} is still running`, { fix: `stop it first ("{cmd:stop ${r.name}}") if it must start over` });
  // the old supervisor may still be recording the agent's end: its last events must come before the revival
  const { supervisor_pid: pid, supervisor_start: start } = r;
  if (pid !== null) await until(home, id, () => (sameProcessAlive(pid, start) && running(pid) ? undefined : true), { timeoutMs: EXIT_MS, what: 'let its old supervisor finish' });
  rmSync(instanceFiles(home, id).env, { force: true });
  const revived = updateInstance(home, id, (rec) => {
    rec.lives += 1;
    rec.stopped_at = null;
    rec.supervisor_pid = null;
    rec.supervisor_start = null;
    rec.agent_pid = null;
    rec.agent_start = null;
    rec.tmux.pane = null;
  });
  appendEvent(instanceFiles(home, id), { source: 'agentctl', kind: 'revived', life: revived.lives });
  return revived;
}
