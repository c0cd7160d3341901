// `land`: the merge queue on the command line. Registered from program.ts by one call; the
// application code is loaded only when the command runs.
import type { Command } from 'commander';
import type { AppContext } from '../../app/context.js';
import { ExitCode, word } from '../../core/sys/errors.js';
import { visible } from '../terminal.js';
import { cliWording } from '../wording.js';

export function registerLandCommands(program: Command, ctx: (cmd: Command) => AppContext | Promise<AppContext>): void {
  program
    .command('land')
    .description("merge finished worktree runs one at a time into an integration worktree, test after each, then fast-forward the project's branch")
    .argument('<ids...>', "the runs (or finished workflows' ids, for their branch), in the order to merge them")
    .option('--test <command>', "the test command (default: the project's, see add-project --test; else detected: npm test, pytest, go test ./..., cargo test)")
    .option('--no-test', 'land without running tests (when none is configured or detected)')
    .option('--test-timeout <duration>', 'stop a test run after this long; it counts as failed', '20m')
    .option('--fix', 'a conflict or failing test resumes the run that caused it with the evidence, once per run, and the queue goes on when it succeeds')
    .option('--into <branch>', "the branch to land onto (default: the one the project's checkout has checked out)")
    .option('--json', 'print the land record as one JSON line')
    .addHelpText(
      'after',
      `
Nothing of your checkout is touched until every merge passed: the merges happen in an
integration worktree under <home>/lands/<id>/ on branch agentctl-land/<id>, from the branch's
tip. Then the branch is fast-forwarded if it is checked out nowhere, or in a clean checkout;
otherwise the integration branch is kept and named, with the command that takes it.

The queue stops at the first conflict (the run and files are named; that merge is not made) or
failing test (the run and the tail of the output; the whole output is in <home>/lands/<id>/).
With --fix, the run's branch first gets the merge of what landed before it (conflict markers
included), a resume of the run fixes that in the run's own worktree, and its end commits it.
Refused up front: runs not finished, not worktree runs, discarded, or already merged.
The record: <home>/lands/<id>.json. One land per repository at a time.

Exit code: 0 landed; 1 stopped, or all passed but the branch was left (see the message); 2 refused.

Example:
  agentctl land 20260301-101500-ab12 20260301-101502-cd34 --test "npm test" --fix`,
    )
    .action(async (ids: string[], opts, cmd) => landCmd(await ctx(cmd), ids, opts));
}

interface LandFlags {
  test?: string | boolean;
  testTimeout?: string;
  fix?: boolean;
  into?: string;
  json?: boolean;
}

async function landCmd(ctx: AppContext, ids: string[], o: LandFlags): Promise<void> {
  const { landRuns, failureTail } = await import('../../app/land.js');
  const rec = await landRuns(ctx, {
    ids,
    test: typeof o.test === 'string' ? o.test : undefined,
    noTest: o.test === false,
    testTimeout: o.testTimeout,
    fix: o.fix,
    into: o.into,
    onProgress: o.json ? undefined : (line) => ctx.stdout.write(`${visible(line)}\n`),
  });
  const message = word(rec.message, cliWording);
  if (o.json) ctx.stdout.write(`${JSON.stringify({ ...rec, message })}\n`);
  else if (rec.status === 'landed') ctx.stdout.write(`${visible(message)}\n`);
  else {
    const tail = failureTail(rec);
    if (tail) ctx.stdout.write(`${visible(tail)}\n`);
    ctx.stderr.write(`agentctl: ${visible(message, { oneLine: true })}\n`);
  }
  if (rec.status !== 'landed') throw new ExitCode(1);
}
