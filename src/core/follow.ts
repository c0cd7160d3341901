// Reading what is appended to a file as it is appended (notify.log, a run's events.jsonl).
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { watch, type FSWatcher } from 'chokidar';

/** Complete lines appended since the last call; a partial last line waits for its newline. */
export class LineReader {
  private offset: number;
  private partial = '';
  constructor(
    private readonly path: string,
    startAt = 0,
  ) {
    this.offset = startAt;
  }

  read(final = false): string[] {
    let size: number;
    try {
      size = statSync(this.path).size;
    } catch {
      return [];
    }
    if (size < this.offset) this.offset = 0; // truncated or replaced: start over
    if (size > this.offset) {
      const fd = openSync(this.path, 'r');
      try {
        const buf = Buffer.alloc(size - this.offset);
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
    return lines;
  }
}

/** Call onChange whenever one of the paths changes; resolves when stop() is called. */
export function onChanges(paths: string[], onChange: (path: string) => void): { stop: () => Promise<void> } {
  const w = watch(paths, { ignoreInitial: true, atomic: false, depth: 0 });
  w.on('add', onChange).on('change', onChange);
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
