import { ensureWorkspace, getProfile, loadConfig } from '../../core/workspace/config.js';
import { resolveHome, workspace } from '../../core/workspace/paths.js';
import { addProject, loadProjects, type Project, removeProject } from '../../core/workspace/projects.js';

export interface AddProjectOptions {
  home?: string;
  name: string;
  path: string;
  defaultProfile?: string;
  worktree?: boolean;
}

/** Register (or update) a project; returns the entry and a one-line account of what changed. */
export function addProjectEntry(o: AddProjectOptions): { name: string; project: Project; replaced: boolean; message: string } {
  const { ws } = ensureWorkspace(resolveHome(o.home));
  // a typo here would otherwise only surface at the first start
  if (o.defaultProfile) getProfile(loadConfig(ws), o.defaultProfile);
  const { project, replaced } = addProject(ws, o.name, o.path, o.defaultProfile, o.worktree);
  const notes = [project.default_profile ? `default profile ${project.default_profile}` : '', project.worktree !== undefined ? `worktrees ${project.worktree ? 'on' : 'off'}` : ''].filter(Boolean);
  const message = `${replaced ? 'updated' : 'added'} project ${o.name} -> ${project.path}${notes.length ? ` (${notes.join(', ')})` : ''}`;
  return { name: o.name, project, replaced, message };
}

export function addProjectCmd(o: AddProjectOptions): void {
  process.stdout.write(`${addProjectEntry(o).message}\n`);
}

/** Registered projects by name, as `projects --json` and list_projects give them. */
export function projectEntries(o: { home?: string }): ({ name: string } & Project)[] {
  const { projects } = loadProjects(workspace(resolveHome(o.home)));
  return Object.entries(projects)
    .map(([name, p]) => ({ name, ...p }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function listProjectsCmd(o: { home?: string; json?: boolean }): void {
  const entries = projectEntries(o);
  if (o.json) {
    process.stdout.write(`${JSON.stringify(entries)}\n`);
    return;
  }
  if (!entries.length) {
    process.stdout.write('no projects: add one with "agentctl add-project <name> <path>"\n');
    return;
  }
  const width = Math.max(4, ...entries.map((e) => e.name.length));
  process.stdout.write(`${'NAME'.padEnd(width)}  PROFILE  WORKTREE  PATH\n`);
  for (const e of entries) {
    const wt = e.worktree === undefined ? '-' : e.worktree ? 'on' : 'off';
    process.stdout.write(`${e.name.padEnd(width)}  ${(e.default_profile ?? '-').padEnd(7)}  ${wt.padEnd(8)}  ${e.path}\n`);
  }
}

export function removeProjectCmd(o: { home?: string; name: string }): void {
  const p = removeProject(workspace(resolveHome(o.home)), o.name);
  process.stdout.write(`removed project ${o.name} (${p.path}; files and runs kept)\n`);
}
