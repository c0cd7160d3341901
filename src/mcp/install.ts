// `agentctl mcp install-claude`: register this server with Claude Code through its own CLI
// (`claude mcp add`), so the command line it records is exactly what Claude Code will run.
// --http registers a running `agentctl mcp --http` instead. Its bearer token must not be in
// argv (every local user reads argv through ps), and `claude mcp add --header` takes the
// header's value in argv: so the header recorded is `Authorization: Bearer ${AGENTCTL_MCP_TOKEN}`,
// a variable name that Claude Code expands from its own environment when it connects (it
// expands ${VAR} in the headers of .mcp.json and ~/.claude.json entries). agentctl never reads
// the token here.
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import type { AppContext } from '../app/context.js';
import { AppError } from '../core/sys/errors.js';
import { cliEntry, which } from '../core/sys/self.js';
import { tokenFilePath } from './token.js';

const SCOPES = ['local', 'project', 'user'] as const;

/** The absolute command that serves this workspace over stdio: the launcher when it is there. */
export function serverCommand(home: string): { command: string; args: string[] } {
  const entry = cliEntry();
  const launcher = join(dirname(entry), '..', 'bin', 'agentctl');
  const args = ['--home', home, 'mcp'];
  if (existsSync(launcher)) return { command: realpathSync(launcher), args };
  return { command: process.execPath, args: [entry, ...args] };
}

const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`);

export interface InstallOptions {
  name: string;
  scope?: (typeof SCOPES)[number];
  dryRun?: boolean;
  /** The URL of a running `agentctl mcp --http` server, instead of a stdio command. */
  http?: string;
}

/** What Claude Code sends: the token's variable, expanded by Claude Code, never the token. */
export const AUTH_HEADER = 'Authorization: Bearer ${AGENTCTL_MCP_TOKEN}';

function httpUrl(text: string): string {
  let url: URL | null = null;
  try {
    url = new URL(text);
  } catch {
    // refused below
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new AppError(`invalid --http ${JSON.stringify(text)}: give the server's URL, as "agentctl mcp --http" prints it, e.g. http://127.0.0.1:8765/mcp`);
  }
  return url.href;
}

export async function installClaude(ctx: AppContext, o: InstallOptions): Promise<void> {
  const scope = o.scope ? ['--scope', o.scope] : [];
  let addArgs: string[];
  let snippet: Record<string, unknown>;
  let serves: string;
  if (o.http !== undefined) {
    const url = httpUrl(o.http);
    addArgs = ['mcp', 'add', ...scope, '--transport', 'http', '--header', AUTH_HEADER, o.name, url];
    snippet = { type: 'http', url, headers: { Authorization: 'Bearer ${AGENTCTL_MCP_TOKEN}' } };
    serves = `Claude Code will connect to ${url}, sending the token from its environment: start it with AGENTCTL_MCP_TOKEN set to the server's token (e.g. AGENTCTL_MCP_TOKEN="$(cat ${quote(tokenFilePath(ctx.home))})" for the token a loopback server keeps in its workspace)`;
  } else {
    const { command, args } = serverCommand(ctx.home);
    addArgs = ['mcp', 'add', ...scope, o.name, '--', command, ...args];
    snippet = { command, args };
    serves = `Claude Code will run: ${[command, ...args].map(quote).join(' ')}`;
  }
  if (o.dryRun) {
    ctx.stdout.write(`claude ${addArgs.map(quote).join(' ')}\n\n${JSON.stringify({ mcpServers: { [o.name]: snippet } }, null, 2)}\n`);
    return;
  }
  const claude = which('claude', ctx.env.PATH, ctx.cwd);
  if (!claude) {
    throw new AppError(
      `claude (Claude Code) is not on PATH: install it (npm install -g @anthropic-ai/claude-code), or register the server in your MCP client by hand (see "agentctl mcp install-claude --dry-run")`,
    );
  }
  const r = await execa(claude, addArgs, { reject: false, stdin: 'ignore', timeout: 60_000, cwd: ctx.cwd, env: ctx.env, extendEnv: false });
  if (r.stdout) ctx.stdout.write(`${String(r.stdout).trimEnd()}\n`);
  if (r.exitCode !== 0) {
    const why = String(r.stderr || r.stdout).trim().split('\n')[0] || `exit ${r.exitCode ?? r.signal}`;
    throw new AppError(`claude mcp add failed: ${why}: fix that (e.g. "claude mcp remove ${o.name}${o.scope ? ` --scope ${o.scope}` : ''}" first), then run this again`);
  }
  ctx.stdout.write(`${serves}\n`);
}
