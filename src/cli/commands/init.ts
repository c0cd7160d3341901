import type { AppContext } from '../../app/context.js';
import { type InitOptions, initWorkspace } from '../../app/init.js';

export function initCmd(ctx: AppContext, o: InitOptions & { json?: boolean }): void {
  const r = initWorkspace(ctx, o);
  if (o.json) {
    ctx.stdout.write(`${JSON.stringify(r)}\n`);
    return;
  }
  const lines = [`workspace ${r.home}: ${r.created.length ? `created ${r.created.length} item(s)` : 'already set up'}`];
  for (const [k, v] of Object.entries(r.set)) lines.push(`set ${k} = ${String(v)}`);
  ctx.stdout.write(`${lines.join('\n')}\n`);
}
