import type { AppContext } from '../../app/context.js';
import { showRecord } from '../../app/runs.js';

export async function showCmd(ctx: AppContext, id: string): Promise<void> {
  ctx.stdout.write(`${JSON.stringify(await showRecord(ctx, id), null, 2)}\n`);
}
