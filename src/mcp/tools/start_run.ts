import * as z from 'zod';
import { AGENT_NAMES } from '../../agents/types.js';
import { startedView, startWith } from '../../app/start.js';
import { StartedView } from '../../app/views.js';
import { ACT, defineTool, runInputs, runRequest, startedText } from './tool.js';

export const startRun = defineTool({
  definition: {
    name: 'start_run',
    title: 'Start a worker run',
    description:
      'Start a coding-agent worker on a task and return its run id at once (the work happens in the background, in a tmux pane). The prompt is the whole task for the worker, which sees nothing else: say what to do, where, and how to check it is done. The worker runs in the project directory: `project` is a name registered with add_project or a directory path (relative paths resolve against this server\'s working directory; omitted: that directory itself). `profile` picks the agent and its settings (see doctor or the workspace config; default: the project\'s default profile, else the configured default); `agent` overrides the profile\'s agent (codex, claude, gemini, shell); for the shell agent, `command` is the program and its arguments and the prompt is optional. The worker answers with JSON (default shape: goal_met, summary, followup_prompt, notes), checked against the schema. With `worktree` true the worker gets its own git branch and checkout instead of editing the project directory: use it whenever several workers may edit one repository at once, or when the change should be reviewed before it lands; its work is committed on the branch at the end, then run_diff, merge_run or discard_run. Then call wait_runs with the id.',
    input: {
      prompt: z.string().optional().describe('the task for the worker (required except for the shell agent)'),
      project: z.string().optional().describe("registered project name, or a directory path (relative: against the server's working directory); default: the server's working directory"),
      profile: z.string().optional().describe('profile name, e.g. spark, deep, review, claude, claude-deep, gemini, shell'),
      agent: z.enum(AGENT_NAMES).optional().describe("agent CLI, overriding the profile's"),
      command: z.array(z.string()).optional().describe('shell agent only: the command and its arguments, e.g. ["npm", "test"]'),
      worktree: z
        .boolean()
        .optional()
        .describe(
          "true: run in a new git worktree (a separate checkout under agentctl's workspace) on a new branch agentctl/<run id>, so the project checkout and other workers never see the run's edits until you merge_run it; the run's changes are committed on that branch when it ends. false: edit the project directory itself. Omitted: the project's, profile's or workspace's default (usually false). Needs a git repository with at least one commit.",
        ),
      base: z.string().optional().describe("worktree runs: the branch, tag or commit the run's branch starts from (default: the checkout's current commit, HEAD); implies worktree true. E.g. another run's branch, to build on its unmerged work"),
      with_changes: z
        .boolean()
        .optional()
        .describe("worktree runs: copy the checkout's uncommitted changes (untracked files too) into the new worktree, so the worker starts from what is on disk rather than from the last commit; implies worktree true"),
      max_cost: z.number().positive().optional().describe("stop the run (outcome budget_exceeded) as soon as it has cost more than this many USD (estimated from its tokens and the workspace's price table when the agent reports no cost); default: the workspace's budgets.per_run_usd"),
      max_tokens: z.number().int().positive().optional().describe('stop the run (outcome budget_exceeded) as soon as it has used more than this many tokens (input, cached included, plus output); default: budgets.per_run_tokens'),
      interactive: z.boolean().optional().describe("claude and codex: the worker is the agent's own interactive session in its pane (a person watching sees the real agent and can take over) instead of its headless mode; the run, its answer and wait_runs are the same"),
      ...runInputs,
    },
    output: StartedView.shape,
    annotations: ACT,
  },
  async run(a, { ctx }) {
    const o = { project: a.project, profile: a.profile, agent: a.agent, command: a.command, worktree: a.worktree, base: a.base, withChanges: a.with_changes, maxCost: a.max_cost, maxTokens: a.max_tokens, interactive: a.interactive, ...runRequest(a) };
    const v = startedView(await startWith(ctx, o, () => a.prompt ?? ''));
    return { data: v, text: startedText(v) };
  },
});
