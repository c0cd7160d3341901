// Cancelling a run: the core stops it (through its supervisor when one is alive) and ends it.
import { cancelRun as cancelRecord } from '../core/lifecycle/cancel.js';
import type { Meta } from '../core/runs/meta.js';
import type { AppContext } from './context.js';

/** Stop the run an id names and return its final record; a run already ended is an error. */
export function cancelRun(ctx: AppContext, query: string): Promise<Meta> {
  return cancelRecord(ctx.ws, ctx.configOrNull(), query);
}
