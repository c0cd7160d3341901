import type { AppContext } from '../../app/context.js';
import { waitForRuns, waitsOnInstances } from '../../app/wait.js';
import { parseDuration } from '../../core/sys/duration.js';
import { ExitCode } from '../../core/sys/errors.js';

export async function waitCmd(ctx: AppContext, ids: string[], o: { timeout?: string; any?: boolean; follow?: boolean }): Promise<void> {
  const timeoutS = o.timeout !== undefined ? parseDuration(o.timeout, '--timeout') : null;
  if (waitsOnInstances(ctx, ids)) return waitInstancesCmd(ctx, ids, { timeoutS, any: o.any });
  const { code } = await waitForRuns(ctx, { ids, timeoutS, any: o.any, follow: o.follow }, (line) => ctx.stdout.write(`${JSON.stringify(line)}\n`));
  if (code !== 0) throw new ExitCode(code);
}

/** Instances' turns: one compact JSON line per TurnReport. */
async function waitInstancesCmd(ctx: AppContext, ids: string[], o: { timeoutS: number | null; any?: boolean }): Promise<void> {
  const { waitInstancesOutcome } = await import('../../app/instance-reads.js');
  const { reports, code } = await waitInstancesOutcome(ctx, { ids, any: o.any, timeoutMs: o.timeoutS === null ? null : o.timeoutS * 1000 });
  for (const r of reports) ctx.stdout.write(`${JSON.stringify(r)}\n`);
  if (code !== 0) throw new ExitCode(code);
}
