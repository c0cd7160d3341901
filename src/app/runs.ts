// Finding and reading runs. Every "which run does this id name, what does its record say, is it
// still alive" goes through openRun, and every walk over recent runs through recentRuns, so
// the rules (prefix/suffix ids, corrupt records, marking dead runs lost) live in one place.
import { readFileOrNull } from '../core/sys/fsutil.js';
import { AppError } from '../core/sys/errors.js';
import { refreshLiveness } from '../core/lifecycle/liveness.js';
import { type Meta, OUTCOMES, RUN_STATUSES } from '../core/runs/meta.js';
import { durationSeconds } from '../core/runs/result.js';
import { costOf } from '../core/budget/spent.js';
import { openRun as openRecord, runRecords } from '../core/runs/repository.js';
import { runFiles } from '../core/workspace/paths.js';
import { loadProjects } from '../core/workspace/projects.js';
import type { AppContext } from './context.js';
import type { ListEntry } from './views.js';

/** The run an id names (exact, or a unique prefix or suffix), read, marked lost when its worker died. */
export async function openRun(ctx: AppContext, query: string): Promise<Meta> {
  return openRecord(ctx.ws, ctx.configOrNull(), query);
}

/** A run in a listing: its record, or why it cannot be read. */
export type RunEntry = { meta: Meta } | { corrupt: string; runId: string };

/**
 * Every run, newest first; an unreadable record comes as `corrupt` instead of stopping the walk.
 * With liveness (default), a dead run is marked lost as it is read; doctor reads them as they are.
 */
export async function* recentRuns(ctx: AppContext, o: { liveness?: boolean } = {}): AsyncGenerator<RunEntry> {
  for (const rec of runRecords(ctx.ws)) {
    if (rec.corrupt) yield { corrupt: rec.corrupt.message, runId: rec.runId };
    else yield { meta: o.liveness === false ? rec.meta : await refreshLiveness(ctx.ws, ctx.configOrNull(), rec.meta) };
  }
}

/** A run's full record: meta (liveness checked), parsed result and artifact paths. */
export async function showRecord(ctx: AppContext, id: string) {
  const meta = await openRun(ctx, id);
  const files = runFiles(ctx.home, meta.run_id);
  const resultText = readFileOrNull(files.result);
  let result: unknown = null;
  try {
    result = resultText ? JSON.parse(resultText) : null;
  } catch {
    result = null;
  }
  return {
    ...meta,
    duration_s: durationSeconds(meta),
    // cost_usd is what the agent reported; this is it, or the estimate from its tokens (core/budget)
    cost: costOf(ctx.ws, ctx.configOrNull() ?? { prices: {} }, meta),
    result,
    files: {
      dir: files.dir,
      meta: files.meta,
      prompt: files.prompt,
      schema: files.schema,
      events: files.events,
      stderr: files.stderr,
      answer: files.answer,
      result: files.result,
    },
  };
}

export interface ListRequest {
  /** Only runs with this status or outcome (or "corrupt"). */
  status?: string;
  /** Only runs of this registered project. */
  project?: string;
  /** At most this many (0: all); a string as typed on a command line is accepted. */
  limit?: string | number;
}

type BranchState = import('../core/git/worktree.js').BranchState;
/** A listed run with its branch's state (worktree runs). */
export type ListRow = { meta: Meta; branch?: BranchState } | { corrupt: string; runId: string };

/** Recent runs, newest first, liveness checked, filtered. */
export async function listRuns(ctx: AppContext, o: ListRequest): Promise<ListRow[]> {
  const limit = Number(o.limit ?? 20);
  if (!Number.isInteger(limit) || limit < 0) throw new AppError(`invalid {opt:limit} ${JSON.stringify(String(o.limit))}`, { fix: 'give a whole number (0 for all)' });
  const statuses: readonly string[] = [...RUN_STATUSES, ...OUTCOMES, 'corrupt'];
  if (o.status && !statuses.includes(o.status)) throw new AppError(`invalid {opt:status} ${JSON.stringify(o.status)}`, { fix: `use one of ${statuses.join(', ')}` });

  const rows: ListRow[] = [];
  for await (const row of recentRuns(ctx)) {
    if (matches(row, o)) rows.push(row);
    if (limit && rows.length >= limit) break;
  }
  // a project no longer registered still lists its runs; a name with neither is a typo
  if (o.project && !rows.length && !loadProjects(ctx.ws).projects[o.project]) {
    throw new AppError(`unknown project ${JSON.stringify(o.project)}`, { fix: 'see "{cmd:projects}" for the registered ones' });
  }
  const worktreeRuns = rows.flatMap((r) => ('meta' in r && r.meta.worktree ? [r.meta] : []));
  if (worktreeRuns.length) {
    // git only when worktree runs are listed: a plain list stays as fast as before
    const states = await (await import('../core/git/worktree.js')).branchStates(worktreeRuns);
    for (const r of rows) if ('meta' in r) r.branch = states.get(r.meta.run_id);
  }
  return rows;
}

function matches(row: RunEntry, o: ListRequest): boolean {
  if ('corrupt' in row) return !o.project && (!o.status || o.status === 'corrupt');
  const m = row.meta;
  if (o.status && m.status !== o.status && m.outcome !== o.status) return false;
  if (o.project && m.project !== o.project) return false;
  return true;
}

/** One run as `list --json` prints it and list_runs returns it. */
export function listEntry(row: ListRow): ListEntry {
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
