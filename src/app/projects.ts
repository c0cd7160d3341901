// Registered projects: a name for a directory, optionally with a default profile and whether
// its runs get worktrees.
import { resolve } from 'node:path';
import { ensureWorkspace, getProfile } from '../core/workspace/config.js';
import { addProject, loadProjects, type Project, removeProject } from '../core/workspace/projects.js';
import type { AppContext } from './context.js';
import type { AddedProjectView, ProjectView } from './views.js';

export interface AddProjectOptions {
  name: string;
  /** The directory (relative: against the caller's directory). */
  path: string;
  defaultProfile?: string;
  worktree?: boolean;
  /** The command `land` runs after each merge. */
  test?: string;
  /** Point an existing name at another directory. */
  force?: boolean;
}

/** Register (or update) a project; returns the entry and a one-line account of what changed. */
export function addProjectEntry(ctx: AppContext, o: AddProjectOptions): AddedProjectView & { message: string } {
  ensureWorkspace(ctx.home);
  // a typo here would otherwise only surface at the first start
  if (o.defaultProfile) getProfile(ctx.config(), o.defaultProfile);
  const { project, replaced } = addProject(ctx.ws, o.name, resolve(ctx.cwd, o.path), o.defaultProfile, o.worktree, o.force, o.test?.trim() || undefined);
  const notes = [project.default_profile ? `default profile ${project.default_profile}` : '', project.worktree !== undefined ? `worktrees ${project.worktree ? 'on' : 'off'}` : '', project.test ? `test ${JSON.stringify(project.test)}` : ''].filter(Boolean);
  return {
    name: o.name,
    path: project.path,
    replaced,
    ...(project.default_profile ? { default_profile: project.default_profile } : {}),
    ...(project.worktree !== undefined ? { worktree: project.worktree } : {}),
    ...(project.test ? { test: project.test } : {}),
    message: `${replaced ? 'updated' : 'added'} project ${o.name} -> ${project.path}${notes.length ? ` (${notes.join(', ')})` : ''}`,
  };
}

/** Registered projects, sorted by name. */
export function projectEntries(ctx: AppContext): ProjectView[] {
  const { projects } = loadProjects(ctx.ws);
  return Object.entries(projects)
    .map(([name, p]) => ({ name, ...p }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Unregister a project (its files and runs stay); returns what it was. */
export function removeProjectEntry(ctx: AppContext, name: string): Project {
  return removeProject(ctx.ws, name);
}
