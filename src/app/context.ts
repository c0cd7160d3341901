// What one invocation works with, resolved once and passed down: the workspace, its config
// (read at first use), the caller's environment and directory, and where output goes. The CLI
// makes one per command line, the MCP server one for its lifetime; tests make their own with
// captured streams. The app layer reads neither process.env nor process.cwd() itself.
import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { AppError } from '../core/sys/errors.js';
import { loadConfig, type LoadedConfig } from '../core/workspace/config.js';
import { workspace, type Workspace } from '../core/workspace/paths.js';

/** An output stream as printers use it (process.stdout, or a capture in tests). */
export type Output = NodeJS.WritableStream & { isTTY?: boolean };

export interface AppContext {
  /** The workspace directory (absolute). */
  readonly home: string;
  readonly ws: Workspace;
  /** config.json with the built-in profiles, read once; throws AppError when it is broken. */
  config(): LoadedConfig;
  /** The config, or null when it is missing or broken: reads that must work anyway (liveness checks). */
  configOrNull(): LoadedConfig | null;
  /** The caller's environment: workers get it (PATH, CODEX_HOME, API keys). */
  readonly env: NodeJS.ProcessEnv;
  /** The caller's directory: a relative project path resolves against it. */
  readonly cwd: string;
  readonly stdout: Output;
  readonly stderr: Output;
}

export interface ContextOptions {
  /** --home; else $AI_ORCH_HOME of env, else ~/.ai-orch. */
  home?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  stdout?: Output;
  stderr?: Output;
}

/** The workspace directory: --home wins over AI_ORCH_HOME, which wins over ~/.ai-orch. */
export function homeFrom(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return resolve(flag || env.AI_ORCH_HOME || join(env.HOME || homedir(), '.ai-orch'));
}

/**
 * A workspace that is a file, or below one, fails every command deep inside with ENOTDIR: say
 * so up front. A missing one is fine: init and the first start create it.
 */
function checkHome(home: string, source: string): void {
  const fix = { fix: 'give a directory (created when missing), or move the file away' };
  let isDir: boolean;
  try {
    isDir = statSync(home).isDirectory();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') throw new AppError(`${source} ${home} is inside a file, not a directory`, fix);
    return;
  }
  if (!isDir) throw new AppError(`${source} ${home} is a file, not a directory`, fix);
}

/** A context for this process (the defaults), or for the environment, directory and streams given. */
export function createContext(o: ContextOptions = {}): AppContext {
  const env = o.env ?? process.env;
  const home = homeFrom(o.home, env);
  checkHome(home, o.home ? '{opt:home}' : env.AI_ORCH_HOME ? 'AI_ORCH_HOME' : 'workspace');
  const ws = workspace(home);
  let cached: LoadedConfig | undefined;
  const config = (): LoadedConfig => (cached ??= loadConfig(ws));
  return {
    home,
    ws,
    config,
    configOrNull: () => {
      try {
        return config();
      } catch {
        return null;
      }
    },
    env,
    cwd: o.cwd ?? process.cwd(),
    stdout: o.stdout ?? process.stdout,
    stderr: o.stderr ?? process.stderr,
  };
}
