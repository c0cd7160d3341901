import type { AppContext } from '../../app/context.js';
import { type InitOptions, initWorkspace } from '../../app/init.js';
import { moveLines } from '../../agents/codex-profiles.js';
import { ExitCode } from '../../core/sys/errors.js';

export async function initCmd(ctx: AppContext, o: InitOptions & { json?: boolean }): Promise<void> {
  const r = await initWorkspace(ctx, o);
  if (o.json) ctx.stdout.write(`${JSON.stringify(r)}\n`);
  else {
    const lines = [`workspace ${r.home}: ${r.created.length ? `created ${r.created.length} item(s)` : 'already set up'}`];
    for (const [k, v] of Object.entries(r.set)) lines.push(`set ${k} = ${String(v)}`);
    if (r.codex) {
      const done = moveLines(r.codex);
      lines.push(...(done.length || r.codex.problems.length ? done : [`codex profiles ready in ${r.codex.codex_home}`]));
    }
    ctx.stdout.write(`${lines.join('\n')}\n`);
    for (const p of r.codex?.problems ?? []) ctx.stderr.write(`agentctl: ${p}\n`);
  }
  // the workspace is ready, but codex -p may still fail: not done as asked
  if (r.codex?.problems.length) throw new ExitCode(1);
}
