import { appendFileSync, closeSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { AppError } from './errors.js';

let tmpCounter = 0;

/** Write a file so readers see either the old or the new content, never a torn one. */
export function writeFileAtomic(path: string, data: string, mode = 0o644): void {
  const tmp = `${path}.${process.pid}.${++tmpCounter}.tmp`;
  try {
    writeFileSync(tmp, data, { mode });
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Create a file with this content unless it exists; returns whether it was created. Complete
 * or absent (written aside, then hard-linked in), and never replaces a file another process
 * created meanwhile.
 */
export function createFileIfAbsent(path: string, data: string, mode = 0o644): boolean {
  const tmp = `${path}.${process.pid}.${++tmpCounter}.tmp`;
  try {
    writeFileSync(tmp, data, { mode });
    linkSync(tmp, path);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw err;
    // a filesystem without hard links: exclusive create in place
    try {
      writeFileSync(path, data, { mode, flag: 'wx' });
      return true;
    } catch (err2) {
      if ((err2 as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err2;
    }
  } finally {
    rmSync(tmp, { force: true });
  }
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** Read a file or return null when it does not exist. */
export function readFileOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const STALE_LOCK_MS = 30_000;

/**
 * Run fn while holding an exclusive lock file (O_EXCL create). A lock whose holder died, or
 * that is older than 30 s, is taken over, so a crashed writer never blocks the workspace.
 */
export function withLock<T>(lockPath: string, fn: () => T, timeoutMs = 10_000): T {
  const deadline = Date.now() + timeoutMs;
  let token: string | null;
  for (let attempt = 0; !(token = tryLock(lockPath)); attempt++) {
    if (Date.now() > deadline) throw lockTimeout(lockPath);
    sleepSync(Math.min(2 + attempt, 20));
  }
  try {
    return fn();
  } finally {
    unlock(lockPath, token);
  }
}

/**
 * withLock for asynchronous work (git commands, which may run longer than the 30 s after which
 * a lock counts as stale): waits without blocking the event loop, and keeps the lock file's
 * mtime fresh while fn runs, so a live holder is never taken over.
 */
export async function withLockAsync<T>(lockPath: string, fn: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let token: string | null;
  for (let attempt = 0; !(token = tryLock(lockPath)); attempt++) {
    if (Date.now() > deadline) throw lockTimeout(lockPath);
    await new Promise((r) => setTimeout(r, Math.min(5 + 2 * attempt, 40)));
  }
  const heartbeat = setInterval(() => {
    try {
      const now = new Date();
      utimesSync(lockPath, now, now);
    } catch {
      // gone: unlock finds out
    }
  }, STALE_LOCK_MS / 3);
  heartbeat.unref();
  try {
    return await fn();
  } finally {
    clearInterval(heartbeat);
    unlock(lockPath, token);
  }
}

/**
 * One attempt at taking the lock: the holder's token ("pid:random", what the file holds), or
 * null while someone alive holds it.
 */
function tryLock(lockPath: string): string | null {
  const token = `${process.pid}:${Math.random().toString(36).slice(2, 10)}`;
  for (;;) {
    try {
      const fd = openSync(lockPath, 'wx', 0o600);
      writeSync(fd, token);
      closeSync(fd);
      return token;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        mkdirSync(dirname(lockPath), { recursive: true });
        continue;
      }
      if (code !== 'EEXIST') throw err;
      if (!isStale(lockPath)) return null;
      rmSync(lockPath, { force: true });
    }
  }
}

/** Release the lock if it is still ours: one taken over as stale belongs to its new holder. */
function unlock(lockPath: string, token: string): void {
  try {
    if (readFileSync(lockPath, 'utf8') === token) unlinkSync(lockPath);
  } catch {
    // already gone: nothing to release
  }
}

function lockTimeout(lockPath: string): AppError {
  return new AppError(`timed out waiting for lock ${lockPath}: if no other agentctl is running, delete that file`);
}

function isStale(lockPath: string): boolean {
  try {
    const holder = Number(readFileSync(lockPath, 'utf8').split(':')[0]);
    if (holder > 0 && !pidAlive(holder)) return true;
    return Date.now() - statSync(lockPath).mtimeMs > STALE_LOCK_MS;
  } catch {
    return false; // vanished or half-written: the next attempt sorts it out
  }
}

/**
 * Append a line to a file that a rewriter (clean --runs) replaces under the same lock, so the
 * line cannot be lost to the rewrite. Should the lock stay busy, the line is appended anyway:
 * readers rely on it more than on the rewrite.
 */
export function appendUnderLock(path: string, lockPath: string, line: string): void {
  const append = () => appendFileSync(path, line);
  let locked = false;
  try {
    withLock(lockPath, () => {
      locked = true;
      append();
    });
  } catch (err) {
    if (locked) throw err;
    append();
  }
}
