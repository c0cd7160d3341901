// Creating an instance: every check that can fail comes first (limits, name, project, binary),
// then its directory (record, context.md, the caller's environment), its worktree when asked,
// and a pane running the in-pane supervisor (`_instance`), which starts the agent's TUI.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureWorkspace, loadConfig } from '../workspace/config.js';
import { AppError } from '../sys/errors.js';
import { writeFileAtomic } from '../sys/fsutil.js';
import { selfCommand, which } from '../sys/self.js';
import { writeSecretEnv } from '../lifecycle/launch.js';
import { placePane, type Placement } from '../tmux/placement.js';
import { socketFrom, Tmux, tmuxFor } from '../tmux/tmux.js';
import { resolveProject } from '../workspace/projects.js';
import { visible } from '../sys/terminal.js';
import type { Worktree } from '../runs/meta.js';
import { instanceFiles } from './paths.js';
import { createInstance, listInstanceRecords, newInstanceId, updateInstance } from './record.js';
import { checkLimits, chooseName } from './limits.js';
import type { InstanceAgent, InstanceRecord, PermissionMode } from './types.js';

export interface SpawnRequest {
  home: string;
  /** The caller's environment: the agent gets it (PATH, API keys, CODEX_HOME). */
  env: NodeJS.ProcessEnv;
  cwd: string;
  agent: InstanceAgent;
  /** The role, resolved (its prompt text becomes part of the instance's standing instructions). */
  role: { name: string; text: string } | null;
  name?: string;
  model: string | null;
  project?: string;
  worktree?: boolean;
  /** The parent instance's id, resolved. */
  parent: string | null;
  permissions: PermissionMode;
  /** Standing instructions (spawn's stdin). */
  context: string | null;
  placement?: Placement;
}

/** Create the instance and its pane; returns its record (status starting). */
export async function spawnInstanceRecord(req: SpawnRequest): Promise<InstanceRecord> {
  const { ws } = ensureWorkspace(req.home);
  const cfg = loadConfig(ws);
  const records = listInstanceRecords(req.home);
  checkLimits(cfg, records, req.model);
  const name = chooseName(records, req.name, req.role?.name ?? req.agent);
  const project = resolveProject(ws, req.project, req.cwd);
  if (!which(req.agent, req.env.PATH, project.dir)) {
    throw new AppError(`${req.agent} not found on PATH`, { fix: `install the ${req.agent} CLI (see "{cmd:doctor}") or choose another {opt:agent}` });
  }
  const id = newInstanceId();
  const files = instanceFiles(req.home, id);
  const sock = socketFrom(cfg, req.env);
  let wt: Worktree | null = null;
  try {
    if (req.worktree) wt = await makeWorktree(ws, id, project, join(files.dir, 'carry.patch'), req.env);
    const record = newInstanceRecord({
      id,
      name,
      role: req.role?.name ?? null,
      agent: req.agent,
      model: req.model,
      permissions: req.permissions,
      project: project.name,
      project_dir: project.dir,
      cwd: wt?.cwd ?? project.dir,
      worktree: wt ? { path: wt.path, branch: wt.branch, base: wt.base } : null,
      parent: req.parent,
      tmux: { socket: sock.socket, socket_name: sock.socketName, session: null, pane: null },
    });
    createInstance(req.home, record);
    mkdirSync(files.inbox, { recursive: true });
    mkdirSync(files.permissions, { recursive: true });
    const instructions = [req.role?.text.trim(), req.context?.trim()].filter(Boolean).join('\n\n');
    writeFileAtomic(files.context, instructions ? `${instructions}\n` : '', 0o600);
    return placeInstancePane(req.home, record, req.env, req.placement);
  } catch (err) {
    rmSync(files.dir, { recursive: true, force: true });
    if (wt) {
      const made = wt;
      await import('../git/worktree.js').then((w) => w.undoRunWorktree(ws, made, req.env)).catch(() => {});
    }
    throw err;
  }
}

/** A new instance's record: what it is, with no session, process or stop yet. */
export function newInstanceRecord(f: Pick<InstanceRecord, 'id' | 'name' | 'role' | 'agent' | 'model' | 'permissions' | 'project' | 'project_dir' | 'cwd' | 'worktree' | 'parent' | 'tmux'>): InstanceRecord {
  return {
    version: 1,
    ...f,
    created_at: new Date().toISOString(),
    session_id: null,
    transcript_path: null,
    supervisor_pid: null,
    supervisor_start: null,
    agent_pid: null,
    agent_start: null,
    lives: 1,
    stopped_at: null,
  };
}

/**
 * A pane for the instance's supervisor (a spawn, or a revive), with the caller's environment
 * handed over in env.json (0600, read and deleted by the supervisor).
 */
export function placeInstancePane(home: string, r: InstanceRecord, env: NodeJS.ProcessEnv, placement?: Placement): InstanceRecord {
  const { ws } = ensureWorkspace(home);
  const cfg = loadConfig(ws);
  const files = instanceFiles(home, r.id);
  writeSecretEnv(files.env, env);
  const tmux: Tmux = tmuxFor(r);
  const placed = placePane(tmux, cfg, ws, { placement, env }, [...selfCommand(env), '_instance', r.id, '--home', home], r.cwd, r.id);
  // beside the orchestrator placement has laid the column out; an agents window is tiled
  tmux.decorateWorkerPane(placed.pane, paneTitle(r), placed.placement === 'split' ? 'spread' : 'tiled');
  return updateInstance(home, r.id, (rec) => {
    rec.tmux.pane ??= placed.pane;
    rec.tmux.session = placed.session;
  });
}

/** The pane's title: the instance, its agent and role, and its branch. */
function paneTitle(r: InstanceRecord): string {
  const branch = r.worktree ? ` · ⎇ ${r.worktree.branch}` : '';
  return visible(`${r.name} · ${r.id} · ${r.agent}${r.role ? ` · ${r.role}` : ''}${branch}`, { oneLine: true });
}

/** `spawn --worktree`: a worktree of the project's repository on branch agentctl/<instance id>, as a run's. */
async function makeWorktree(ws: ReturnType<typeof ensureWorkspace>['ws'], id: string, project: { name: string | null; dir: string }, patchFile: string, env: NodeJS.ProcessEnv) {
  const { createRunWorktree } = await import('../git/worktree.js');
  return createRunWorktree(ws, { runId: id, projectDir: project.dir, projectName: project.name, withChanges: false, source: '{opt:worktree=true}', patchFile, env });
}
