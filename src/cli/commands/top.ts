// `agentctl top`: everything at work in one view. On a terminal, a full-screen view that follows
// changes on disk (cli/top/ui.ts, loaded only then); piped or with --once, one snapshot.
import { dirname, join } from 'node:path';
import type { AppContext } from '../../app/context.js';
import { cliEntry } from '../../core/sys/self.js';
import { type OverviewRow, overview } from '../../app/overview.js';
import { AppError, ExitCode } from '../../core/sys/errors.js';
import { formatSeconds } from '../../core/sys/duration.js';
import { terminalWidth, truncate, visible } from '../terminal.js';

export interface TopOptions {
  project?: string;
  status?: string;
  /** Print one snapshot and exit, even on a terminal. */
  once?: boolean;
  /** Rows in the snapshot (default 50). */
  limit?: string;
}

export async function topCmd(ctx: AppContext, o: TopOptions): Promise<void> {
  const stdin = process.stdin as { isTTY?: boolean };
  if (o.once || !ctx.stdout.isTTY || !stdin.isTTY) {
    const limit = Number(o.limit ?? 50);
    if (!Number.isInteger(limit) || limit < 1) throw new AppError(`invalid {opt:limit} ${JSON.stringify(o.limit)}`, { fix: 'give a whole number of rows, e.g. 50' });
    const view = await overview(ctx, { limit, project: o.project, status: o.status });
    ctx.stdout.write(snapshot(view.rows, view.more, terminalWidth(ctx)));
    return;
  }
  const { execa } = await import('execa');
  const entry = join(dirname(cliEntry(ctx.env)), 'top.mjs');
  const args = JSON.stringify({ home: ctx.home, project: o.project ?? null, status: o.status ?? null });
  // on a terminal the view is live even where CI is set (Ink would otherwise draw only its last frame)
  const env = { ...ctx.env, CI: '0', CONTINUOUS_INTEGRATION: '0' };
  const r = await execa(process.execPath, [entry, args], { env, extendEnv: false, cwd: ctx.cwd, stdio: 'inherit', reject: false });
  if (r.exitCode !== 0) throw new ExitCode(r.exitCode ?? 1); // it said why on the terminal
}

export const TOP_HEAD = ['', 'ID', 'STATE', 'AGE', 'TIME', 'WHO', 'PROJECT', 'COST', 'TITLE'];

const KIND_LETTER = { run: 'R', instance: 'I', workflow: 'W' } as const;

export function costText(row: Pick<OverviewRow, 'cost_usd' | 'cost_estimated'>): string {
  if (row.cost_usd === null) return '-';
  return `${row.cost_estimated ? '~' : ''}$${row.cost_usd < 0.01 && row.cost_usd > 0 ? row.cost_usd.toFixed(4) : row.cost_usd.toFixed(2)}`;
}

/** A row's cells as the table shows them, each one line with control characters made visible. */
export function rowCells(row: OverviewRow, now: number): string[] {
  const age = formatSeconds(Math.max(0, (now - Date.parse(row.created_at)) / 1000));
  const title = row.detail ? `${row.title} [${row.detail}]` : row.title;
  const cells = [KIND_LETTER[row.kind], row.id, row.state, age, row.duration_s === null ? '-' : formatSeconds(row.duration_s), row.who, row.project ?? '-', costText(row), title];
  return cells.map((c) => visible(c, { oneLine: true }));
}

/** Widths of every column but the last (which takes what is left). */
export function columnWidths(head: string[], cells: string[][]): number[] {
  return head.map((h, i) => (i === head.length - 1 ? 0 : Math.max(h.length, ...cells.map((c) => c[i]!.length))));
}

export function formatRow(cells: string[], widths: number[], width: number | null): string {
  const line = cells.map((v, i) => (widths[i] ? v.padEnd(widths[i]!) : v)).join('  ').trimEnd();
  return width === null ? line : truncate(line, width);
}

function snapshot(rows: OverviewRow[], more: boolean, width: number | null): string {
  if (!rows.length) return 'nothing yet: start a run with "agentctl start"\n';
  const now = Date.now();
  const cells = rows.map((r) => rowCells(r, now));
  const widths = columnWidths(TOP_HEAD, cells);
  const lines = [formatRow(TOP_HEAD, widths, width), ...cells.map((c) => formatRow(c, widths, width))];
  if (more) lines.push('(more: raise --limit, or filter with --project / --status)');
  return `${lines.join('\n')}\n`;
}
