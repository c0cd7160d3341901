// Reading what is appended to a file as it is appended (notify.log, a run's events.jsonl), and
// being told when to look again (run records, appended files).
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, join } from 'node:path';
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

export interface Changes {
  /** Watch one more path. */
  add(path: string): void;
  stop(): Promise<void>;
}

/**
 * Call onChange whenever one of the paths changes: for a directory, with the path of the entry
 * in it that was written, created, renamed or removed; for a file, when it is written, appears,
 * or is replaced by a rename (which is why a file is watched through its directory). An event
 * only means "look again": callers re-read what they follow. The watches are node's own, so a
 * process that stops them has nothing left running and exits at once (chokidar's close() left
 * its throttle timers running for up to a second, which `wait` sat out after answering).
 */
export function onChanges(paths: string[], onChange: (path: string) => void): Changes {
  const watchers: FSWatcher[] = [];
  const add = (path: string) => {
    const [dir, only] = statSync(path, { throwIfNoEntry: false })?.isDirectory() ? [path, null] : [dirname(path), basename(path)];
    // a directory removed meanwhile has nothing to wait for (and a failed fs.watch leaves a handle behind)
    if (!existsSync(dir)) return;
    const w = watch(dir, (_event, name) => {
      if (only === null) onChange(name ? join(dir, name) : dir);
      else if (!name || name === only) onChange(path); // no name: the platform did not say which
    });
    w.on('error', () => w.close()); // the directory was removed
    watchers.push(w);
  };
  paths.forEach(add);
  trace(`following ${paths.join(' ')}`); // the watches are in place: tests wait for this before appending
  return {
    add,
    stop: async () => {
      for (const w of watchers.splice(0)) w.close();
    },
  };
}
