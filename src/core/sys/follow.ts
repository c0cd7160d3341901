// Reading what is appended to a file as it is appended (notify.log, a run's events.jsonl).
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { watch, type FSWatcher } from 'chokidar';
import { trace } from './trace.js';

/**
 * Complete lines appended since the last call; a partial last line waits for its newline.
 * A file replaced under it (`clean --runs` trims notify.log: written aside, renamed over) is
 * picked up after the last line already returned, so nothing is repeated or skipped.
 */
export class LineReader {
  private offset: number;
  private partial = '';
  private ino: number | null = null;
  private lastLine: string | null = null;
  constructor(
    private readonly path: string,
    startAt = 0,
  ) {
    this.offset = startAt;
    if (startAt > 0) this.seed(startAt);
  }

  /** Started mid-file: the file's identity and the line that ends at startAt. */
  private seed(end: number): void {
    try {
      this.ino = statSync(this.path).ino;
      const from = Math.max(0, end - 64 * 1024);
      const buf = Buffer.alloc(end - from);
      const fd = openSync(this.path, 'r');
      try {
        readSync(fd, buf, 0, buf.length, from);
      } finally {
        closeSync(fd);
      }
      const lines = buf.toString('utf8').split('\n');
      lines.pop(); // what follows the newline at startAt
      this.lastLine = lines.pop() ?? null;
    } catch {
      // gone meanwhile: read from wherever it is next time
    }
  }

  read(final = false): string[] {
    let st: { size: number; ino: number };
    try {
      st = statSync(this.path);
    } catch {
      return [];
    }
    if ((this.ino !== null && st.ino !== this.ino) || st.size < this.offset) this.offset = this.resumeOffset();
    this.ino = st.ino;
    if (st.size > this.offset) {
      const fd = openSync(this.path, 'r');
      try {
        const buf = Buffer.alloc(st.size - this.offset);
        const n = readSync(fd, buf, 0, buf.length, this.offset);
        this.offset += n;
        this.partial += buf.subarray(0, n).toString('utf8');
      } finally {
        closeSync(fd);
      }
    }
    const lines = this.partial.split('\n');
    this.partial = lines.pop() ?? '';
    if (final && this.partial) {
      lines.push(this.partial);
      this.partial = '';
    }
    if (lines.length) this.lastLine = lines[lines.length - 1]!;
    return lines;
  }

  /** In a replaced file: just after the last line returned, else its start. */
  private resumeOffset(): number {
    this.partial = '';
    if (this.lastLine === null) return 0;
    let text: Buffer;
    try {
      text = readFileSync(this.path);
    } catch {
      return 0;
    }
    const at = text.lastIndexOf(`${this.lastLine}\n`);
    return at < 0 ? 0 : at + Buffer.byteLength(this.lastLine) + 1;
  }
}

/** Call onChange whenever one of the paths changes; resolves when stop() is called. */
export function onChanges(paths: string[], onChange: (path: string) => void): { stop: () => Promise<void> } {
  const w = watch(paths, { ignoreInitial: true, atomic: false, depth: 0 });
  w.on('add', onChange).on('change', onChange);
  w.on('ready', () => trace(`following ${paths.join(' ')}`)); // tests wait for this before appending
  return { stop: () => closeWatcher(w) };
}

/**
 * Close a chokidar watcher so the process can exit at once. chokidar 5's close() drops its
 * throttle timers without clearing them, and the directory one lasts 1 s: a command that
 * watched a run directory (wait, logs -f) would otherwise linger a second after answering.
 */
export async function closeWatcher(w: FSWatcher): Promise<void> {
  const throttled = (w as unknown as { _throttled?: Map<string, Map<string, { clear(): unknown }>> })._throttled;
  if (throttled instanceof Map) {
    for (const action of throttled.values()) for (const t of [...action.values()]) t.clear();
  }
  await w.close();
}
