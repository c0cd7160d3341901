import { closeSync, openSync, readSync } from 'node:fs';
import { format } from 'date-fns';
import { customRandom } from 'nanoid';
import { AppError } from '../sys/errors.js';

/**
 * Fresh random bytes at every call, from the kernel. Not nanoid's default source, which keeps
 * a pool (a pool filled while the startup snapshot was built would hand every process the
 * same ids), and not node:crypto, whose OpenSSL set-up would cost every command ~3 ms of
 * start-up once it is in the snapshot.
 */
export function urandom(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  const fd = openSync('/dev/urandom', 'r');
  try {
    for (let got = 0; got < size; ) got += readSync(fd, bytes, got, size - got, null);
  } finally {
    closeSync(fd);
  }
  return bytes;
}

const suffix = customRandom('0123456789abcdefghijklmnopqrstuvwxyz', 4, urandom);

/** agent-orc's id shape: local time to the second plus 4 random characters, e.g. 20260215-143022-ab12. */
export function newRunId(now = new Date()): string {
  return `${format(now, 'yyyyMMdd-HHmmss')}-${suffix()}`;
}

const RUN_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/;

export function isValidRunId(id: string): boolean {
  return RUN_ID_RE.test(id) && !id.includes('..');
}

export function assertRunId(id: string, what = 'run id'): string {
  if (!isValidRunId(id)) {
    throw new AppError(
      `invalid ${what} ${JSON.stringify(id)}: use 1-80 letters, digits, '.', '_' or '-', starting with a letter or digit`,
    );
  }
  return id;
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function assertName(name: string, what: string): string {
  if (!NAME_RE.test(name) || name.includes('..')) {
    throw new AppError(`invalid ${what} ${JSON.stringify(name)}: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit`);
  }
  return name;
}
