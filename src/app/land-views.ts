// The record of a land, <home>/lands/<id>.json: what `land --json` prints and land_runs returns.
import * as z from 'zod';

const nstr = z.string().nullable();

export const LandTestView = z.object({
  command: z.string(),
  exit_code: z.number().nullable().describe('null when it was killed (timed out) or could not start'),
  passed: z.boolean(),
  timed_out: z.boolean(),
  duration_s: z.number(),
  log: z.string().describe('the file holding its whole output'),
});

export const LandRunView = z.object({
  run_id: z.string(),
  branch: z.string(),
  state: z
    .enum(['pending', 'merged', 'conflict', 'test_failed', 'error', 'skipped'])
    .describe('merged: merged and tested; conflict / test_failed / error: where the queue stopped; pending: not reached'),
  commit: nstr.describe('the merge commit on the integration branch'),
  conflicts: z.array(z.string()).describe('the files that conflicted'),
  tests: z.array(LandTestView).describe('each test run after merging it (a second one after a fix)'),
  fix_run: nstr.describe('the run --fix started to repair it'),
  fix_outcome: nstr,
  error: nstr,
});

export const LandView = z.object({
  land_id: z.string(),
  project: nstr,
  repo_root: z.string(),
  into: z.string().describe('the branch landed onto'),
  base: z.string().describe('its commit when the land began'),
  integration_branch: z.string(),
  integration_worktree: z.string(),
  test_command: nstr.describe('null: landed without tests (no_test)'),
  test_source: z.enum(['option', 'project', 'detected', 'none']),
  fix: z.boolean(),
  status: z
    .enum(['running', 'landed', 'integrated', 'stopped', 'failed'])
    .describe('landed: the branch moved forward; integrated: all passed but the branch was left alone (see message); stopped: a conflict or failing test; failed: an error'),
  runs: z.array(LandRunView),
  stopped_at: nstr.describe('the run the queue stopped at'),
  head: nstr.describe('the integration branch tip: what the branch moved to, or what is left to take'),
  branch_moved: z.boolean(),
  message: z.string().describe('what happened, and what to do next'),
  started_at: z.string(),
  ended_at: nstr,
});
export type LandView = z.infer<typeof LandView>;
export type LandRunView = z.infer<typeof LandRunView>;
