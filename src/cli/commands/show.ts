import type { AppContext } from '../../app/context.js';
import { showRecord } from '../../app/runs.js';

export async function showCmd(ctx: AppContext, id: string): Promise<void> {
  const wf = await import('../../app/workflows.js');
  if (wf.isWorkflowId(id)) return void ctx.stdout.write(`${JSON.stringify(wf.workflowStatus(ctx, id), null, 2)}\n`);
  ctx.stdout.write(`${JSON.stringify(await showRecord(ctx, id), null, 2)}\n`);
}
