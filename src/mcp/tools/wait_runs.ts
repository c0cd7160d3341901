import * as z from 'zod';
import { waitForRuns } from '../../app/wait.js';
import { WaitLine } from '../../app/views.js';
import { parseDuration } from '../../core/sys/duration.js';
import { defineTool, READ, resultLine, runId } from './tool.js';

export const waitRuns = defineTool({
  definition: ({ maxWaitS }) => ({
    name: 'wait_runs',
    title: 'Wait for runs to end',
    description: `Block until the given runs end (or, with mode "any", until the first of them ends) and return each run's result: status, outcome (goal_met, goal_not_met, invalid_output, agent_error, cancelled, timed_out, lost, budget_exceeded: stopped for crossing its cost or token limit), goal_met, the worker's summary and followup_prompt, its git diff stat and duration, and for a worktree run its branch. A single call waits at most timeout_s seconds (at most ${maxWaitS}, so the call itself never times out); when that passes first, timed_out is true and the runs still going are returned with status pending or running: simply call wait_runs again with the ids in still_running. With follow true, a run that was escalated is followed to the end of its escalation chain. Waiting is cheap and event-driven; prefer it to polling show_run.`,
    input: {
      ids: z.array(runId).min(1).describe('the runs to wait for'),
      mode: z.enum(['all', 'any']).optional().describe('all (default): until every run ends; any: until the first one ends'),
      timeout_s: z.number().optional().describe(`give up after this many seconds (default and maximum ${maxWaitS})`),
      follow: z.boolean().optional().describe('follow escalations to the end of each chain'),
    },
    output: {
      done: z.boolean().describe('the runs waited for have ended (with mode any: at least one)'),
      timed_out: z.boolean(),
      runs: z.array(WaitLine),
      still_running: z.array(z.string()).describe('ids of runs that have not ended yet: wait for them again'),
    },
    annotations: READ,
  }),
  async run(a, { ctx, signal, settings }) {
    const asked = a.timeout_s === undefined ? settings.maxWaitS : parseDuration(String(a.timeout_s), 'timeout_s');
    const w = await waitForRuns(ctx, { ids: a.ids, timeoutS: Math.min(asked, settings.maxWaitS), any: a.mode === 'any', follow: a.follow, signal });
    const still = w.pending;
    const lines = w.lines.map(resultLine);
    if (w.timedOut) lines.push(still.length ? `still running after the wait: ${still.join(', ')}; call wait_runs again to keep waiting` : 'wait ended');
    return { data: { done: !w.timedOut, timed_out: w.timedOut, runs: w.lines, still_running: still }, text: lines.join('\n') };
  },
});
