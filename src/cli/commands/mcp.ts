// `agentctl mcp`: the run API as MCP tools. The command line hands over to the other front-end
// through mcp-port.ts (plugged in by src/main.ts), loaded only here: no other command loads the SDK.
import { type AppContext, createContext } from '../../app/context.js';
import { mcpFrontEnd } from '../mcp-port.js';
import { parseDuration } from '../../core/sys/duration.js';
import { AppError } from '../../core/sys/errors.js';

export interface McpOptions {
  http?: string;
  tokenFile?: string;
  maxWait?: string;
}

export async function mcpCmd(ctx: AppContext, o: McpOptions): Promise<void> {
  if (o.http === undefined && o.tokenFile !== undefined) {
    throw new AppError('--token-file is for --http (stdio needs no token): add --http [HOST:]PORT, or drop it');
  }
  const maxWaitS = parseDuration(o.maxWait ?? '50', '--max-wait');
  // a context per tool call, so each reads config.json afresh; never stdout, the stdio transport's
  const context = () => createContext({ home: ctx.home, env: ctx.env, cwd: ctx.cwd, stdout: ctx.stderr, stderr: ctx.stderr });
  const server = { maxWaitS, context };
  const mcp = await mcpFrontEnd();
  if (o.http !== undefined) await mcp.serveHttp(server, { listen: o.http, tokenFile: o.tokenFile, home: ctx.home, env: ctx.env });
  else await mcp.serveStdio(server);
}

export async function installClaudeCmd(ctx: AppContext, o: { scope?: 'local' | 'project' | 'user'; name?: string; dryRun?: boolean; http?: string }): Promise<void> {
  await (await mcpFrontEnd()).installClaude(ctx, { name: o.name ?? 'agentctl', scope: o.scope, dryRun: o.dryRun, http: o.http });
}
