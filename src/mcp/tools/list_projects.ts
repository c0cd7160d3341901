import * as z from 'zod';
import { projectEntries } from '../../app/projects.js';
import { ProjectView } from '../../app/views.js';
import { defineTool, READ } from './tool.js';

export const listProjects = defineTool({
  definition: {
    name: 'list_projects',
    title: 'List projects',
    description:
      "List the projects registered with agentctl: each has a name (usable as start_run's project), its directory, and optionally the default profile for its runs and whether its runs get their own git worktree by default.",
    input: {},
    output: { projects: z.array(ProjectView) },
    annotations: READ,
  },
  async run(_a, { ctx }) {
    const projects = projectEntries(ctx);
    const line = (p: ProjectView) => `${p.name}  ${p.default_profile ?? '-'}  ${p.worktree === undefined ? '' : p.worktree ? 'worktrees on  ' : 'worktrees off  '}${p.path}`;
    return { data: { projects }, text: projects.length ? projects.map(line).join('\n') : 'no projects registered: add one with add_project' };
  },
});
