import type { AppContext } from '../../app/context.js';
import { checkLine, doctorReport } from '../../app/doctor.js';
import { ExitCode } from '../../core/sys/errors.js';
import { visible } from '../terminal.js';

export async function doctorCmd(ctx: AppContext, o: { json?: boolean }): Promise<void> {
  const report = await doctorReport(ctx);
  if (o.json) ctx.stdout.write(`${JSON.stringify(report)}\n`);
  else for (const c of report.checks) ctx.stdout.write(`${visible(checkLine(c))}\n`);
  if (!report.ok) throw new ExitCode(1);
}
