import * as z from 'zod';
import { addProjectEntry } from '../../app/projects.js';
import { AddedProjectView } from '../../app/views.js';
import { defineTool } from './tool.js';

export const addProject = defineTool({
  definition: {
    name: 'add_project',
    title: 'Register a project',
    description:
      "Register a project directory under a short name, so start_run can take the name as its project; registering an existing name again for the same directory updates it; moving a name to another directory needs force true. A relative path resolves against this server's working directory. default_profile, when given, is the profile used for the project's runs when start_run names none; worktree, when given, is whether its runs get their own git worktree and branch when start_run does not say (true suits a repository several workers edit at once).",
    input: {
      name: z.string().describe('project name (letters, digits, . _ -)'),
      path: z.string().describe('the project directory (it must exist)'),
      default_profile: z.string().optional().describe('profile for runs of this project when none is given'),
      worktree: z
        .boolean()
        .optional()
        .describe("default for start_run's worktree for this project's runs: true gives each run its own git worktree and branch, false runs them in the directory (omitted: no project default; the profile's or workspace's applies)"),
      force: z.boolean().optional().describe('true: point a name already registered for another directory at this one'),
      test: z.string().optional().describe("the project's test command (a shell command line) that land_runs runs after each merge; omitted: detected when landing"),
    },
    output: AddedProjectView.shape,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  },
  async run(a, { ctx }) {
    const { message, ...data } = addProjectEntry(ctx, { name: a.name, path: a.path, defaultProfile: a.default_profile, worktree: a.worktree, force: a.force, test: a.test });
    return { data, text: message };
  },
});
