import { closeSync, constants, fstatSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { isatty } from 'node:tty';
import { AppError } from './errors.js';
import { readRegularFile, type UnreadableFile } from './userfile.js';

/** Far beyond any prompt; a bigger file is a mistake (a log, an image), not a task. */
const PROMPT_FILE_MAX = 16 * 1024 * 1024;

/**
 * The prompt: --prompt-file, or stdin when it is not a terminal. Never waits forever: a pipe
 * that stays open with nothing coming is given up on after idleMs.
 */
export async function readPrompt(o: { promptFile?: string; optional: boolean; idleMs?: number }): Promise<string | Buffer> {
  if (o.promptFile && o.promptFile !== '-') {
    try {
      return promptFromBytes(readRegularFile(o.promptFile, PROMPT_FILE_MAX));
    } catch (err) {
      throw new AppError(`cannot read {opt:promptFile} ${o.promptFile}: ${(err as UnreadableFile).reason}`);
    }
  }
  if (isatty(0)) {
    if (o.optional) return '';
    throw new AppError('no prompt', { fix: "pipe it on stdin ({cmd:start ... <<'PROMPT'}) or pass {opt:promptFile} FILE" });
  }
  const idleMs = o.idleMs ?? (o.optional ? 100 : 10_000);
  return (await readStdinDirect(idleMs, o.optional)) ?? readStdin(idleMs, o.optional);
}

const noPromptIn = (idleMs: number) =>
  new AppError(`no prompt arrived on stdin within ${idleMs / 1000}s`, { fix: 'close stdin after writing the prompt, or pass {opt:promptFile} FILE' });

/**
 * The prompt read with plain system calls, without setting up process.stdin (a stream, a few
 * ms of every start): a file is read at once and /dev/null is empty; a pipe is reopened
 * non-blocking (Linux's /proc/self/fd/0), so a heredoc already written is taken in one go and
 * a slow writer is polled under the same idle limit. null: none of these (a socket, no /proc).
 */
async function readStdinDirect(idleMs: number, optional: boolean): Promise<string | Buffer | null> {
  let fd: number;
  try {
    const st = fstatSync(0);
    if (st.isFile()) return promptFromBytes(readFileSync(0));
    if (st.isCharacterDevice() && st.rdev === statSync('/dev/null').rdev) return '';
    if (!st.isFIFO()) return null;
    fd = openSync('/proc/self/fd/0', constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    const chunks: Buffer[] = [];
    const buf = Buffer.allocUnsafe(64 * 1024);
    let lastData = Date.now();
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
        if (Date.now() - lastData >= idleMs) {
          if (optional || chunks.length) break;
          throw noPromptIn(idleMs);
        }
        await new Promise((r) => setTimeout(r, 5)); // the writer is still at it
        continue;
      }
      if (n === 0) break; // every writer closed the pipe
      chunks.push(Buffer.from(buf.subarray(0, n)));
      lastData = Date.now();
    }
    return promptFromBytes(Buffer.concat(chunks));
  } finally {
    closeSync(fd);
  }
}

function readStdin(idleMs: number, optional: boolean): Promise<string | Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let timer: NodeJS.Timeout;
    const done = (err?: Error) => {
      clearTimeout(timer);
      process.stdin.removeAllListeners();
      process.stdin.pause();
      process.stdin.unref?.();
      if (err) reject(err);
      else resolve(promptFromBytes(Buffer.concat(chunks)));
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (optional || chunks.length) done();
        else done(noPromptIn(idleMs));
      }, idleMs);
    };
    arm();
    process.stdin.on('data', (c: Buffer) => {
      chunks.push(c);
      arm();
    });
    process.stdin.on('end', () => done());
    process.stdin.on('error', (e) => done(e));
  });
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The prompt as text when it is UTF-8; otherwise its bytes, kept exactly (decoding would replace them). */
export function promptFromBytes(bytes: Buffer): string | Buffer {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return bytes;
  }
}
