// /health and /ready. Without the token both say only whether all is well: the versions, paths
// and reasons are for those who hold it. The agent CLIs' versions cost a process start each
// (a second or more for the real ones), so they are asked at most once a few minutes.
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { execa } from 'execa';
import { getAdapter } from '../agents/index.js';
import { AGENT_NAMES } from '../agents/types.js';
import type { AppContext } from '../app/context.js';
import { which } from '../core/sys/self.js';
import { socketFrom } from '../core/tmux/tmux.js';
import { VERSION } from '../version.js';

const AGENTS_TTL_MS = 5 * 60_000;

export interface AgentCli {
  found: boolean;
  version: string | null;
  path: string | null;
}

export interface HealthReport {
  status: 'ok' | 'fail';
  version: string;
  uptime_s: number;
  workspace: { path: string; writable: boolean; initialised: boolean };
  tmux: { reachable: boolean; version: string | null; server: 'running' | 'not running' | 'not answering' };
  agents: Record<string, AgentCli>;
}

export class Health {
  private readonly started = Date.now();
  private agents: { at: number; value: Promise<Record<string, AgentCli>> } | null = null;

  async report(ctx: AppContext): Promise<HealthReport> {
    const [writable, initialised, tmuxVersion, server, agents] = await Promise.all([writableDir(ctx.home), initialisedAt(ctx), tmuxVersionOf(ctx.env), tmuxServer(ctx), this.agentClis(ctx)]);
    const reachable = tmuxVersion !== null && server !== 'not answering';
    return {
      status: writable && reachable ? 'ok' : 'fail',
      version: VERSION,
      uptime_s: Math.round((Date.now() - this.started) / 1000),
      workspace: { path: ctx.home, writable, initialised },
      tmux: { reachable, version: tmuxVersion, server },
      agents,
    };
  }

  /** Why no work can start now; empty when it can. No paths or secrets: /ready answers anyone. */
  async notReady(ctx: AppContext): Promise<string[]> {
    const [writable, initialised, tmuxVersion, server] = await Promise.all([writableDir(ctx.home), initialisedAt(ctx), tmuxVersionOf(ctx.env), tmuxServer(ctx)]);
    const why: string[] = [];
    if (!initialised) why.push('the workspace is not set up, or its config.json is broken (agentctl doctor)');
    if (!writable) why.push('the workspace is not writable');
    if (tmuxVersion === null) why.push('tmux does not run');
    else if (server === 'not answering') why.push('the tmux server does not answer');
    return why;
  }

  private agentClis(ctx: AppContext): Promise<Record<string, AgentCli>> {
    if (!this.agents || Date.now() - this.agents.at > AGENTS_TTL_MS) this.agents = { at: Date.now(), value: askAgents(ctx) };
    return this.agents.value;
  }
}

async function askAgents(ctx: AppContext): Promise<Record<string, AgentCli>> {
  const out: Record<string, AgentCli> = {};
  await Promise.all(
    AGENT_NAMES.filter((a) => a !== 'shell').map(async (agent) => {
      const path = which(getAdapter(agent).binary, ctx.env.PATH, ctx.cwd);
      let version: string | null = null;
      if (path) {
        const r = await execa(path, ['--version'], { reject: false, timeout: 10_000, stdin: 'ignore', env: ctx.env, extendEnv: false });
        if (r.exitCode === 0) version = String(r.stdout ?? '').trim().split('\n')[0] || null;
      }
      out[agent] = { found: path !== null, version, path };
    }),
  );
  return out;
}

/** The workspace directory, or where it would be made, can be written to. */
async function writableDir(home: string): Promise<boolean> {
  try {
    if (!(await stat(home)).isDirectory()) return false;
    await access(home, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

async function initialisedAt(ctx: AppContext): Promise<boolean> {
  return ctx.configOrNull() !== null && (await stat(ctx.ws.config).then(() => true, () => false));
}

const tmuxCall = (args: string[], env: NodeJS.ProcessEnv) => execa('tmux', args, { reject: false, timeout: 5_000, stdin: 'ignore', env, extendEnv: false });

async function tmuxVersionOf(env: NodeJS.ProcessEnv): Promise<string | null> {
  const r = await tmuxCall(['-V'], env);
  return r.exitCode === 0 ? String(r.stdout).trim() : null;
}

/**
 * The workspace's tmux server: running and answering, not running (the next start starts it),
 * or not answering (a hung server: runs cannot be placed).
 */
async function tmuxServer(ctx: AppContext): Promise<'running' | 'not running' | 'not answering'> {
  const sock = socketFrom(ctx.configOrNull() ?? { tmux_socket: null, tmux_socket_name: null }, ctx.env);
  const r = await tmuxCall([...(sock.socket ? ['-S', sock.socket] : sock.socketName ? ['-L', sock.socketName] : []), 'list-sessions', '-F', '#{session_id}'], ctx.env);
  if (r.timedOut) return 'not answering';
  return r.exitCode === 0 ? 'running' : 'not running';
}
