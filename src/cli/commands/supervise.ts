// The hidden `_supervise <id>` a worker's pane runs (see core/lifecycle/supervisor.ts).
import type { AppContext } from '../../app/context.js';

export async function superviseCmd(ctx: AppContext, id: string): Promise<void> {
  const { supervise } = await import('../../core/lifecycle/supervisor.js');
  try {
    process.exitCode = await supervise(ctx.home, id);
  } catch (err) {
    // a bug here must not leave the run "running" until someone notices the pid is gone
    const { markLost } = await import('../../core/lifecycle/liveness.js');
    await markLost(ctx.ws, ctx.configOrNull(), id, `supervisor failed: ${(err as Error).message}`, true).catch(() => {});
    throw err;
  }
}
