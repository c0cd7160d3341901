import type { AppContext } from '../../app/context.js';
import { waitForRuns } from '../../app/wait.js';
import { parseDuration } from '../../core/sys/duration.js';
import { ExitCode } from '../../core/sys/errors.js';

export async function waitCmd(ctx: AppContext, ids: string[], o: { timeout?: string; any?: boolean; follow?: boolean }): Promise<void> {
  const timeoutS = o.timeout !== undefined ? parseDuration(o.timeout, '--timeout') : null;
  const { code } = await waitForRuns(ctx, { ids, timeoutS, any: o.any, follow: o.follow }, (line) => ctx.stdout.write(`${JSON.stringify(line)}\n`));
  if (code !== 0) throw new ExitCode(code);
}
