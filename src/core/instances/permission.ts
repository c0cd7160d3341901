// The PermissionRequest hook (`agentctl _hook permission`): the agent runs it when a tool needs
// approval. The instance's policy may decide at once; otherwise the request is recorded
// (permissions/<req>.json and an event), the orchestrator is told at once, and the hook blocks
// until `answer` writes permissions/<req>.answer.json or permission_timeout passes (then it
// denies, saying nobody answered, so the agent goes on instead of stalling). The decision goes
// back to the agent as the JSON the hook prints.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { AppError } from '../sys/errors.js';
import { parseDuration, setLongTimeout } from '../sys/duration.js';
import { onChanges } from '../sys/follow.js';
import { pidAlive, writeJsonAtomic } from '../sys/fsutil.js';
import { loadConfigOrNull, type LoadedConfig } from '../workspace/config.js';
import { workspace } from '../workspace/paths.js';
import { adapterOrNull } from './adapter.js';
import { appendEvent, dropIntoInbox } from './events.js';
import { announceLine, announceTmux } from './notify.js';
import { instanceFiles, type InstanceFiles } from './paths.js';
import { readInstance } from './record.js';
import type { InstanceRecord, PendingPermission } from './types.js';

export type Decision = 'allow' | 'deny';

const AnswerSchema = z.looseObject({ decision: z.enum(['allow', 'deny']), message: z.string().nullable().optional() });
const RequestSchema = z.looseObject({ request: z.string(), tool: z.string(), input: z.unknown(), asked_at: z.string(), pid: z.number().int() });

/** What the hook prints: the agent's PermissionRequest decision. */
export function decisionJson(decision: Decision, message?: string | null): string {
  const d: Record<string, string> = { behavior: decision };
  if (decision === 'deny' && message) d.message = message;
  return JSON.stringify({ hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: d } });
}

/** The policy's decision without asking anyone; null: ask. */
export function policyDecision(record: InstanceRecord, cfg: LoadedConfig | null, tool: string, editTools: readonly string[]): { decision: Decision; why: string } | null {
  const policy = cfg?.permission_policy ?? { allow: [], deny: [] };
  if (policy.deny.includes(tool)) return { decision: 'deny', why: `${tool} is denied by the permission_policy in config.json` };
  if (policy.allow.includes(tool)) return { decision: 'allow', why: `${tool} is allowed by the permission_policy in config.json` };
  // bypass: the agent runs with its own bypass flag and should not ask; if it does, nothing is asked
  if (record.permissions === 'bypass') return { decision: 'allow', why: 'the instance runs with permissions bypass' };
  if (record.permissions === 'auto-edit' && editTools.includes(tool)) return { decision: 'allow', why: `${tool} edits files, allowed under auto-edit` };
  return null;
}

function requestPaths(files: InstanceFiles, request: string) {
  return { request: join(files.permissions, `${request}.json`), answer: join(files.permissions, `${request}.answer.json`) };
}

function readAnswer(path: string): { decision: Decision; message: string | null } | null {
  try {
    const r = AnswerSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    return r.success ? { decision: r.data.decision, message: r.data.message ?? null } : null;
  } catch {
    return null;
  }
}

/** The answer file, once it is there; null when timeoutMs passes first. */
function waitForAnswer(files: InstanceFiles, path: string, timeoutMs: number): Promise<{ decision: Decision; message: string | null } | null> {
  return new Promise((resolve) => {
    let done = false;
    const changes = onChanges([files.permissions], () => check());
    const cancel = setLongTimeout(() => finish(null), timeoutMs);
    function finish(v: { decision: Decision; message: string | null } | null) {
      if (done) return;
      done = true;
      cancel();
      void changes.stop();
      resolve(v);
    }
    function check() {
      const a = readAnswer(path);
      if (a) finish(a);
    }
    check();
  });
}

/**
 * The agent ends a hook it no longer waits for (its turn was interrupted, its hook timeout
 * passed) with a signal: the request is settled then, so nothing shows it as pending. Returns
 * what removes the handlers.
 */
function withdrawOnSignal(settle: () => void): () => void {
  const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP', 'SIGINT'];
  const on = (sig: NodeJS.Signals) => {
    try {
      settle();
    } finally {
      process.kill(process.pid, sig); // handlers removed first: the default action ends the process
    }
  };
  const handlers = signals.map((sig) => {
    const h = () => {
      off();
      on(sig);
    };
    process.once(sig, h);
    return [sig, h] as const;
  });
  const off = () => handlers.forEach(([sig, h]) => process.removeListener(sig, h));
  return off;
}

function newRequestId(): string {
  return `r${Date.now().toString(36)}-${process.pid}`;
}

export interface HookRun {
  home: string;
  id: string;
  /** The agent's JSON payload (stdin). */
  payload: string;
  /** Prints the decision (the agent reads the hook's stdout). */
  print: (json: string) => void;
}

/** How long the hook stays after printing its decision, for a wake-up still being typed. */
const ANNOUNCE_GRACE_MS = 1000;

/**
 * The hook's work: prints the decision, or nothing when the instance cannot be read (the
 * agent then asks at its own prompt). Returns the decision printed.
 */
export async function runPermissionHook(o: HookRun): Promise<Decision | null> {
  let record: InstanceRecord;
  try {
    record = readInstance(o.home, o.id);
  } catch {
    return null;
  }
  const files = instanceFiles(o.home, o.id);
  let p: Record<string, unknown> = {};
  try {
    p = JSON.parse(o.payload) as Record<string, unknown>;
  } catch {
    // an unreadable payload is still a question: asked as an unknown tool
  }
  const tool = typeof p.tool_name === 'string' ? p.tool_name : 'unknown';
  const ws = workspace(o.home);
  const cfg = loadConfigOrNull(ws);
  const request = newRequestId();
  const decided = (decision: Decision | 'withdrawn', by: string, message: string | null) =>
    dropIntoInbox(files, { ...p, hook_event_name: 'PermissionDecision', agentctl_request: request, agentctl_decision: decision, agentctl_by: by, agentctl_message: message ?? undefined });

  const policy = policyDecision(record, cfg, tool, adapterOrNull(record.agent)?.editTools ?? []);
  if (policy) {
    decided(policy.decision, 'policy', policy.why);
    o.print(decisionJson(policy.decision, policy.decision === 'deny' ? policy.why : null));
    return policy.decision;
  }

  const paths = requestPaths(files, request);
  const asked: PendingPermission & { pid: number } = { request, tool, input: p.tool_input ?? null, asked_at: new Date().toISOString(), pid: process.pid };
  // before the request exists: a signal from then on settles it
  const withdrawn = withdrawOnSignal(() => {
    writeJsonAtomic(paths.answer, { decision: 'deny', message: null, by: 'agent', answered_at: new Date().toISOString() }, 0o600);
    decided('withdrawn', 'agent', null);
  });
  writeJsonAtomic(paths.request, asked, 0o600);
  const notice = { kind: 'permission', status: 'needs_permission', request, tool, input: asked.input } as const;
  // the line first: whoever the event wakes (wait) can already read it
  announceLine(ws, record, notice);
  dropIntoInbox(files, { ...p, hook_event_name: 'PermissionRequest', agentctl_request: request, agentctl_pid: process.pid });
  const told = announceTmux(ws, cfg, record, notice);
  const timeoutMs = parseDuration(cfg?.permission_timeout ?? '30m', 'permission_timeout') * 1000;
  const answer = await waitForAnswer(files, paths.answer, timeoutMs);
  withdrawn();
  let out: { decision: Decision; message: string | null; by: string };
  if (answer) {
    out = { ...answer, by: 'answer' };
  } else {
    const message = `nobody answered this permission request within ${cfg?.permission_timeout ?? '30m'}, so agentctl denied it; carry on without ${tool} or ask again later`;
    out = { decision: 'deny', message, by: 'timeout' };
    // the request is settled: answer refuses it from now on
    writeJsonAtomic(paths.answer, { decision: 'deny', message, by: 'timeout', answered_at: new Date().toISOString() }, 0o600);
  }
  decided(out.decision, out.by, out.message);
  o.print(decisionJson(out.decision, out.message));
  // the agent waits for the hook to end: a wake-up stuck on a busy pane must not hold it long
  await Promise.race([told, new Promise((r) => setTimeout(r, ANNOUNCE_GRACE_MS).unref())]);
  return out.decision;
}

/** Pending requests, oldest first: asked, not answered, and their hook still waiting. */
export function pendingRequests(files: InstanceFiles): (PendingPermission & { pid: number })[] {
  let names: string[];
  try {
    names = readdirSync(files.permissions).filter((n) => n.endsWith('.json') && !n.endsWith('.answer.json'));
  } catch {
    return [];
  }
  const out: (PendingPermission & { pid: number })[] = [];
  for (const n of names) {
    const paths = requestPaths(files, n.replace(/\.json$/, ''));
    if (existsSync(paths.answer)) continue;
    try {
      const r = RequestSchema.safeParse(JSON.parse(readFileSync(paths.request, 'utf8')));
      if (r.success && pidAlive(r.data.pid)) out.push(r.data as PendingPermission & { pid: number });
    } catch {
      // written aside and renamed in: a file that does not parse is not ours
    }
  }
  return out.sort((a, b) => a.asked_at.localeCompare(b.asked_at));
}

/** answer ID allow|deny: answers the oldest pending request (the hook picks it up at once). */
export function answerRequest(home: string, id: string, decision: Decision, message?: string | null): PendingPermission {
  const record = readInstance(home, id);
  const files = instanceFiles(home, id);
  const pending = pendingRequests(files)[0];
  if (!pending) throw new AppError(`instance ${record.name} (${record.id}) has no pending permission request`, { fix: 'see its status with "{cmd:instances}"' });
  const paths = requestPaths(files, pending.request);
  writeJsonAtomic(paths.answer, { decision, message: message ?? null, by: 'answer', answered_at: new Date().toISOString() }, 0o600);
  appendEvent(files, { source: 'agentctl', kind: 'permission_answer', request: pending.request, decision, ...(message ? { message } : {}) });
  return { request: pending.request, tool: pending.tool, input: pending.input, asked_at: pending.asked_at };
}
