import { ensureWorkspace, getProfile, loadConfig } from '../core/config.js';
import { resolveHome, workspace } from '../core/paths.js';
import { addProject, loadProjects, removeProject } from '../core/projects.js';

export function addProjectCmd(o: { home?: string; name: string; path: string; defaultProfile?: string; worktree?: boolean }): void {
  const { ws } = ensureWorkspace(resolveHome(o.home));
  // a typo here would otherwise only surface at the first start
  if (o.defaultProfile) getProfile(loadConfig(ws), o.defaultProfile);
  const { project, replaced } = addProject(ws, o.name, o.path, o.defaultProfile, o.worktree);
  const notes = [project.default_profile ? `default profile ${project.default_profile}` : '', project.worktree !== undefined ? `worktrees ${project.worktree ? 'on' : 'off'}` : ''].filter(Boolean);
  process.stdout.write(`${replaced ? 'updated' : 'added'} project ${o.name} -> ${project.path}${notes.length ? ` (${notes.join(', ')})` : ''}\n`);
}

export function listProjectsCmd(o: { home?: string; json?: boolean }): void {
  const { projects } = loadProjects(workspace(resolveHome(o.home)));
  if (o.json) {
    process.stdout.write(`${JSON.stringify(Object.entries(projects).map(([name, p]) => ({ name, ...p })))}\n`);
    return;
  }
  const names = Object.keys(projects).sort();
  if (!names.length) {
    process.stdout.write('no projects: add one with "agentctl add-project <name> <path>"\n');
    return;
  }
  const width = Math.max(4, ...names.map((n) => n.length));
  process.stdout.write(`${'NAME'.padEnd(width)}  PROFILE  WORKTREE  PATH\n`);
  for (const n of names) {
    const p = projects[n]!;
    const wt = p.worktree === undefined ? '-' : p.worktree ? 'on' : 'off';
    process.stdout.write(`${n.padEnd(width)}  ${(p.default_profile ?? '-').padEnd(7)}  ${wt.padEnd(8)}  ${p.path}\n`);
  }
}

export function removeProjectCmd(o: { home?: string; name: string }): void {
  const p = removeProject(workspace(resolveHome(o.home)), o.name);
  process.stdout.write(`removed project ${o.name} (${p.path}; files and runs kept)\n`);
}
