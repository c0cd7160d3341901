// Starting a workflow: find its definition, check every step's profile and CLI before anything
// is made, write the record and start the driver. The same checks give `--dry-run`'s plan.
import { getAdapter } from '../../agents/index.js';
import { ensureWorkspace, getProfile, loadConfig, type LoadedConfig } from '../workspace/config.js';
import { AppError } from '../sys/errors.js';
import { writeFileAtomic } from '../sys/fsutil.js';
import { which } from '../sys/self.js';
import { resolveProject } from '../workspace/projects.js';
import { spawnDriver } from './control.js';
import { findWorkflow } from './load.js';
import { FINDINGS_SCHEMA } from './prompts.js';
import { claimWorkflowId, writeWorkflow } from './store.js';
import type { Workflow, WorkflowRecord } from './types.js';

export interface WorkflowRequest {
  home: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
  name: string;
  project?: string;
  maxIterations?: number;
  /** USD; default: the workflow file's budget_usd. */
  budgetUsd?: number;
}

export interface PlanStep {
  group: number;
  step: string;
  kind: string;
  profile: string;
  agent: string | null;
  /** The CLI the step needs, when it is not on PATH. */
  missing: string | null;
  /** Runs in later iterations too. */
  repeat: boolean;
  problem: string | null;
}

export interface Plan {
  name: string;
  source: string;
  description: string;
  project: string | null;
  project_dir: string;
  max_iterations: number;
  budget_usd: number | null;
  stop: Workflow['stop'];
  steps: PlanStep[];
  /** Every CLI missing, once each. */
  missing: string[];
}

/** The workflow as it would run: steps, profiles, agents, missing CLIs, budget. Nothing is started. */
export function planWorkflow(req: WorkflowRequest): { plan: Plan; def: Workflow; cfg: LoadedConfig } {
  const { ws } = ensureWorkspace(req.home);
  const cfg = loadConfig(ws);
  const project = resolveProject(ws, req.project, req.cwd);
  const def = findWorkflow(req.home, project.dir, req.name);
  if (req.maxIterations !== undefined && (!Number.isInteger(req.maxIterations) || req.maxIterations < 1 || req.maxIterations > 20)) {
    throw new AppError(`invalid {opt:maxIterations} ${req.maxIterations}`, { fix: 'give a whole number from 1 to 20' });
  }
  const steps: PlanStep[] = def.groups.flatMap((g, group) =>
    g.map((s) => {
      let agent: string | null = null;
      let missing: string | null = null;
      let problem: string | null = null;
      try {
        agent = getProfile(cfg, s.profile).agent;
        const binary = agent === 'shell' ? (cfg.profiles[s.profile]?.command?.[0] ?? 'sh') : getAdapter(getProfile(cfg, s.profile).agent).binary;
        if (!which(binary, req.env.PATH, project.dir)) missing = binary;
      } catch (err) {
        problem = (err as Error).message;
      }
      return { group, step: s.name, kind: s.kind, profile: s.profile, agent, missing, repeat: s.repeat, problem };
    }),
  );
  const plan: Plan = {
    name: def.name,
    source: def.source,
    description: def.description,
    project: project.name,
    project_dir: project.dir,
    max_iterations: req.maxIterations ?? def.max_iterations,
    // the limit the driver holds it to: its own, else config's for every workflow
    budget_usd: req.budgetUsd ?? def.budget_usd ?? cfg.budgets?.per_workflow_usd ?? null,
    stop: def.stop,
    steps,
    missing: [...new Set(steps.flatMap((s) => (s.missing ? [s.missing] : [])))],
  };
  return { plan, def, cfg };
}

/** Check, write the record and start the driver; returns at once with the record. */
export function createWorkflow(req: WorkflowRequest, task: string): WorkflowRecord {
  const { plan, def } = planWorkflow(req);
  const ownBudget = req.budgetUsd ?? def.budget_usd;
  const bad = plan.steps.find((s) => s.problem);
  if (bad) throw new AppError(`workflow ${plan.name}, step ${bad.step}: ${bad.problem}`, { fix: `map the step's profile "${bad.profile}" to one you have in config.json's "profiles", or edit the workflow` });
  const missing = plan.steps.find((s) => s.missing);
  if (missing) {
    throw new AppError(`workflow ${plan.name}, step ${missing.step}: ${missing.missing} not found on PATH (profile ${missing.profile})`, {
      fix: `install it, or point profile "${missing.profile}" at an agent you have in config.json; "{cmd:workflow run ${plan.name} --dry-run}" shows every step`,
    });
  }
  if (!task.trim()) throw new AppError('empty task', { fix: '{opt:prompt}' });
  const { id, files } = claimWorkflowId(req.home);
  const now = new Date().toISOString();
  const rec: WorkflowRecord = {
    version: 1,
    workflow_id: id,
    name: def.name,
    definition: def,
    project: plan.project,
    project_dir: plan.project_dir,
    title: (task.split('\n').map((l) => l.trim()).find((l) => l && !l.startsWith('#') && !l.startsWith('@')) ?? def.name).slice(0, 120),
    max_iterations: plan.max_iterations,
    budget_usd: ownBudget,
    status: 'running',
    outcome: null,
    stop_reason: null,
    created_at: now,
    ended_at: null,
    worktree: null,
    driver: { pid: null, start: null, restarts: 0 },
    iterations: [],
    findings: [],
    cost_usd: null,
    errors: [],
  };
  writeFileAtomic(files.task, task, 0o600);
  writeFileAtomic(files.findingsSchema, `${JSON.stringify(FINDINGS_SCHEMA, null, 2)}\n`, 0o600);
  writeWorkflow(req.home, rec);
  spawnDriver(req.home, id, req.env);
  return rec;
}
