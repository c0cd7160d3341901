import { existsSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import * as z from 'zod';
import { AppError } from '../sys/errors.js';
import { withLock, writeJsonAtomic } from '../sys/fsutil.js';
import { readJsonFile } from '../sys/jsonfile.js';
import { assertName } from '../runs/ids.js';
import type { Workspace } from './paths.js';

const ProjectSchema = z.looseObject({
  path: z.string().min(1),
  default_profile: z.string().optional(),
  /** Runs of this project get their own git worktree unless a flag says otherwise. */
  worktree: z.boolean().optional(),
  /** The command `land` runs after each merge (a shell command line, run in the project's directory). */
  test: z.string().optional(),
  added_at: z.string().optional(),
});
const ProjectsFileSchema = z.looseObject({ projects: z.record(z.string(), ProjectSchema).default({}) });
export type Project = z.infer<typeof ProjectSchema>;
type ProjectsFile = z.infer<typeof ProjectsFileSchema>;

export function loadProjects(ws: Workspace): ProjectsFile {
  const file = readJsonFile(ws.projects, ProjectsFileSchema, {
    missing: () => ({ projects: {} }),
    syntaxFix: 'fix it, or move it aside and add your projects again',
    invalidFix: 'fix that entry',
  });
  // a name is used in paths (<home>/worktrees/<name>): a hand-written "../x" must not lead outside
  for (const name of Object.keys(file.projects)) {
    try {
      assertName(name, 'project name');
    } catch (err) {
      throw new AppError(`${ws.projects}: ${(err as AppError).message}`, { fix: 'rename that entry (or remove it) in that file' });
    }
  }
  return file;
}

function existingDir(path: string, what: string): string {
  const abs = resolve(path);
  let st;
  try {
    st = statSync(abs);
  } catch {
    throw new AppError(`${what} ${abs} does not exist: give an existing directory`);
  }
  if (!st.isDirectory()) throw new AppError(`${what} ${abs} is not a directory: give a directory`);
  return realpathSync(abs);
}

/**
 * Register or update a project; concurrent callers never lose each other's entries. A name
 * already registered for another directory that still exists is moved only with `force`: a
 * typo must not silently send that project's runs elsewhere.
 */
export function addProject(ws: Workspace, name: string, path: string, defaultProfile?: string, worktree?: boolean, force = false, test?: string): { project: Project; replaced: boolean } {
  assertName(name, 'project name');
  const dir = existingDir(path, 'project directory');
  return withLock(`${ws.locks}/projects.lock`, () => {
    const file = loadProjects(ws);
    const replaced = name in file.projects;
    const old = file.projects[name]?.path;
    // a directory that is gone has nothing to lose: moving the name is the fix resolveProject gives
    if (old !== undefined && old !== dir && existsSync(old) && !force) {
      throw new AppError(`project ${name} is already registered for ${old}, not ${dir}`, { fix: `pass {opt:force=true} to point it at ${dir}, or choose another name` });
    }
    const project: Project = { path: dir, added_at: new Date().toISOString() };
    if (defaultProfile) project.default_profile = defaultProfile;
    if (worktree !== undefined) project.worktree = worktree;
    if (test) project.test = test;
    file.projects[name] = project;
    writeJsonAtomic(ws.projects, file);
    return { project, replaced };
  });
}

export function removeProject(ws: Workspace, name: string): Project {
  return withLock(`${ws.locks}/projects.lock`, () => {
    const file = loadProjects(ws);
    const project = file.projects[name];
    if (!project) throw new AppError(`unknown project "${name}"`, { fix: 'see "{cmd:projects}"' });
    delete file.projects[name];
    writeJsonAtomic(ws.projects, file);
    return project;
  });
}

export interface ResolvedProject {
  name: string | null;
  dir: string;
  defaultProfile?: string;
  worktree?: boolean;
}

/**
 * `--project` is a registered name or a path; without it, the current directory (named after
 * the registered project it belongs to, if any).
 */
export function resolveProject(ws: Workspace, arg: string | undefined, cwd: string): ResolvedProject {
  const { projects } = loadProjects(ws);
  if (arg && projects[arg]) {
    const p = projects[arg];
    if (!existsSync(p.path)) throw new AppError(`project "${arg}" points to ${p.path}, which no longer exists`, { fix: `run "{cmd:add-project ${arg} <new path>}"` });
    return { name: arg, dir: p.path, defaultProfile: p.default_profile, worktree: p.worktree };
  }
  if (arg && !isAbsolute(arg) && !arg.startsWith('.') && !arg.includes('/') && !existsSync(resolve(cwd, arg))) {
    const known = Object.keys(projects);
    throw new AppError(`unknown project "${arg}"`, { fix: `register it with "{cmd:add-project ${arg} <path>}"${known.length ? ` or use one of ${known.join(', ')}` : ''}` });
  }
  const dir = existingDir(resolve(cwd, arg ?? '.'), 'project directory');
  const owner = Object.entries(projects)
    .filter(([, p]) => dir === p.path || dir.startsWith(`${p.path}/`))
    .sort((a, b) => b[1].path.length - a[1].path.length)[0];
  return owner ? { name: owner[0], dir, defaultProfile: owner[1].default_profile, worktree: owner[1].worktree } : { name: null, dir };
}
