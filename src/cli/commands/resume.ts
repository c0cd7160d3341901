import type { AppContext } from '../../app/context.js';
import { type EscalateOptions, escalateWith, type ResumeOptions, resumeWith } from '../../app/start.js';
import { AppError } from '../../core/sys/errors.js';
import { type PrintOptions, printStarted, promptFrom } from './start.js';

type ResumeArgs = Omit<ResumeOptions, 'parentRunId'> & PrintOptions & { id?: string; parentRunId?: string; promptFile?: string };

/** `resume ID`; `--parent-run-id ID`, its older spelling, still works. */
export async function resumeCmd(ctx: AppContext, o: ResumeArgs): Promise<void> {
  if (o.id && o.parentRunId && o.id !== o.parentRunId) throw new AppError(`two runs to resume: ${o.id} and ${o.parentRunId}`, { fix: 'give one run id' });
  const parentRunId = o.id ?? o.parentRunId;
  if (!parentRunId) throw new AppError('which run should be resumed?', { fix: 'give its id: agentctl resume ID' });
  printStarted(ctx, await resumeWith(ctx, { ...o, parentRunId }, promptFrom(o.promptFile)), o.json);
}

export async function escalateCmd(ctx: AppContext, o: EscalateOptions & PrintOptions): Promise<void> {
  printStarted(ctx, await escalateWith(ctx, o), o.json);
}
