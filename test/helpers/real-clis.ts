// Which real agent CLIs a test may run: $AGENTCTL_REAL_CLIS names a bin directory holding the
// pinned versions (bash .ci/run installs them and sets it). Tests that need one skip without it.
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';

export const REAL_CLIS = process.env.AGENTCTL_REAL_CLIS;

/** Why `agent` cannot be run for real here, or undefined when it can. */
export function whyNoRealCli(agent: string): string | undefined {
  if (!REAL_CLIS) return 'AGENTCTL_REAL_CLIS is not set (bash .ci/run installs the real CLIs and sets it)';
  try {
    accessSync(join(REAL_CLIS, agent), constants.X_OK);
    return undefined;
  } catch {
    return `no ${agent} in AGENTCTL_REAL_CLIS=${REAL_CLIS}`;
  }
}
