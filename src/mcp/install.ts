// `agentctl mcp install-claude`: register this server with Claude Code through its own CLI
// (`claude mcp add`), so the command line it records is exactly what Claude Code will run.
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import type { AppContext } from '../app/context.js';
import { AppError } from '../core/sys/errors.js';
import { cliEntry, which } from '../core/sys/self.js';

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
}

export async function installClaude(ctx: AppContext, o: InstallOptions): Promise<void> {
  const { command, args } = serverCommand(ctx.home);
  const addArgs = ['mcp', 'add', ...(o.scope ? ['--scope', o.scope] : []), o.name, '--', command, ...args];
  if (o.dryRun) {
    const snippet = { mcpServers: { [o.name]: { command, args } } };
    ctx.stdout.write(`claude ${addArgs.map(quote).join(' ')}\n\n${JSON.stringify(snippet, null, 2)}\n`);
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
  ctx.stdout.write(`Claude Code will run: ${[command, ...args].map(quote).join(' ')}\n`);
}
