// A run appears whole or not at all. `start` builds it in runs/.start-<id> (invisible to every
// reader: dot names are not runs) and renames it into place once its files are written; it
// holds a start lock (.locks/start-<id>.lock) until the run's pane is placed and recorded.
// A start that dies on the way (SIGKILL, Ctrl-C while it waits for a lock) leaves that lock
// free: the next command that looks at the runs sweeps what it left, including env.json with
// the caller's secrets, and the run it never reported.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../sys/errors.js';
import { type HeldLock, LOCK_WAIT_MS, tryHoldLock, withLock } from '../sys/fsutil.js';
import { isValidRunId } from './ids.js';
import { type RunFiles, runFiles, type Workspace } from '../workspace/paths.js';
import { readMeta, startLockPath } from './store.js';

const DRAFT_PREFIX = '.start-';
/** A start lock whose holder has not yet noted its pid is left alone this long (it is being taken). */
const UNMARKED_GRACE_MS = 10_000;

function draftFiles(ws: Workspace, runId: string): RunFiles {
  return runFiles(ws.home, `${DRAFT_PREFIX}${runId}`);
}

function taken(runId: string): AppError {
  return new AppError(`run id ${runId} is already taken`, { fix: 'choose another {opt:runId}, or omit it to get a generated one' });
}

/** A run being built: its files (in the draft directory until published). */
export class RunDraft {
  private constructor(
    private readonly ws: Workspace,
    readonly runId: string,
    private readonly lock: HeldLock,
    /** Where the run's files go now: the draft directory, then (once published) the run's own. */
    public files: RunFiles,
  ) {}

  /** Claim the id and make the (private) draft directory; "already taken" when a run or a start has it. */
  static begin(ws: Workspace, runId: string): RunDraft {
    if (existsSync(runFiles(ws.home, runId).dir)) throw taken(runId);
    const lock = tryHoldLock(startLockPath(ws, runId));
    if (!lock) throw taken(runId);
    lock.mark();
    const files = draftFiles(ws, runId);
    try {
      rmSync(files.dir, { recursive: true, force: true }); // a dead start's, of the same id
      mkdirSync(files.dir, { mode: 0o700 });
    } catch (err) {
      lock.release({ remove: true });
      throw err;
    }
    return new RunDraft(ws, runId, lock, files);
  }

  /** Rename the complete draft into place: from now on readers see the run. */
  publish(): void {
    const final = runFiles(this.ws.home, this.runId);
    try {
      renameSync(this.files.dir, final.dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST') throw taken(this.runId);
      throw err;
    }
    this.files = final;
  }

  /** The start is complete: the run no longer needs its start lock. */
  finish(): void {
    this.lock.release({ remove: true });
  }

  /** The start failed: nothing of the run stays behind. */
  abandon(): void {
    rmSync(this.files.dir, { recursive: true, force: true });
    this.lock.release({ remove: true });
  }
}

/**
 * Remove what dead starts left: draft directories, and published runs whose pane was never
 * recorded and whose supervisor never started (no one was told their id). A start still at
 * work holds its lock and is left alone. Cheap when there is nothing to do: one readdir.
 */
export function sweepInterruptedStarts(ws: Workspace): void {
  let names: string[];
  try {
    names = readdirSync(ws.locks);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith('start-') || !name.endsWith('.lock')) continue;
    const runId = name.slice('start-'.length, -'.lock'.length);
    if (!isValidRunId(runId)) continue;
    const path = join(ws.locks, name);
    const lock = tryHoldLock(path, { create: false });
    if (!lock) continue; // a start at work
    try {
      if (lock.previous.trim() === '' && !stale(path)) {
        lock.release(); // being taken right now by a start that has not noted itself yet
        continue;
      }
      sweepStart(ws, runId);
      lock.release({ remove: true });
    } catch {
      lock.release(); // tried again by the next command
    }
  }
}

function stale(path: string): boolean {
  try {
    const { mtimeMs } = statSync(path);
    return Date.now() - mtimeMs > UNMARKED_GRACE_MS;
  } catch {
    return false;
  }
}

function sweepStart(ws: Workspace, runId: string): void {
  rmSync(draftFiles(ws, runId).dir, { recursive: true, force: true });
  const files = runFiles(ws.home, runId);
  if (!existsSync(files.dir)) return;
  // under the run's lock: its supervisor, should it start now, claims the run the same way
  withLock(files.lock, () => {
    let m;
    try {
      m = readMeta(ws, runId);
    } catch {
      return; // not a record a start left: doctor's to report
    }
    if (m && m.status === 'pending' && m.tmux.pane === null) rmSync(files.dir, { recursive: true, force: true });
  }, LOCK_WAIT_MS, { makeDir: false });
}
