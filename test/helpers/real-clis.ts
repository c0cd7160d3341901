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

/**
 * What an agent CLI (real or fake, headless or TUI) needs to talk only to the loopback model
 * server at `url`: both APIs pointed at it, the proxy variables too (anything else shows up as
 * a refused CONNECT), and the CLIs' own outside traffic switched off.
 */
export function offlineAgentEnv(url: string): Record<string, string> {
  return {
    HTTPS_PROXY: url, HTTP_PROXY: url, https_proxy: url, http_proxy: url,
    NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost',
    SCRIPTED_API_KEY: 'sk-scripted',
    ANTHROPIC_BASE_URL: url, ANTHROPIC_API_KEY: 'sk-ant-scripted-0123456789abcdef',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', DISABLE_TELEMETRY: '1', DISABLE_ERROR_REPORTING: '1', DISABLE_AUTOUPDATER: '1', CLAUDE_CODE_MAX_RETRIES: '0',
    CLAUDE_CODE_DISABLE_OFFICIAL_MARKETPLACE_AUTOINSTALL: '1',
    // the tests run as root, where claude's bypass mode needs it
    IS_SANDBOX: '1',
  };
}
