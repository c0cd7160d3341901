import { formatSeconds } from '../../core/sys/duration.js';
import { AppError } from '../../core/sys/errors.js';
import { readFileOrNull } from '../../core/sys/fsutil.js';
import { refreshLiveness } from '../../core/lifecycle/liveness.js';
import { type Meta, OUTCOMES, RUN_STATUSES } from '../../core/runs/meta.js';
import { resolveHome, runFiles, workspace } from '../../core/workspace/paths.js';
import { durationSeconds } from '../../core/runs/result.js';
import { loadConfigOrNull } from '../../core/workspace/runview.js';
import { CorruptRun, parseMeta, runIdsNewestFirst } from '../../core/runs/store.js';

export interface ListOptions {
  home?: string;
  status?: string;
  project?: string;
  limit?: string | number;
  json?: boolean;
}

type Row = { meta: Meta; branch?: BranchState } | { corrupt: string; runId: string };
type BranchState = import('../../core/git/worktree.js').BranchState;

/** Recent runs, newest first, liveness checked, filtered. */
export async function listRows(o: ListOptions): Promise<Row[]> {
  const ws = workspace(resolveHome(o.home));
  const limit = Number(o.limit ?? 20);
  if (!Number.isInteger(limit) || limit < 0) throw new AppError(`invalid --limit ${JSON.stringify(String(o.limit))}: give a whole number (0 for all)`);
  const statuses: readonly string[] = [...RUN_STATUSES, ...OUTCOMES, 'corrupt'];
  if (o.status && !statuses.includes(o.status)) throw new AppError(`invalid --status ${JSON.stringify(o.status)}: use one of ${statuses.join(', ')}`);
  const cfg = loadConfigOrNull(ws);

  const rows: Row[] = [];
  for (const id of runIdsNewestFirst(ws)) {
    if (limit && rows.length >= limit) break;
    let row: Row;
    try {
      const meta = parseMeta(id, readFileOrNull(runFiles(ws.home, id).meta));
      row = { meta: await refreshLiveness(ws, cfg, meta) };
    } catch (err) {
      if (!(err instanceof CorruptRun)) throw err;
      row = { corrupt: err.message, runId: id };
    }
    if (matches(row, o)) rows.push(row);
  }
  const worktreeRuns = rows.flatMap((r) => ('meta' in r && r.meta.worktree ? [r.meta] : []));
  if (worktreeRuns.length) {
    // git only when worktree runs are listed: a plain list stays as fast as before
    const states = await (await import('../../core/git/worktree.js')).branchStates(worktreeRuns);
    for (const r of rows) if ('meta' in r) r.branch = states.get(r.meta.run_id);
  }
  return rows;
}

export async function listCmd(o: ListOptions): Promise<void> {
  const rows = await listRows(o);

  if (o.json) {
    process.stdout.write(`${JSON.stringify(rows.map(listEntry))}\n`);
    return;
  }
  if (!rows.length) {
    process.stdout.write(o.status || o.project ? 'no runs match\n' : 'no runs yet: start one with "agentctl start"\n');
    return;
  }
  process.stdout.write(table(rows, rows.some((r) => 'meta' in r && r.meta.worktree)));
}

function matches(row: Row, o: ListOptions): boolean {
  if ('corrupt' in row) return !o.project && (!o.status || o.status === 'corrupt');
  const m = row.meta;
  if (o.status && m.status !== o.status && m.outcome !== o.status) return false;
  if (o.project && m.project !== o.project) return false;
  return true;
}

/** One run as `list --json` prints it. */
export function listEntry(row: Row) {
  if ('corrupt' in row) return { run_id: row.runId, status: 'corrupt', error: row.corrupt };
  const m = row.meta;
  return {
    run_id: m.run_id,
    status: m.status,
    outcome: m.outcome,
    goal_met: m.goal_met,
    title: m.title,
    project: m.project,
    profile: m.profile,
    agent: m.agent,
    created_at: m.created_at,
    ended_at: m.ended_at,
    duration_s: durationSeconds(m),
    exit_code: m.exit_code,
    parent_run_id: m.parent_run_id,
    escalated_to: m.escalated_to,
    pane: m.tmux.pane,
    branch: m.worktree?.branch ?? null,
    merged: row.branch?.merged ?? null,
    branch_state: row.branch?.state ?? null,
    worktree: row.branch?.worktree ?? null,
  };
}

function table(rows: Row[], branches: boolean): string {
  const now = Date.now();
  const cells = rows.map((row) => {
    if ('corrupt' in row) return [row.runId, 'corrupt', '-', '-', '-', '-', ...(branches ? ['-'] : []), row.corrupt];
    const m = row.meta;
    const state = m.outcome ?? m.status;
    const dur = durationSeconds(m, now);
    const link = m.escalated_to ? ` -> ${m.escalated_to}` : '';
    const branch = branches ? [row.branch ? `${row.branch.branch} (${row.branch.state})` : '-'] : [];
    return [m.run_id, state, `${formatSeconds((now - Date.parse(m.created_at)) / 1000)}`, dur === null ? '-' : formatSeconds(dur), m.profile, m.project ?? '-', ...branch, `${m.title}${link}`];
  });
  const head = ['RUN ID', 'STATE', 'AGE', 'TIME', 'PROFILE', 'PROJECT', ...(branches ? ['BRANCH'] : []), 'TITLE'];
  const widths = head.map((h, i) => (i === head.length - 1 ? 0 : Math.max(h.length, ...cells.map((c) => c[i]!.length))));
  const fmt = (c: string[]) => c.map((v, i) => (widths[i] ? v.padEnd(widths[i]!) : v)).join('  ').trimEnd();
  return `${[fmt(head), ...cells.map(fmt)].join('\n')}\n`;
}
