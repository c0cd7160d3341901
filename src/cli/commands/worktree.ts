// diff, merge, discard, clean as a person reads them.
import type { AppContext } from '../../app/context.js';
import { type CleanOptions, cleanWith, type DiffForm, diffWith, discardWith, mergeLine, mergeWith } from '../../app/worktree.js';
import { ExitCode } from '../../core/sys/errors.js';
import { visible } from '../terminal.js';

export async function diffCmd(ctx: AppContext, id: string, o: { stat?: boolean; nameOnly?: boolean }): Promise<void> {
  const form: DiffForm = o.stat ? 'stat' : o.nameOnly ? 'name-only' : 'patch';
  const { text, empty } = await diffWith(ctx, { id, form });
  // on stderr: `diff ID > x.patch` or `diff ID --name-only | xargs` must not take it for a change
  if (empty) ctx.stderr.write(`${empty}\n`);
  else ctx.stdout.write(text);
}

export async function mergeCmd(ctx: AppContext, id: string, o: { squash?: boolean; json?: boolean }): Promise<void> {
  const r = await mergeWith(ctx, { id, squash: o.squash });
  ctx.stdout.write(o.json ? `${JSON.stringify(r)}\n` : `${visible(mergeLine(r))}\n`);
}

export async function discardCmd(ctx: AppContext, id: string, o: { force?: boolean; json?: boolean }): Promise<void> {
  const { report, lines } = await discardWith(ctx, { id, force: o.force });
  if (o.json) ctx.stdout.write(`${JSON.stringify(report)}\n`);
  else {
    for (const l of lines) ctx.stdout.write(`${visible(l)}\n`);
    for (const k of report.kept) ctx.stderr.write(`agentctl: ${visible(k, { oneLine: true })}\n`);
  }
  // something was kept to save work: not done as asked
  if (report.kept.length) throw new ExitCode(1);
}

export async function cleanCmd(ctx: AppContext, o: CleanOptions & { json?: boolean }): Promise<void> {
  const { report, lines } = await cleanWith(ctx, o);
  ctx.stdout.write(o.json ? `${JSON.stringify(report)}\n` : lines.map((l) => `${visible(l)}\n`).join(''));
}
