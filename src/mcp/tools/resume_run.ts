import * as z from 'zod';
import { resumeWith, startedView } from '../../app/start.js';
import { StartedView } from '../../app/views.js';
import { ACT, defineTool, runId, runInputs, runRequest, startedText } from './tool.js';

export const resumeRun = defineTool({
  definition: {
    name: 'resume_run',
    title: 'Resume a run',
    description:
      "Continue a run that has ended with a follow-up prompt, as a new run. With the same agent, the worker continues the very same agent session (it remembers the conversation); with a profile of another agent, a fresh session starts whose prompt carries the parent's task, summary and follow-up. The new run is in the parent's directory (for a worktree run: the same worktree and branch, which must not have been discarded). Returns the new run id at once; wait for it with wait_runs.",
    input: {
      parent_run_id: runId.describe('the run to continue (it must have ended)'),
      prompt: z.string().optional().describe('what to do next (required unless the new run is on the shell agent)'),
      profile: z.string().optional().describe("profile for the new run (default: the parent's)"),
      ...runInputs,
    },
    output: StartedView.shape,
    annotations: ACT,
  },
  async run(a, { ctx }) {
    const v = startedView(await resumeWith(ctx, { parentRunId: a.parent_run_id, profile: a.profile, ...runRequest(a) }, () => a.prompt ?? ''));
    return { data: v, text: startedText(v, `resumed ${v.parent_run_id} as`) };
  },
});
