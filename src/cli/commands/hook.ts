// The hidden `_hook permission --instance ID` an instance's agent runs as its PermissionRequest
// hook (see core/instances/permission.ts): the payload on stdin, the decision on stdout.
import type { Command } from 'commander';
import type { AppContext } from '../../app/context.js';

export function registerHookCommands(program: Command, ctx: (cmd: Command) => AppContext | Promise<AppContext>): void {
  program
    .command('_hook', { hidden: true })
    .argument('<kind>', 'permission')
    .requiredOption('--instance <id>')
    .action(async (kind: string, opts: { instance: string }, cmd: Command) => hookCmd(await ctx(cmd), kind, opts.instance));
}

async function hookCmd(ctx: AppContext, kind: string, id: string): Promise<void> {
  const { AppError } = await import('../../core/sys/errors.js');
  if (kind !== 'permission') throw new AppError(`unknown hook ${JSON.stringify(kind)}`);
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  const { runPermissionHook } = await import('../../core/instances/permission.js');
  await runPermissionHook({ home: ctx.home, id, payload: Buffer.concat(chunks).toString('utf8'), print: (json) => ctx.stdout.write(`${json}\n`) });
}
