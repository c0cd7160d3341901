import type { AppContext } from '../../app/context.js';
import { followLogs } from '../../app/logs.js';
import { visible } from '../terminal.js';

export async function logsCmd(ctx: AppContext, id: string, o: { follow?: boolean; raw?: boolean }): Promise<void> {
  ctx.stdout.on('error', () => process.exit(0)); // the reader went away (e.g. piped into head)
  const wf = await import('../../app/workflows.js');
  if (wf.isWorkflowId(id)) return void ctx.stdout.write(wf.workflowLogLines(ctx, id).map((l) => `${visible(l, { oneLine: true })}\n`).join(''));
  await followLogs(ctx, { id, follow: o.follow, raw: o.raw }, (line) => ctx.stdout.write(`${o.raw ? line : visible(line, { oneLine: true })}\n`));
}
