import { existsSync } from 'node:fs';
import type { AppContext } from '../../app/context.js';
import { type ListRequest, type ListRow, listEntry, listRuns } from '../../app/runs.js';
import { formatSeconds } from '../../core/sys/duration.js';
import { durationSeconds } from '../../core/runs/result.js';
import { terminalWidth, truncate, visible } from '../terminal.js';

export async function listCmd(ctx: AppContext, o: ListRequest & { json?: boolean }): Promise<void> {
  const rows = await listRuns(ctx, o);
  if (o.json) {
    ctx.stdout.write(`${JSON.stringify(rows.map(listEntry))}\n`);
    return;
  }
  if (!rows.length) {
    ctx.stdout.write(o.status || o.project ? 'no runs match\n' : 'no runs yet: start one with "agentctl start"\n');
    return;
  }
  ctx.stdout.write(table(rows, rows.some((r) => 'meta' in r && r.meta.worktree), terminalWidth(ctx)));
  await listWorkflows(ctx);
}

/** Workflows follow the runs, in a table of their own, when there are any (JSON: `workflow list --json`). */
async function listWorkflows(ctx: AppContext): Promise<void> {
  if (!existsSync(`${ctx.home}/workflows`)) return;
  const { listWorkflowViews } = await import('../../app/workflows.js');
  const views = listWorkflowViews(ctx, { limit: 10 });
  if (views.length) ctx.stdout.write(`\n${(await import('./workflow.js')).workflowTable(views, visible)}`);
}

/** The runs as aligned columns; the title (last) is cut to fit `width` so no row wraps. */
function table(rows: ListRow[], branches: boolean, width: number | null): string {
  const now = Date.now();
  const cells = rows.map((row) => cellsOf(row, now, branches).map((c) => visible(c, { oneLine: true })));
  const head = ['RUN ID', 'STATE', 'AGE', 'TIME', 'PROFILE', 'PROJECT', ...(branches ? ['BRANCH'] : []), 'TITLE'];
  const widths = head.map((h, i) => (i === head.length - 1 ? 0 : Math.max(h.length, ...cells.map((c) => c[i]!.length))));
  const fmt = (c: string[]) => {
    const line = c.map((v, i) => (widths[i] ? v.padEnd(widths[i]!) : v)).join('  ').trimEnd();
    return width === null ? line : truncate(line, width);
  };
  return `${[fmt(head), ...cells.map(fmt)].join('\n')}\n`;
}

function cellsOf(row: ListRow, now: number, branches: boolean): string[] {
  if ('corrupt' in row) return [row.runId, 'corrupt', '-', '-', '-', '-', ...(branches ? ['-'] : []), row.corrupt];
  const m = row.meta;
  const state = m.outcome ?? m.status;
  const dur = durationSeconds(m, now);
  const link = m.escalated_to ? ` -> ${m.escalated_to}` : '';
  const branch = branches ? [row.branch ? `${row.branch.branch} (${row.branch.state})` : '-'] : [];
  return [m.run_id, state, `${formatSeconds((now - Date.parse(m.created_at)) / 1000)}`, dur === null ? '-' : formatSeconds(dur), m.profile, m.project ?? '-', ...branch, `${m.title}${link}`];
}
