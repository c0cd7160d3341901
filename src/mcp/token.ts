// The HTTP server's bearer token. Loopback is no boundary between the accounts of one machine:
// any local user can connect to 127.0.0.1, and a tool call can start shell runs as the
// server's user. So a token is always required; where none is given, the workspace keeps one in
// a file only its owner can read, made once and reused, so clients configured once keep working.
import { randomBytes } from 'node:crypto';
import { closeSync, constants, linkSync, lstatSync, mkdirSync, openSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../core/sys/errors.js';
import { readRegularFile, type UnreadableFile } from '../core/sys/userfile.js';

/** The token file of a workspace, when neither AGENTCTL_MCP_TOKEN nor --token-file gives one. */
export const tokenFilePath = (home: string) => join(home, 'mcp-token');

const TOKEN_FILE_MAX = 4096;

function readToken(path: string, what: string): string {
  let text: string;
  try {
    text = readRegularFile(path, TOKEN_FILE_MAX).toString('utf8').trim();
  } catch (err) {
    throw new AppError(`cannot read ${what} ${path}: ${(err as UnreadableFile).reason}`);
  }
  if (!text) throw new AppError(`${what} ${path} is empty: put the token in it`);
  return text;
}

/**
 * --token-file, else $AGENTCTL_MCP_TOKEN; null when none is set. There is no --token flag on
 * purpose: a secret in argv is readable by every local user through ps.
 */
export function configuredToken(tokenFile: string | undefined, env: NodeJS.ProcessEnv): string | null {
  if (tokenFile !== undefined) return readToken(tokenFile, '--token-file');
  return env.AGENTCTL_MCP_TOKEN?.trim() || null;
}

/**
 * The workspace's token: read when the file is there, else made. Made in a private temporary
 * file (mode 0600 from its creation) and linked into place: another process sees no file or
 * the whole token, never a partial or readable one; two servers starting at once agree on the
 * first link.
 */
export function workspaceToken(home: string): string {
  const path = tokenFilePath(home);
  mkdirSync(home, { recursive: true, mode: 0o700 });
  if (present(path)) return existingToken(path);
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    writeSync(fd, `${randomBytes(32).toString('base64url')}\n`);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(tmp);
  }
  return existingToken(path);
}

/** A token file others could read, or that belongs to someone else, is no secret: refuse it. */
function existingToken(path: string): string {
  const st = statSync(path);
  if (process.getuid && st.uid !== process.getuid()) {
    throw new AppError(`token file ${path} belongs to another user (uid ${st.uid})`, { fix: 'remove it: the server makes a new one' });
  }
  if (st.mode & 0o077) {
    throw new AppError(`token file ${path} is open to other users (mode ${(st.mode & 0o777).toString(8)})`, { fix: `chmod 600 ${path}, or remove it for a new token` });
  }
  return readToken(path, 'token file');
}

function present(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}
