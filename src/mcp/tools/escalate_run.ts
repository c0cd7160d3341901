import * as z from 'zod';
import { escalateWith, startedView } from '../../app/start.js';
import { StartedView } from '../../app/views.js';
import { ACT, defineTool, runId, runInputs, startedText } from './tool.js';

export const escalateRun = defineTool({
  definition: {
    name: 'escalate_run',
    title: 'Escalate a run',
    description:
      "Hand a run that ended without meeting its goal to a stronger profile: a new run starts with the parent's followup_prompt on the profile named by the parent profile's escalate_to (for example spark to deep), or on `profile` when given. The parent records the link (escalated_to). Returns the new run id at once; wait for it with wait_runs.",
    input: {
      id: runId.describe('the run to escalate (it must have ended without meeting its goal)'),
      profile: z.string().optional().describe("escalate to this profile instead of the parent profile's escalate_to"),
      window: runInputs.window,
    },
    output: StartedView.shape,
    annotations: ACT,
  },
  async run(a, { ctx }) {
    const v = startedView(await escalateWith(ctx, { id: a.id, profile: a.profile, window: a.window }));
    return { data: v, text: startedText(v, 'escalated to') };
  },
});
