// The hidden `_instance <id>` an instance's pane runs (see core/instances/supervisor.ts).
import type { Command } from 'commander';
import { INSTANCE_ID_RE } from '../../core/instances/types.js';
import { AppError } from '../../core/sys/errors.js';
import type { ContextFor } from '../program.js';

export function registerInstanceSupervisorCommand(program: Command, contextFor: ContextFor): void {
  program
    .command('_instance', { hidden: true })
    .argument('<id>')
    .action(async (id: string, _opts, cmd: Command) => {
      const ctx = await contextFor(cmd.optsWithGlobals().home as string | undefined);
      if (!INSTANCE_ID_RE.test(id)) throw new AppError(`invalid instance id ${JSON.stringify(id)}`);
      const { superviseInstance } = await import('../../core/instances/supervisor.js');
      try {
        process.exitCode = await superviseInstance(ctx.home, id);
      } catch (err) {
        // a spawn waiting for the agent learns at once that none will come, and why
        const { appendEvent } = await import('../../core/instances/events.js');
        const { instanceFiles } = await import('../../core/instances/paths.js');
        try {
          appendEvent(instanceFiles(ctx.home, id), { source: 'process', kind: 'exited', code: null, why: `the supervisor failed: ${(err as Error).message}` });
        } catch {
          // the instance's directory itself is the problem: the error below says what it is
        }
        throw err;
      }
    });
}
