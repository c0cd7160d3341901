// The instance commands that act: spawn, send, ask, interrupt, answer, stop, revive. Messages
// and standing instructions come on stdin (never through argv or a shell); JSON lines are
// compact, human lines go through visible() as the names and tools in them come from outside.
import type { AppContext } from '../../app/context.js';
import { answerPermission, askInstance, interruptInstances, reviveInstances, type SpawnRequest, sendToInstances, spawnInstance, stopInstances } from '../../app/instances.js';
import type { InstanceView } from '../../core/instances/types.js';
import { exitCodeForReport } from '../../core/instances/wait.js';
import { parseDuration } from '../../core/sys/duration.js';
import { AppError, EXIT, ExitCode } from '../../core/sys/errors.js';
import { readPrompt } from '../../core/sys/stdin.js';
import { visible } from '../terminal.js';

interface Json {
  json?: boolean;
}

/** spawn's flags: the request's fields but the instructions, which come on stdin. */
export type SpawnFlags = Omit<SpawnRequest, 'context' | 'timeoutMs'> & Json;

export async function spawnCmd(ctx: AppContext, o: SpawnFlags): Promise<void> {
  const context = await stdinText('standing instructions', { command: 'spawn', optional: true });
  const { json, ...request } = o;
  // no --parent: the app takes the calling instance ($AGENTCTL_INSTANCE) when there is one
  const v = await spawnInstance(ctx, { ...request, context: context || undefined });
  ctx.stdout.write(o.json ? `${JSON.stringify(v)}\n` : `${v.id}\n`);
}

export async function sendCmd(ctx: AppContext, ids: string[], o: { queue?: boolean }): Promise<void> {
  const message = await stdinText('message', { command: 'send' });
  for (const sent of await sendToInstances(ctx, { ids, message, queue: o.queue })) ctx.stdout.write(`${JSON.stringify(sent)}\n`);
}

export async function askCmd(ctx: AppContext, id: string, o: { timeout?: string }): Promise<void> {
  const timeoutMs = o.timeout === undefined ? undefined : parseDuration(o.timeout, '--timeout') * 1000;
  const message = await stdinText('message', { command: 'ask' });
  const report = await askInstance(ctx, { id, message, timeoutMs });
  ctx.stdout.write(`${JSON.stringify(report)}\n`);
  const code = exitCodeForReport(report);
  if (code !== EXIT.OK) throw new ExitCode(code);
}

export async function interruptCmd(ctx: AppContext, ids: string[], o: Json): Promise<void> {
  printInstances(ctx, await interruptInstances(ctx, { ids }), o);
}

export async function answerCmd(ctx: AppContext, id: string, decision: 'allow' | 'deny', o: Json & { message?: string }): Promise<void> {
  printInstances(ctx, [await answerPermission(ctx, { id, decision, message: o.message })], o);
}

export async function stopCmd(ctx: AppContext, ids: string[], o: Json & { tree?: boolean }): Promise<void> {
  printInstances(ctx, await stopInstances(ctx, { ids, tree: o.tree }), o);
}

export async function reviveCmd(ctx: AppContext, ids: string[], o: Json & { all?: boolean }): Promise<void> {
  if (!ids.length && !o.all) throw new AppError('nothing to revive', { fix: 'give instance ids or names, or {opt:all}' });
  if (ids.length && o.all) throw new AppError('give instance ids or {opt:all}, not both');
  printInstances(ctx, await reviveInstances(ctx, ids.length ? { ids } : { all: true }), o);
}

/** One line per instance: `i-k2x9qa dev: needs_permission Bash (turn 3)`, or its JSON. */
export function printInstances(ctx: AppContext, views: InstanceView[], o: Json): void {
  for (const v of views) ctx.stdout.write(o.json ? `${JSON.stringify(v)}\n` : `${instanceLine(v)}\n`);
}

export function instanceLine(v: InstanceView): string {
  const tool = v.status === 'needs_permission' && v.permission ? ` ${v.permission.tool}` : '';
  const turn = v.turn === null ? '' : ` (turn ${v.turn})`;
  return visible(`${v.id} ${v.name}: ${v.status}${tool}${turn}`, { oneLine: true });
}

/**
 * Text from stdin, trailing blank lines and spaces dropped (a heredoc's last newline would be
 * pasted into the agent's input box). A message is required; standing instructions are not.
 */
async function stdinText(what: 'message' | 'standing instructions', o: { command: string; optional?: boolean }): Promise<string> {
  // optional for readPrompt: a terminal or an empty pipe is reported here, in this command's words
  const got = await readPrompt({ optional: true, idleMs: o.optional ? undefined : 10_000 });
  if (typeof got !== 'string') throw new AppError(`the ${what} on stdin is not UTF-8 text`, { fix: 'send text' });
  const text = got.trimEnd();
  if (!text && !o.optional) throw new AppError('no message on stdin', { fix: `pipe it in: {cmd:${o.command} ID <<'MSG'}` });
  return text;
}
