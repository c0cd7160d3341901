import { cancelRun } from '../../app/cancel.js';
import type { AppContext } from '../../app/context.js';
import { compactResult } from '../../core/runs/result.js';

export async function cancelCmd(ctx: AppContext, id: string): Promise<void> {
  const wf = await import('../../app/workflows.js');
  if (wf.isWorkflowId(id)) return void ctx.stdout.write(`${JSON.stringify(await wf.cancelWorkflowById(ctx, id))}\n`);
  ctx.stdout.write(`${JSON.stringify(compactResult(await cancelRun(ctx, id)))}\n`);
}
