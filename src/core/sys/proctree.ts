// Whole-process-tree signalling. Agents start commands of their own, some in new process
// groups, so the group kill is backed by a walk of /proc for every descendant.
import { readdirSync, readFileSync } from 'node:fs';
import { pidAlive } from './fsutil.js';

function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm (field 2) may hold spaces and parentheses: split after its last ')'
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** Kernel start time of a process (clock ticks since boot); null off Linux or when gone. */
export function procStartTime(pid: number): string | null {
  return statFields(pid)?.[19] ?? null;
}

/**
 * True while pid runs. A zombie does not: it has exited and only waits to be reaped, which in a
 * container whose init reaps late (or never) can take seconds or forever.
 */
export function running(pid: number): boolean {
  return pidAlive(pid) && statFields(pid)?.[0] !== 'Z';
}

/**
 * True when pid exists (a zombie counts: its process group may still hold live members) and,
 * if a start time was recorded, is the same process.
 */
export function sameProcessAlive(pid: number, startTime: string | null): boolean {
  if (!pidAlive(pid)) return false;
  if (!startTime) return true;
  const now = procStartTime(pid);
  return now === null || now === startTime;
}

export function descendants(root: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const children = new Map<number, number[]>();
  for (const e of entries) {
    const pid = Number(e);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    const ppid = Number(statFields(pid)?.[1]);
    if (!ppid) continue;
    const list = children.get(ppid);
    if (list) list.push(pid);
    else children.set(ppid, [pid]);
  }
  const out: number[] = [];
  const stack = [root];
  while (stack.length) {
    for (const c of children.get(stack.pop()!) ?? []) {
      out.push(c);
      stack.push(c);
    }
  }
  return out;
}

function signal(pids: number[], groupLeader: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-groupLeader, sig);
  } catch {
    // not a group leader, or the group is gone
  }
  for (const p of pids) {
    try {
      process.kill(p, sig);
    } catch {
      // already gone
    }
  }
}

/** SIGTERM the tree, then SIGKILL whatever is still alive after graceMs. */
export async function killTree(pid: number, graceMs = 3000): Promise<void> {
  const pids = [pid, ...descendants(pid)];
  signal(pids, pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!pids.some(running)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  signal([...pids, ...descendants(pid)].filter(running), pid, 'SIGKILL');
}
