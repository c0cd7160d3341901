import type { AppContext } from '../../app/context.js';
import { type EscalateOptions, escalateWith, type ResumeOptions, resumeWith } from '../../app/start.js';
import { type PrintOptions, printStarted, promptFrom } from './start.js';

export async function resumeCmd(ctx: AppContext, o: ResumeOptions & PrintOptions & { promptFile?: string }): Promise<void> {
  printStarted(ctx, await resumeWith(ctx, o, promptFrom(o.promptFile)), o.json);
}

export async function escalateCmd(ctx: AppContext, o: EscalateOptions & PrintOptions): Promise<void> {
  printStarted(ctx, await escalateWith(ctx, o), o.json);
}
