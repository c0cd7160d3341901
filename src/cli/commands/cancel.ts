import { cancelRun as cancelInWorkspace } from '../../core/lifecycle/cancel.js';
import type { Meta } from '../../core/runs/meta.js';
import { compactResult } from '../../core/runs/result.js';
import { loadConfigOrNull } from '../../core/workspace/config.js';
import { resolveHome, workspace } from '../../core/workspace/paths.js';

/** Cancel a run (see core/lifecycle/cancel.ts); returns its final record. Shared by the CLI and MCP. */
export async function cancelRun(o: { home?: string; id: string }): Promise<Meta> {
  const ws = workspace(resolveHome(o.home));
  return cancelInWorkspace(ws, loadConfigOrNull(ws), o.id);
}

export async function cancelCmd(o: { home?: string; id: string }): Promise<void> {
  process.stdout.write(`${JSON.stringify(compactResult(await cancelRun(o)))}\n`);
}
