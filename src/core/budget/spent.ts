// What was spent, summed from the run records, and the checks that refuse a new run (or a
// workflow's next step) once a budget is used up. Only ended runs count: a record gets its usage
// when its run ends.
import type { LoadedConfig } from '../workspace/config.js';
import type { Meta } from '../runs/meta.js';
import { recentRuns, tryReadMeta } from '../runs/repository.js';
import type { Workspace } from '../workspace/paths.js';
import { AppError } from '../sys/errors.js';
import { formatUsd, runCost, type RunCost } from './cost.js';

export interface SpendFilter {
  /** Runs created at or after this time. */
  since?: Date;
  /** A registered project name, or the directory of a run without one. */
  project?: string;
  workflow?: string;
  runIds?: string[];
}

export interface Spent {
  usd: number;
  /** Some of usd is estimated from tokens. */
  estimated: boolean;
  /** Runs counted (whatever their cost). */
  runs: number;
  /** Runs whose cost is not known (no usage recorded): counted in runs, not in usd. */
  unknown: number;
}

/** The project a run counts against: its registered name, else its directory. */
export function projectKey(m: Pick<Meta, 'project' | 'project_dir'>): string {
  return m.project ?? m.project_dir;
}

/** One run with its cost (the parent is read for a codex resume: see ownUsage). */
export interface CostedRun {
  meta: Meta;
  cost: RunCost;
}

/** The records a filter selects, newest first, each with its cost. */
export function* costedRuns(ws: Workspace, cfg: Pick<LoadedConfig, 'prices'>, f: SpendFilter = {}): Generator<CostedRun> {
  const since = f.since?.getTime();
  const source: Iterable<Meta> = f.runIds ? f.runIds.flatMap((id) => tryReadMeta(ws, id) ?? []) : recentRuns(ws);
  for (const meta of source) {
    if (since !== undefined && Date.parse(meta.created_at) < since) {
      // newest first: every later record is older still
      if (!f.runIds) break;
      continue;
    }
    if (f.project !== undefined && projectKey(meta) !== f.project) continue;
    if (f.workflow !== undefined && meta.workflow_id !== f.workflow) continue;
    const parent = meta.agent === 'codex' && meta.mode === 'resume' && meta.parent_run_id ? tryReadMeta(ws, meta.parent_run_id) : null;
    yield { meta, cost: runCost(meta, cfg, parent) };
  }
}

/** The sum of what the selected runs cost. */
export function spent(ws: Workspace, cfg: Pick<LoadedConfig, 'prices'>, filter: SpendFilter = {}): Spent {
  const total: Spent = { usd: 0, estimated: false, runs: 0, unknown: 0 };
  for (const { cost } of costedRuns(ws, cfg, filter)) addCost(total, cost);
  return total;
}

export function addCost(total: Spent, cost: RunCost): void {
  total.runs += 1;
  if (cost.usd === null) total.unknown += 1;
  else {
    total.usd += cost.usd;
    if (cost.estimated && cost.usd > 0) total.estimated = true;
  }
}

/** Local midnight of the day `now` falls in: where a project's daily budget starts. */
export function startOfDay(now = new Date()): Date {
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  return d;
}

/** A project's daily limit (USD): budgets.per_project_day_usd, one for all or by name ("*" for the rest). */
export function projectDayLimit(cfg: Pick<LoadedConfig, 'budgets'>, project: string): number | null {
  const b = cfg.budgets?.per_project_day_usd;
  if (b === undefined || b === null) return null;
  if (typeof b === 'number') return b;
  return b[project] ?? b['*'] ?? null;
}

/** A budget that is used up: which, for what, its limit and what was spent. */
export interface BudgetBreach {
  /** The config key or option that set the limit, e.g. "budgets.per_project_day_usd". */
  budget: string;
  /** What it limits, in words: "project api today", "workflow wf-abc". */
  scope: string;
  limitUsd: number;
  spent: Spent;
}

/** The error a refused start or step gets: the budget, what was spent, and how to go on. */
export function budgetError(b: BudgetBreach): AppError {
  const fromConfig = b.budget.startsWith('budgets.');
  return new AppError(
    `${b.scope} has spent ${formatUsd(b.spent.usd, b.spent.estimated)} of its ${formatUsd(b.limitUsd)} budget (${b.budget}): nothing new is started`,
    { fix: fromConfig ? `raise or remove ${b.budget} in config.json${b.budget === 'budgets.per_project_day_usd' ? ', or wait for tomorrow' : ''}` : `raise ${b.budget}` },
  );
}

/** The project's daily budget when it is used up (spent >= limit), else null. */
export function projectDayBreach(ws: Workspace, cfg: Pick<LoadedConfig, 'prices' | 'budgets'>, project: string, now = new Date()): BudgetBreach | null {
  const limit = projectDayLimit(cfg, project);
  if (limit === null) return null;
  const s = spent(ws, cfg, { project, since: startOfDay(now) });
  return s.usd >= limit ? { budget: 'budgets.per_project_day_usd', scope: `project ${project} today`, limitUsd: limit, spent: s } : null;
}

/**
 * A workflow's budget when it is used up, else null: limitUsd as the workflow was given it, else
 * budgets.per_workflow_usd (`budget` names where the limit came from, for the error).
 */
export function workflowBreach(ws: Workspace, cfg: Pick<LoadedConfig, 'prices' | 'budgets'>, workflowId: string, limitUsd?: number | null, budget = 'budgets.per_workflow_usd'): BudgetBreach | null {
  const limit = limitUsd ?? cfg.budgets?.per_workflow_usd ?? null;
  if (limit === null) return null;
  const s = spent(ws, cfg, { workflow: workflowId });
  return s.usd >= limit ? { budget: limitUsd != null ? budget : 'budgets.per_workflow_usd', scope: `workflow ${workflowId}`, limitUsd: limit, spent: s } : null;
}

/**
 * Refuse a new run (or a workflow's next step) whose project has used up its daily budget, or
 * whose workflow its own: throws the AppError budgetError words.
 */
export function checkBudget(
  ws: Workspace,
  cfg: Pick<LoadedConfig, 'prices' | 'budgets'>,
  o: { project: string; workflowId?: string | null; workflowLimitUsd?: number | null; workflowBudget?: string; now?: Date },
): void {
  const breach = projectDayBreach(ws, cfg, o.project, o.now) ?? (o.workflowId ? workflowBreach(ws, cfg, o.workflowId, o.workflowLimitUsd, o.workflowBudget) : null);
  if (breach) throw budgetError(breach);
}
