import { cancelRun as cancel } from '../../app/cancel.js';
import { ResultView } from '../../app/views.js';
import { compactResult } from '../../core/runs/result.js';
import { defineTool, resultLine, runId } from './tool.js';

export const cancelRun = defineTool({
  definition: {
    name: 'cancel_run',
    title: 'Cancel a run',
    description:
      "Stop a run that is still going: its worker's whole process tree is killed and the run ends with outcome cancelled. Returns the run's final result. Cancelling a run that already ended is an error.",
    input: { id: runId },
    output: ResultView.shape,
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  },
  async run(a, { ctx }) {
    const r = compactResult(await cancel(ctx, a.id));
    return { data: r, text: resultLine(r) };
  },
});
