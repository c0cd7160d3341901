// `agentctl mcp`: the run API as MCP tools. The SDK is loaded only here, never by other commands.
import { parseDuration } from '../../core/sys/duration.js';
import { AppError } from '../../core/sys/errors.js';
import { resolveHome } from '../../core/workspace/paths.js';
import { thisProcess } from './start.js';

export interface McpOptions {
  home?: string;
  http?: string;
  tokenFile?: string;
  maxWait?: string;
}

export async function mcpCmd(o: McpOptions): Promise<void> {
  if (o.http === undefined && o.tokenFile !== undefined) {
    throw new AppError('--token-file is for --http (stdio needs no token): add --http [HOST:]PORT, or drop it');
  }
  const maxWaitS = parseDuration(o.maxWait ?? '50', '--max-wait');
  const ctx = { home: resolveHome(o.home), maxWaitS, caller: thisProcess() };
  // each transport's module loads only its part of the SDK
  if (o.http !== undefined) await (await import('../../mcp/http.js')).serveHttp(ctx, { listen: o.http, tokenFile: o.tokenFile });
  else await (await import('../../mcp/stdio.js')).serveStdio(ctx);
}

export async function installClaudeCmd(o: { home?: string; scope?: 'local' | 'project' | 'user'; name?: string; dryRun?: boolean }): Promise<void> {
  const { installClaude } = await import('../../mcp/install.js');
  await installClaude({ home: resolveHome(o.home), name: o.name ?? 'agentctl', scope: o.scope, dryRun: o.dryRun });
}
