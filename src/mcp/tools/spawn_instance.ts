import * as z from 'zod';
import { spawnInstance as spawn } from '../../app/instances.js';
import { InstanceView } from '../../app/instance-views.js';
import { INSTANCE_AGENTS, PERMISSION_MODES } from '../../core/instances/types.js';
import { ACT, defineTool } from './tool.js';
import { instanceText } from './instance-tool.js';

export const spawnInstance = defineTool({
  definition: ({ maxWaitS }) => ({
    name: 'spawn_instance',
    title: 'Spawn a persistent agent',
    description: `Start a persistent, interactive coding agent (an "instance": Claude Code or Codex in its own tmux pane, where a person can watch and type) and return it once it is ready for its first message (at most ${maxWaitS} s; with wait false, at once with status starting). Unlike start_run (one task, one answer, then the worker is gone), an instance keeps its context across many messages: use it for a team member you will talk to repeatedly (an architect you ask several questions, a developer you hand task after task and redirect), and start_run for a self-contained job. A role (architect, developer, reviewer, tester, documenter, researcher, or one the user added) gives it standing instructions and a default model; instructions adds your own (the project, its conventions, what it owns). Then send_to_instance (wait true to get the reply), answer_permission when it asks, terminate_instance when done. An instance spawned from inside another instance is recorded as its child.`,
    input: {
      role: z.string().optional().describe('architect, developer, reviewer, tester, documenter, researcher, or a role the user added'),
      instructions: z.string().optional().describe('standing instructions for its whole life: the project, its conventions, what it owns, how to report'),
      name: z.string().optional().describe('a name to call it by instead of its id (unique among live instances), e.g. "dev"'),
      agent: z.enum(INSTANCE_AGENTS).optional().describe("claude or codex (default: the role's, else the workspace default)"),
      model: z.string().optional().describe("model (default: the role's, else the agent's)"),
      project: z.string().optional().describe("registered project name or a directory (default: this server's working directory)"),
      worktree: z.boolean().optional().describe('work in a new git worktree of the project on its own branch, so its edits stay apart from the checkout and other agents'),
      permissions: z
        .enum(PERMISSION_MODES)
        .optional()
        .describe('what it must ask you for: ask (every tool use that needs permission), auto-edit (file edits allowed, the rest asked), bypass (nothing asked)'),
      parent: z.string().optional().describe('the instance it reports to (default: the instance this server runs in, if any)'),
      wait: z.boolean().optional().describe('wait until it is ready for input (default true)'),
    },
    output: InstanceView.shape,
    annotations: ACT,
  }),
  async run(a, { ctx, settings }) {
    const v = await spawn(ctx, {
      agent: a.agent,
      role: a.role,
      name: a.name,
      model: a.model,
      project: a.project,
      worktree: a.worktree,
      // none given: the app takes the instance this server runs in ($AGENTCTL_PARENT_INSTANCE)
      parent: a.parent,
      permissions: a.permissions,
      context: a.instructions || undefined,
      wait: a.wait,
      timeoutMs: settings.maxWaitS * 1000,
    });
    return { data: v, text: `spawned ${instanceText(v)}: send it work with send_to_instance (id "${v.id}" or name "${v.name}")` };
  },
});
