// What `top` can do with the selected row, and what it shows of it. Everything goes through the
// app layer, like the CLI commands; nothing here knows a file format.
import type { AppContext } from '../../app/context.js';
import type { OverviewRow } from '../../app/overview.js';
import { cancelRun } from '../../app/cancel.js';
import { recentLogs } from '../../app/logs.js';
import { showRecord } from '../../app/runs.js';
import { readFileOrNull } from '../../core/sys/fsutil.js';
import { formatSeconds } from '../../core/sys/duration.js';
import { Tmux } from '../../core/tmux/tmux.js';
import { visible } from '../terminal.js';

export interface Action {
  key: string;
  label: string;
  question: string;
  run(): Promise<string>;
}

const safe = (s: string) => visible(s, { oneLine: true });
const block = (text: string, max: number) => {
  const lines = text.split('\n').map((l) => visible(l, { oneLine: true }));
  return lines.length > max ? [...lines.slice(0, max), `... (${lines.length - max} more lines)`] : lines;
};

/** The actions a row offers: each asks before it acts. */
export function actionsFor(ctx: AppContext, row: OverviewRow): Action[] {
  if (row.kind === 'run' && row.tone === 'active') {
    return [
      {
        key: 'c',
        label: `cancelling run ${row.id}`,
        question: `cancel run ${row.id} "${safe(row.title)}"?`,
        run: async () => `run ${row.id}: ${(await cancelRun(ctx, row.id)).outcome ?? 'cancelled'}`,
      },
    ];
  }
  return [];
}

/** The selected row in full: a run's record, prompt, rendered events and result. */
export async function detailLines(ctx: AppContext, row: OverviewRow): Promise<string[]> {
  if (row.kind !== 'run') return [`${row.kind} ${row.id}: ${row.state}`];
  const rec = await showRecord(ctx, row.id);
  const logs = await recentLogs(ctx, { id: row.id, tail: 400 });
  const lines = [
    `${rec.run_id}  ${rec.outcome ?? rec.status}${rec.goal_met === null ? '' : rec.goal_met ? '  goal met' : '  goal not met'}`,
    `title:    ${safe(rec.title)}`,
    `profile:  ${rec.profile} (${rec.agent}${rec.model ? `, ${rec.model}` : ''})`,
    `project:  ${rec.project ?? '-'}`,
    `started:  ${rec.created_at}${rec.duration_s === null ? '' : `  took ${formatSeconds(rec.duration_s)}`}`,
  ];
  if (rec.cost_usd !== null) lines.push(`cost:     $${rec.cost_usd.toFixed(4)}`);
  if (rec.worktree) lines.push(`branch:   ${rec.worktree.branch}${rec.worktree.diff_stat ? `  ${safe(rec.worktree.diff_stat)}` : ''}`);
  if (rec.escalated_from) lines.push(`escalated from ${rec.escalated_from}`);
  if (rec.escalated_to) lines.push(`escalated to ${rec.escalated_to}`);
  if (rec.tmux.pane) lines.push(`pane:     ${rec.tmux.pane} (g jumps there)`);
  lines.push('', 'prompt:', ...block(readFileOrNull(rec.files.prompt) ?? '(missing)', 40));
  lines.push('', `events (${logs.total_lines}):`, ...logs.lines.map((l) => safe(l)));
  if (logs.footer.length) lines.push('', ...logs.footer.map((l) => safe(l)));
  if (rec.result) lines.push('', 'result:', ...block(JSON.stringify(rec.result, null, 2), 200));
  return lines;
}

/** Bring the row's worker pane to the front of its tmux window; says what happened. */
export function jumpToPane(ctx: AppContext, row: OverviewRow): string {
  if (!row.pane) return `${row.kind} ${row.id} has no pane`;
  const tmux = new Tmux({ socket: row.pane.socket, socketName: row.pane.socket_name }).within(2000);
  if (!tmux.paneInfo(row.pane.pane)) return `${row.kind} ${row.id}'s pane ${row.pane.pane} is gone`;
  return tmux.focusPane(row.pane.pane, ctx.env) ? `went to pane ${row.pane.pane}` : `could not go to pane ${row.pane.pane}`;
}
