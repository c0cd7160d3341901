import { accessSync, constants, existsSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the built CLI entry, for commands agentctl runs itself (the pane supervisor). */
export function cliEntry(env: NodeJS.ProcessEnv = process.env): string {
  if (env.AGENTCTL_CLI) return env.AGENTCTL_CLI;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    if (basename(dir) === 'dist' && existsSync(join(dir, 'cli.js'))) return join(dir, 'cli.js');
    if (existsSync(join(dir, 'dist', 'cli.js'))) return join(dir, 'dist', 'cli.js');
    dir = dirname(dir);
  }
  return realpathSync(process.argv[1] ?? '');
}

/**
 * The command line that runs agentctl itself (the pane supervisor, the demo's commands): from
 * the startup snapshot under bin/agentctl's rule (this node has the modification time of
 * dist/agentctl.blob.stamp, to the nanosecond: it built the snapshot), else the bundle.
 * env: whose AGENTCTL_CLI and AGENTCTL_NO_SNAPSHOT count (default: this process's).
 */
export function selfCommand(env: NodeJS.ProcessEnv = process.env): string[] {
  const entry = cliEntry(env);
  const blob = join(dirname(entry), 'agentctl.blob');
  try {
    if (!env.AGENTCTL_NO_SNAPSHOT) {
      const mtime = (p: string) => statSync(p, { bigint: true }).mtimeNs;
      if (mtime(process.execPath) === mtime(`${blob}.stamp`) && existsSync(blob)) {
        // node refuses a snapshot under V8 flags other than the build's, and the pane's
        // environment (the tmux server's) may hold NODE_OPTIONS: run without it
        return ['env', '-u', 'NODE_OPTIONS', process.execPath, '--snapshot-blob', blob, '--'];
      }
    }
  } catch {
    // no snapshot: run the bundle
  }
  return [process.execPath, entry];
}

function isExecutableFile(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Look a command up on a PATH string the way execvp would. */
export function which(cmd: string, pathVar: string | undefined, cwd: string): string | null {
  if (cmd.includes('/')) {
    const p = cmd.startsWith('/') ? cmd : join(cwd, cmd);
    return isExecutableFile(p) ? p : null;
  }
  for (const dir of (pathVar ?? '').split(':')) {
    if (dir && isExecutableFile(join(dir, cmd))) return join(dir, cmd);
  }
  return null;
}

/** The directory agentctl is installed in: it holds package.json, prompts/ and config/. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'config'))) return dir;
    dir = dirname(dir);
  }
  return dirname(dirname(cliEntry()));
}
