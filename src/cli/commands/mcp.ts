// `agentctl mcp`: the run API as MCP tools. The one place the command line hands over to the
// other front-end (src/mcp), loaded only here: no other command loads the SDK.
import { type AppContext, createContext } from '../../app/context.js';
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
  // each transport's module loads only its part of the SDK
  if (o.http !== undefined) await (await import('../../mcp/http.js')).serveHttp(server, { listen: o.http, tokenFile: o.tokenFile, home: ctx.home, env: ctx.env });
  else await (await import('../../mcp/stdio.js')).serveStdio(server);
}

export async function installClaudeCmd(ctx: AppContext, o: { scope?: 'local' | 'project' | 'user'; name?: string; dryRun?: boolean; http?: string }): Promise<void> {
  const { installClaude } = await import('../../mcp/install.js');
  await installClaude(ctx, { name: o.name ?? 'agentctl', scope: o.scope, dryRun: o.dryRun, http: o.http });
}
