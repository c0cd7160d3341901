// Workflow records on disk: <home>/workflows/<id>/ with workflow.json (the record, rewritten
// atomically under its lock), task.md, findings.schema.json, driver.log, driver.lock (held by
// the live driver: the kernel frees it when the driver dies), cancel (marker), report.md/json.
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { customRandom } from 'nanoid';
import { urandom } from '../runs/ids.js';
import { AppError } from '../sys/errors.js';
import { readJsonFile } from '../sys/jsonfile.js';
import { tryHoldLock, withLock, writeJsonAtomic } from '../sys/fsutil.js';
import type { Workspace } from '../workspace/paths.js';
import { isWorkflowId, type WorkflowRecord, WorkflowRecordSchema } from './types.js';

export function workflowsDir(home: string): string {
  return join(home, 'workflows');
}

export function workflowFiles(home: string, id: string) {
  const dir = join(workflowsDir(home), id);
  return {
    dir,
    record: join(dir, 'workflow.json'),
    task: join(dir, 'task.md'),
    findingsSchema: join(dir, 'findings.schema.json'),
    driverLog: join(dir, 'driver.log'),
    driverLock: join(dir, 'driver.lock'),
    lock: join(dir, '.lock'),
    cancel: join(dir, 'cancel'),
    reportMd: join(dir, 'report.md'),
    reportJson: join(dir, 'report.json'),
  };
}
export type WorkflowFiles = ReturnType<typeof workflowFiles>;

const suffix = customRandom('0123456789abcdefghijklmnopqrstuvwxyz', 6, urandom);

/** Claim a new id by making its directory: `wf-` and 6 characters, never a run id's shape. */
export function claimWorkflowId(home: string): { id: string; files: WorkflowFiles } {
  mkdirSync(workflowsDir(home), { recursive: true });
  for (let i = 0; ; i++) {
    const id = `wf-${suffix()}`;
    const files = workflowFiles(home, id);
    try {
      mkdirSync(files.dir);
      return { id, files };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || i > 20) throw err;
    }
  }
}

export function readWorkflow(home: string, id: string): WorkflowRecord {
  if (!isWorkflowId(id)) throw new AppError(`invalid workflow id ${JSON.stringify(id)}: workflow ids look like wf-a1b2c3`);
  const files = workflowFiles(home, id);
  if (!existsSync(files.record)) throw new AppError(`no workflow ${id}`, { fix: 'see "{cmd:workflow list}"' });
  return readJsonFile(files.record, WorkflowRecordSchema, {
    syntaxFix: `the record is damaged: remove ${files.dir} if the workflow is not needed`,
    invalidFix: `the record is damaged: remove ${files.dir} if the workflow is not needed`,
  });
}

export function writeWorkflow(home: string, rec: WorkflowRecord): void {
  writeJsonAtomic(workflowFiles(home, rec.workflow_id).record, rec, 0o600);
}

/** Read-modify-write under the record's lock (driver, cancel and resume all write it). */
export function updateWorkflow(home: string, id: string, change: (r: WorkflowRecord) => WorkflowRecord | void): WorkflowRecord {
  return withLock(workflowFiles(home, id).lock, () => {
    const cur = readWorkflow(home, id);
    const next = change(cur) ?? cur;
    writeWorkflow(home, next);
    return next;
  });
}

/** Every workflow id, newest first (ids are random: ordered by the record's creation time). */
export function listWorkflows(ws: Workspace): WorkflowRecord[] {
  let names: string[];
  try {
    names = readdirSync(workflowsDir(ws.home));
  } catch {
    return [];
  }
  const out: WorkflowRecord[] = [];
  for (const n of names) {
    if (!isWorkflowId(n)) continue;
    try {
      out.push(readWorkflow(ws.home, n));
    } catch {
      // a directory claimed by a start that failed before its record: nothing to list
    }
  }
  return out.sort((a, b) => b.created_at.localeCompare(a.created_at));
}

/** Whether a driver holds the workflow now (its lock is the kernel's: a dead driver holds nothing). */
export function driverAlive(home: string, id: string): boolean {
  const held = tryHoldLock(workflowFiles(home, id).driverLock, { create: false });
  if (!held) return existsSync(workflowFiles(home, id).driverLock);
  held.release();
  return false;
}

export function isFinished(r: Pick<WorkflowRecord, 'status'>): boolean {
  return r.status === 'finished';
}

/**
 * The branch and worktree every step of a workflow worked in (for `land` and `merge`), and the
 * step runs that worked there, newest last; null when no step has made it yet.
 */
export function workflowBranch(ws: Workspace, id: string): { branch: string; path: string; cwd: string; repo_root: string; base: string; runs: string[] } | null {
  const r = readWorkflow(ws.home, id);
  if (!r.worktree) return null;
  const runs = r.iterations.flatMap((i) => i.runs.map((s) => s.run_id));
  return { branch: r.worktree.branch, path: r.worktree.path, cwd: r.worktree.cwd, repo_root: r.worktree.repo_root, base: r.worktree.base, runs };
}
