import { loadConfigOrNull } from '../../core/workspace/runview.js';
import { readFileOrNull } from '../../core/sys/fsutil.js';
import { refreshLiveness } from '../../core/lifecycle/liveness.js';
import { resolveHome, runFiles, workspace } from '../../core/workspace/paths.js';
import { durationSeconds } from '../../core/runs/result.js';
import { readMeta, resolveRunId } from '../../core/runs/store.js';

/** A run's full record: meta (liveness checked), parsed result and artifact paths. */
export async function showRecord(o: { home?: string; id: string }) {
  const ws = workspace(resolveHome(o.home));
  const id = resolveRunId(ws, o.id);
  const meta = await refreshLiveness(ws, loadConfigOrNull(ws), readMeta(ws, id));
  const files = runFiles(ws.home, id);
  const resultText = readFileOrNull(files.result);
  let result: unknown = null;
  try {
    result = resultText ? JSON.parse(resultText) : null;
  } catch {
    result = null;
  }
  return {
    ...meta,
    duration_s: durationSeconds(meta),
    result,
    files: {
      dir: files.dir,
      meta: files.meta,
      prompt: files.prompt,
      schema: files.schema,
      events: files.events,
      stderr: files.stderr,
      answer: files.answer,
      result: files.result,
    },
  };
}

export async function showCmd(o: { home?: string; id: string }): Promise<void> {
  process.stdout.write(`${JSON.stringify(await showRecord(o), null, 2)}\n`);
}
