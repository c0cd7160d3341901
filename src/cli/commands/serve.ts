// `agentctl serve --http [HOST:]PORT`: the dashboard, the MCP endpoint, health and metrics on
// one port. The server is another front-end, plugged in by src/main.ts (server-port.ts).
import type { Command } from 'commander';
import { type AppContext, createContext } from '../../app/context.js';
import { parseDuration } from '../../core/sys/duration.js';
import { serverFrontEnd } from '../server-port.js';

export interface ServeCmdOptions {
  http: string;
  tokenFile?: string;
  maxWait?: string;
}

export async function serveCmd(ctx: AppContext, o: ServeCmdOptions): Promise<void> {
  const maxWaitS = parseDuration(o.maxWait ?? '50', '--max-wait');
  // a context per request, so each reads config.json afresh
  const context = () => createContext({ home: ctx.home, env: ctx.env, cwd: ctx.cwd, stdout: ctx.stderr, stderr: ctx.stderr });
  await (await serverFrontEnd()).serve({ maxWaitS, context }, { listen: o.http, tokenFile: o.tokenFile, home: ctx.home, env: ctx.env, log: ctx.stderr });
}

/** The `serve` command, registered by program.ts. */
export function registerServeCommands(program: Command, ctx: (cmd: Command) => AppContext | Promise<AppContext>): void {
  program
    .command('serve')
    .description('serve the web dashboard, the MCP endpoint (/mcp), /health, /ready and /metrics on one HTTP port')
    .requiredOption('--http <[host:]port>', 'listen here (host default 127.0.0.1; port 0 picks one)')
    .option('--token-file <file>', "the bearer token clients and browsers must present (default: $AGENTCTL_MCP_TOKEN, else on loopback the workspace's mcp-token file, made once; off loopback one generated and printed)")
    .option('--max-wait <seconds>', "longest a wait_runs call on /mcp blocks, below your client's tool-call timeout", '50')
    .addHelpText(
      'after',
      `
Pages and endpoints (all need the token, as "Authorization: Bearer <token>" or the browser's
sign-in cookie, except /login, and /health and /ready, which without it say only ok or not):
  /            runs, newest first, updated live     /runs/ID   one run: prompt, events, result
  /cost        cost over time                       /mcp       the MCP endpoint (as "mcp --http")
  /health      version, uptime, workspace, tmux, agent CLIs (JSON)
  /ready       200 when work can start, else 503 with why
  /metrics     Prometheus text format
A browser signs in once at /login?token=TOKEN (printed at start when stderr is a terminal, else
the file holding the token is named): it then holds an HttpOnly, SameSite=Strict cookie.

Example:
  agentctl serve --http 8765
  curl -H "Authorization: Bearer $(cat ~/.ai-orch/mcp-token)" http://127.0.0.1:8765/metrics`,
    )
    .action(async (opts, cmd) => serveCmd(await ctx(cmd), opts));
}
