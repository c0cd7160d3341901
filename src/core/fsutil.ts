import { appendFileSync, closeSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { UserError } from './errors.js';

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
  for (let attempt = 0; !tryLock(lockPath); attempt++) {
    if (Date.now() > deadline) throw lockTimeout(lockPath);
    sleepSync(Math.min(2 + attempt, 20));
  }
  try {
    return fn();
  } finally {
    unlock(lockPath);
  }
}

/** withLock for asynchronous work (git commands): waits without blocking the event loop. */
export async function withLockAsync<T>(lockPath: string, fn: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; !tryLock(lockPath); attempt++) {
    if (Date.now() > deadline) throw lockTimeout(lockPath);
    await new Promise((r) => setTimeout(r, Math.min(5 + 2 * attempt, 40)));
  }
  try {
    return await fn();
  } finally {
    unlock(lockPath);
  }
}

/** One attempt at taking the lock; false while someone alive holds it. */
function tryLock(lockPath: string): boolean {
  for (;;) {
    try {
      const fd = openSync(lockPath, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return true;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        mkdirSync(dirname(lockPath), { recursive: true });
        continue;
      }
      if (code !== 'EEXIST') throw err;
      if (!isStale(lockPath)) return false;
      rmSync(lockPath, { force: true });
    }
  }
}

function unlock(lockPath: string): void {
  try {
    unlinkSync(lockPath);
  } catch {
    // already taken over as stale: nothing to release
  }
}

function lockTimeout(lockPath: string): UserError {
  return new UserError(`timed out waiting for lock ${lockPath}: if no other agentctl is running, delete that file`);
}

function isStale(lockPath: string): boolean {
  try {
    const holder = Number(readFileSync(lockPath, 'utf8'));
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
