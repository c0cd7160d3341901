// A file a caller names (a prompt file, a schema): read only when it is a regular file of
// bounded size. A long-lived MCP server reads these paths from a model's tool call: a FIFO with
// no writer would block the open (and the whole event loop: the read is synchronous), a device
// like /dev/zero would never end, and neither must take the server down.
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';

/** Why the file was not read: an errno code (ENOENT, EISDIR, EACCES...) or a few words. */
export class UnreadableFile extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

function kind(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  return 'not a plain file';
}

function check(st: Stats, maxBytes: number): void {
  // a directory keeps the errno the plain read gave, as before
  if (st.isDirectory()) throw new UnreadableFile('EISDIR');
  if (!st.isFile()) throw new UnreadableFile(`not a regular file (${kind(st)})`);
  if (st.size > maxBytes) throw new UnreadableFile(`larger than ${megabytes(maxBytes)} (${megabytes(st.size)})`);
}

const megabytes = (n: number) => `${(n / 1024 / 1024).toFixed(n < 1024 * 1024 ? 2 : 0)} MB`;

/** The file's bytes; UnreadableFile when it is missing, not a regular file, or over maxBytes. */
export function readRegularFile(path: string, maxBytes: number): Buffer {
  let fd: number;
  try {
    // stat first: opening a FIFO or a device can block or have effects of its own
    const st = statSync(path);
    // /dev/null is the usual way to say "nothing": empty, as it reads
    if (st.isCharacterDevice() && st.rdev === statSync('/dev/null').rdev) return Buffer.alloc(0);
    check(st, maxBytes);
    // non-blocking all the same, and checked again on the descriptor: the path may have been
    // swapped for a FIFO between the stat and the open
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (err) {
    if (err instanceof UnreadableFile) throw err;
    throw new UnreadableFile((err as NodeJS.ErrnoException).code ?? (err as Error).message);
  }
  try {
    check(fstatSync(fd), maxBytes);
    // read to the end, not to the size stat gave: the file may be growing
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(64 * 1024);
      const got = readSync(fd, buf, 0, buf.length, null);
      if (got === 0) break;
      total += got;
      if (total > maxBytes) throw new UnreadableFile(`larger than ${megabytes(maxBytes)}`);
      chunks.push(buf.subarray(0, got));
    }
    return Buffer.concat(chunks, total);
  } catch (err) {
    if (err instanceof UnreadableFile) throw err;
    throw new UnreadableFile((err as NodeJS.ErrnoException).code ?? (err as Error).message);
  } finally {
    closeSync(fd);
  }
}
