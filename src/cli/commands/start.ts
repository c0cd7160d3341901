import type { AppContext } from '../../app/context.js';
import { type PromptSource, type StartOptions, startedView, startWith } from '../../app/start.js';
import type { Meta } from '../../core/runs/meta.js';
import { readPrompt } from '../../core/sys/stdin.js';

/** What start, resume and escalate print of a new run. */
export interface PrintOptions {
  json?: boolean;
}

/**
 * The prompt from --prompt-file, else stdin: read only when asked, and told whether the run
 * needs one, so a terminal is never waited on (or refused) for a run that needs none.
 */
export const promptFrom = (promptFile: string | undefined): PromptSource => (required) => readPrompt({ promptFile, optional: !required });

export async function startCmd(ctx: AppContext, o: StartOptions & PrintOptions & { promptFile?: string }): Promise<void> {
  printStarted(ctx, await startWith(ctx, o, promptFrom(o.promptFile)), o.json);
}

export function printStarted(ctx: AppContext, meta: Meta, json?: boolean): void {
  ctx.stdout.write(json ? `${JSON.stringify(startedView(meta))}\n` : `${meta.run_id}\n`);
}
