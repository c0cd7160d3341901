// The instance commands that read: `instances` (a table for people, or one JSON line each) and
// `read` (the conversation from the agent's transcript). Everything shown comes from outside
// (names, prompts, replies, tool input): visible() keeps its control characters as text.
import { format } from 'date-fns/format';
import { formatDistanceStrict } from 'date-fns/formatDistanceStrict';
import type { TranscriptTurn } from '../../agents/interactive/types.js';
import type { AppContext } from '../../app/context.js';
import { listInstances, readConversation } from '../../app/instance-reads.js';
import type { InstanceView } from '../../core/instances/types.js';
import { AppError } from '../../core/sys/errors.js';
import { terminalWidth, truncate, visible } from '../terminal.js';

export async function instancesCmd(ctx: AppContext, o: { tree?: boolean; all?: boolean; json?: boolean }): Promise<void> {
  const views = await listInstances(ctx, { all: o.all });
  const rows = o.tree ? asTree(views) : views.map((v) => ({ v, depth: 0 }));
  if (o.json) {
    for (const { v } of rows) ctx.stdout.write(`${JSON.stringify(v)}\n`);
    return;
  }
  if (!views.length) {
    ctx.stdout.write(`no instances: spawn one with "agentctl spawn"${o.all ? '' : ' (--all shows exited ones)'}\n`);
    return;
  }
  ctx.stdout.write(table(rows, views, terminalWidth(ctx)));
}

interface Row {
  v: InstanceView;
  depth: number;
}

/** Parents first, each followed by its children (depth-first, in listing order); an instance whose parent is not listed is a root. */
export function asTree(views: InstanceView[]): Row[] {
  const ids = new Set(views.map((v) => v.id));
  const out: Row[] = [];
  const seen = new Set<string>();
  const visit = (v: InstanceView, depth: number) => {
    if (seen.has(v.id)) return;
    seen.add(v.id);
    out.push({ v, depth });
    for (const c of views) if (c.parent === v.id) visit(c, depth + 1);
  };
  for (const v of views) if (!v.parent || !ids.has(v.parent)) visit(v, 0);
  for (const v of views) visit(v, 0); // a parent loop (never written, but a record can be edited) still lists everyone
  return out;
}

function table(rows: Row[], all: InstanceView[], width: number | null): string {
  const now = Date.now();
  const names = new Map(all.map((v) => [v.id, v.name]));
  const head = ['NAME', 'ID', 'ROLE', 'AGENT', 'STATUS', 'SINCE', 'SOURCE', 'TURN', 'PARENT'];
  const cells = rows.map(({ v, depth }) =>
    [
      `${'  '.repeat(depth)}${v.name}`,
      v.id,
      v.role ?? '-',
      v.agent,
      v.status === 'needs_permission' && v.permission ? `needs_permission (${v.permission.tool})` : v.status,
      since(v.since, now),
      v.source,
      v.turn === null ? '-' : String(v.turn),
      v.parent ? (names.get(v.parent) ?? v.parent) : '-',
    ].map((c) => visible(c, { oneLine: true })),
  );
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const fmt = (c: string[]) => {
    const line = c.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
    return width === null ? line : truncate(line, width);
  };
  return `${[fmt(head), ...cells.map(fmt)].join('\n')}\n`;
}

function since(iso: string, now: number): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? '-' : formatDistanceStrict(Math.min(t, now), now, { addSuffix: true });
}

export async function readCmd(ctx: AppContext, id: string, o: { last?: string; turn?: string; json?: boolean }): Promise<void> {
  const last = count(o.last, '-n');
  const turn = count(o.turn, '--turn');
  const turns = await readConversation(ctx, { id, last, turn });
  if (o.json) {
    for (const t of turns) ctx.stdout.write(`${JSON.stringify(t)}\n`);
    return;
  }
  if (!turns.length) {
    ctx.stdout.write(turn === undefined ? 'no turns yet\n' : `no turn ${turn}\n`);
    return;
  }
  ctx.stdout.write(turns.map(renderTurn).join('\n'));
}

function count(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1) throw new AppError(`invalid ${flag} ${JSON.stringify(text)}: give a whole number from 1`);
  return n;
}

/** Input of a tool call on one line, cut: the JSON (read --json) has it whole. */
const TOOL_INPUT_MAX = 160;

/**
 * One turn for a person: a header, the prompt quoted with "> ", the tools used, the reply.
 *   turn 2 · completed · 2026-12-01 06:10:03
 *   > Add retries to the webhook client.
 *   · Bash {"command":"npm test"}
 *   Done: retries with backoff in src/webhook.ts; npm test passes.
 */
export function renderTurn(t: TranscriptTurn): string {
  const at = t.at && !Number.isNaN(Date.parse(t.at)) ? ` · ${format(new Date(t.at), 'yyyy-MM-dd HH:mm:ss')}` : '';
  const lines = [`turn ${t.n} · ${t.outcome}${at}`];
  for (const l of visible(t.prompt).split('\n')) lines.push(`> ${l}`);
  for (const tool of t.tools ?? []) {
    const input = JSON.stringify(tool.input) ?? '';
    lines.push(visible(`· ${tool.name} ${input.length > TOOL_INPUT_MAX ? `${input.slice(0, TOOL_INPUT_MAX - 1)}…` : input}`.trimEnd(), { oneLine: true }));
  }
  if (t.reply) lines.push(visible(t.reply));
  else if (t.outcome === 'running') lines.push('(no reply yet)');
  if (t.error) lines.push(visible(`error: ${t.error}`));
  return `${lines.join('\n')}\n`;
}
