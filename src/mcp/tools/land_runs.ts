import * as z from 'zod';
import { LandView } from '../../app/land-views.js';
import { word } from '../../core/sys/errors.js';
import { mcpWording } from '../wording.js';
import { defineTool, GIT_WRITE } from './tool.js';

export const landRuns = defineTool({
  definition: {
    name: 'land_runs',
    title: 'Land several worktree runs (merge queue)',
    description:
      "Merge the branches of finished worktree runs, one at a time in the order given, into an integration worktree made from the project's branch (never the user's checkout), running the project's test command after each merge (test, else the project's configured one, else detected: npm test, pytest, go test ./..., cargo test; with none, pass test or no_test true). It stops at the first conflict (the run and files are named; that merge is not made) or failing test (the run and the tail of the output). When every merge passed, the project's branch is fast-forwarded if it is checked out nowhere or in a clean checkout; otherwise the integration branch is kept and the message says how to take it. With fix true, a conflict or failing test resumes the run that caused it, with the evidence in its prompt, in its own worktree (once per run), and the queue goes on when it succeeds. Refused up front, touching nothing: runs not finished, not worktree runs, discarded or already merged. The call blocks until the land ends (tests and fix workers included), so give it runs whose tests are quick, or run `agentctl land` as a shell run for long suites. status landed is success; anything else is a tool error whose message says where it stopped.",
    input: {
      ids: z.array(z.string()).min(1).describe("the runs to land (ids, unique prefixes or suffixes; a finished workflow's id stands for its branch), in merge order"),
      test: z.string().optional().describe('the test command, a shell command line run in the project directory of the integration worktree'),
      no_test: z.boolean().optional().describe('land without tests'),
      test_timeout: z.string().optional().describe('a test run taking longer fails: 90s, 15m (default 20m)'),
      fix: z.boolean().optional().describe('repair a conflict or failing test with a resume of the run that caused it, once per run'),
      into: z.string().optional().describe("the branch to land onto (default: the project's checked-out branch)"),
    },
    output: LandView.shape,
    annotations: GIT_WRITE,
  },
  async run(a, { ctx }) {
    const { landRuns: land, failureTail } = await import('../../app/land.js');
    const rec = await land(ctx, { ids: a.ids, test: a.test, noTest: a.no_test, testTimeout: a.test_timeout, fix: a.fix, into: a.into });
    const data = { ...rec, message: word(rec.message, mcpWording) };
    const tail = failureTail(rec);
    return { data, text: tail ? `${data.message}\n--- the last lines of the test output ---\n${tail}` : data.message, error: rec.status !== 'landed' };
  },
});
