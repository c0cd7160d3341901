import { appendFileSync, closeSync, constants, existsSync, fstatSync, ftruncateSync, linkSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import v8 from 'node:v8';
import { AppError } from './errors.js';

let tmpCounter = 0;

/** Write a file so readers see either the old or the new content, never a torn one. */
export function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o644): void {
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

export function writeJsonAtomic(path: string, value: unknown, mode = 0o644): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`, mode);
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

/** A file too big to read whole (see readFileBounded). */
export class FileTooBig extends Error {
  constructor(
    readonly path: string,
    readonly size: number,
    readonly limit: number,
  ) {
    super(`${path} is ${size} bytes, over the ${limit}-byte limit for such a file`);
  }
}

/** Read a file of at most `limit` bytes (null when it does not exist); a bigger one throws FileTooBig unread. */
export function readFileBounded(path: string, limit: number): string | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const { size } = fstatSync(fd);
    if (size > limit) throw new FileTooBig(path, size, limit);
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
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

/** How long a lock is waited for: its holder is alive and working (see withLock), so this is generous. */
export const LOCK_WAIT_MS = 30_000;

type FlockSync = (fd: number, op: 'exnb' | 'un') => void;
let flockSync: FlockSync | undefined;

/**
 * flock(2), from the fs-ext addon (node has none), loaded on first use. null while the startup
 * snapshot is built: a snapshot cannot hold a native addon, and the one process building it
 * works alone in a throwaway workspace.
 */
function flockFn(): FlockSync | null {
  if (flockSync) return flockSync;
  if (v8.startupSnapshot.isBuildingSnapshot()) return null;
  flockSync = (createRequire(import.meta.url)('fs-ext') as { flockSync: FlockSync }).flockSync;
  return flockSync;
}

export interface LockOptions {
  /** Create the lock file's directory when it is missing (false: a lock inside a run's directory, which is gone with its run). */
  makeDir?: boolean;
}

/**
 * Tries the lock until it is ours, yielding how long to pause between tries (the caller sleeps
 * or awaits); throws when it stays busy past timeoutMs. A lock without a file (fd null) is ours.
 */
function* pausesUntilLocked(lock: OpenLock, lockPath: string, timeoutMs: number): Generator<number> {
  if (lock.fd === null) return;
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; !tryLock(lock); attempt++) {
    if (Date.now() > deadline) throw lockBusy(lockPath, timeoutMs);
    yield backoff(attempt);
  }
}

/**
 * Run fn while holding an exclusive lock: flock(2) on a lock file that is never deleted. The
 * kernel releases the lock when its holder exits, however it dies, so a lock that is busy has
 * a live holder, which is waited for (up to timeoutMs) and never taken over.
 */
export function withLock<T>(lockPath: string, fn: () => T, timeoutMs = LOCK_WAIT_MS, o: LockOptions = {}): T {
  const lock = openLock(lockPath, o);
  try {
    for (const pause of pausesUntilLocked(lock, lockPath, timeoutMs)) sleepSync(pause);
    return fn();
  } finally {
    unlock(lock);
  }
}

/**
 * withLock for asynchronous work (git commands, which may run for minutes): waits without
 * blocking the event loop. A long hold needs no sign of life: the lock is the kernel's.
 */
export async function withLockAsync<T>(lockPath: string, fn: () => Promise<T>, timeoutMs = LOCK_WAIT_MS, o: LockOptions = {}): Promise<T> {
  const lock = openLock(lockPath, o);
  try {
    for (const pause of pausesUntilLocked(lock, lockPath, timeoutMs)) await new Promise((r) => setTimeout(r, pause));
    return await fn();
  } finally {
    unlock(lock);
  }
}

/** The wait before the next try: short at first, then capped low, so a long waiter is not outrun by newcomers. */
function backoff(attempt: number): number {
  return Math.min(1 + attempt, 10) + Math.random() * 3;
}

interface OpenLock {
  /** null: no locking (the startup snapshot's build). */
  fd: number | null;
  held: boolean;
}

function openLock(lockPath: string, o: LockOptions): OpenLock {
  if (!flockFn()) return { fd: null, held: false };
  for (;;) {
    try {
      return { fd: openSync(lockPath, constants.O_RDWR | constants.O_CREAT, 0o600), held: false };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // flock needs no write access: a read-only workspace can still be read under its locks
      if ((code === 'EROFS' || code === 'EACCES') && existsSync(lockPath)) return { fd: openSync(lockPath, constants.O_RDONLY), held: false };
      if (code !== 'ENOENT' || o.makeDir === false) throw err;
      mkdirSync(dirname(lockPath), { recursive: true });
    }
  }
}

/** One non-blocking attempt; the holder notes its pid in the file, for whoever waits on it. */
function tryLock(lock: OpenLock, mark = true): boolean {
  try {
    flockFn()!(lock.fd!, 'exnb');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EAGAIN' || code === 'EWOULDBLOCK') return false;
    throw err;
  }
  lock.held = true;
  if (mark) notePid(lock.fd!);
  return true;
}

function notePid(fd: number): void {
  try {
    ftruncateSync(fd, 0);
    writeSync(fd, `${process.pid}\n`, 0);
  } catch {
    // only a hint for error messages (a full disk, say): the lock is held all the same
  }
}

/** Release and close; a second call does nothing. */
function unlock(lock: OpenLock): void {
  const fd = lock.fd;
  if (fd === null) return;
  lock.fd = null;
  try {
    if (lock.held) {
      ftruncateSync(fd, 0);
      flockFn()!(fd, 'un');
    }
  } catch {
    // closing releases it in any case
  } finally {
    closeSync(fd);
  }
}

/** A lock held across asynchronous work, taken without waiting (see tryHoldLock). */
export interface HeldLock {
  /** What the lock file held when it was taken: the pid of its previous holder, or '' when none was noted. */
  previous: string;
  /** Note this process as the holder. */
  mark(): void;
  /** Release it; `remove` deletes the lock file first (a lock with no later users). */
  release(o?: { remove?: boolean }): void;
}

/**
 * The lock if it is free now, held until release(); null when another process holds it or
 * (create false) its file does not exist.
 */
export function tryHoldLock(lockPath: string, o: LockOptions & { create?: boolean } = {}): HeldLock | null {
  let lock: OpenLock;
  if (o.create === false) {
    if (!flockFn()) return null;
    try {
      lock = { fd: openSync(lockPath, constants.O_RDWR), held: false };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  } else {
    lock = openLock(lockPath, o);
  }
  let previous = '';
  try {
    if (lock.fd !== null) {
      previous = readFileOrNull(lockPath) ?? '';
      if (!tryLock(lock, false)) {
        unlock(lock);
        return null;
      }
    }
  } catch (err) {
    unlock(lock);
    throw err;
  }
  return {
    previous,
    mark: () => void (lock.fd !== null && notePid(lock.fd)),
    release: (r = {}) => {
      if (r.remove) rmSync(lockPath, { force: true });
      unlock(lock);
    },
  };
}

function lockBusy(lockPath: string, timeoutMs: number): AppError {
  const holder = lockHolder(lockPath);
  const waited = `${Math.round(timeoutMs / 100) / 10}s`;
  if (!holder) {
    return new AppError(`lock ${lockPath} stayed busy for ${waited}: another agentctl process holds it`, {
      fix: `try again once it is done; "fuser -v ${lockPath}" shows which process it is`,
    });
  }
  return new AppError(`lock ${lockPath} stayed busy for ${waited}: process ${holder.pid} (${holder.command}) holds it`, {
    fix: `try again once it is done; if it hangs, stop it (kill ${holder.pid}): its lock goes with it`,
  });
}

/** The process a busy lock's file names, when it is alive; with its command line (Linux's /proc). */
function lockHolder(lockPath: string): { pid: number; command: string } | null {
  const pid = Number(readFileOrNull(lockPath)?.trim());
  if (!Number.isInteger(pid) || pid <= 0 || !pidAlive(pid)) return null;
  let command = 'command unknown';
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    if (args.length) command = args.join(' ').replace(/[{}]/g, '').slice(0, 120);
  } catch {
    // not Linux, or it has just exited
  }
  return { pid, command };
}

/** What an fs error means when the workspace cannot be written; null: not such an error. */
export function storageProblem(err: unknown): AppError | null {
  const e = err as NodeJS.ErrnoException | null;
  if (!e || typeof e.code !== 'string' || !e.syscall || e.syscall === 'kill' || e.syscall.startsWith('spawn')) return null;
  const path = e.path ? ` ${e.path}` : '';
  switch (e.code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new AppError(`no space left on the device to write${path || ' to the workspace'}`, { fix: 'free some space there (old runs: "{cmd:clean}"), then try again' });
    case 'EROFS':
      return new AppError(`cannot write${path || ' to the workspace'}: the file system is read-only`, { fix: 'remount it read-write, or use a workspace on a writable file system' });
    case 'EACCES':
    case 'EPERM':
      return new AppError(`cannot ${e.syscall}${path}: permission denied`, { fix: "check the owner and mode of the workspace's files (lsattr shows an immutable flag)" });
    default:
      return null;
  }
}

/**
 * Append a line to a file that a rewriter (clean --runs) replaces under the same lock, so the
 * line cannot be lost to the rewrite. Should the lock stay busy, the line is appended anyway:
 * readers rely on it more than on the rewrite.
 */
export function appendUnderLock(path: string, lockPath: string, line: string, timeoutMs = LOCK_WAIT_MS): void {
  // after a partial last line (a writer killed mid-line, a hand edit), start on a fresh one
  const append = () => appendFileSync(path, endsMidLine(path) ? `\n${line}` : line);
  let locked = false;
  try {
    withLock(lockPath, () => {
      locked = true;
      append();
    }, timeoutMs);
  } catch (err) {
    if (locked) throw err;
    append();
  }
}

/** Whether the file's last byte is not a newline (false for an empty or missing file). */
function endsMidLine(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return false;
  }
  try {
    const { size } = fstatSync(fd);
    if (size === 0) return false;
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, size - 1);
    return b[0] !== 0x0a;
  } finally {
    closeSync(fd);
  }
}
