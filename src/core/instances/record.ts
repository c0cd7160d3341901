// instance.json: what an instance is. Created once (exclusively, so two spawns cannot share an
// id), changed only under the instance's lock and always rewritten whole, so a reader never sees
// half a record.
import { mkdirSync, readdirSync } from 'node:fs';
import { customRandom } from 'nanoid';
import { urandom } from '../runs/ids.js';
import { AppError } from '../sys/errors.js';
import { withLock, writeJsonAtomic } from '../sys/fsutil.js';
import { readJsonFile } from '../sys/jsonfile.js';
import { instanceFiles, instancesDir } from './paths.js';
import { INSTANCE_ID_RE, InstanceRecordSchema, type InstanceRecord } from './types.js';

// kernel random bytes at every call (see core/runs/ids.ts for why)
const suffix = customRandom('0123456789abcdefghijklmnopqrstuvwxyz', 6, urandom);

/** i- and 6 random characters: never the shape of a run id or a workflow id. */
export function newInstanceId(): string {
  return `i-${suffix()}`;
}

function checkId(id: string): void {
  if (!INSTANCE_ID_RE.test(id)) throw new AppError(`invalid instance id ${JSON.stringify(id)}: an instance id is i- and 6 letters or digits`, { fix: 'see them with "{cmd:instances}"' });
}

/** Creates the instance's directory (it must not exist yet) and its record, with inbox/ and permissions/ ready for the hooks. */
export function createInstance(home: string, rec: InstanceRecord): void {
  checkId(rec.id);
  const f = instanceFiles(home, rec.id);
  mkdirSync(instancesDir(home), { recursive: true });
  try {
    mkdirSync(f.dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new AppError(`instance ${rec.id} already exists`);
    throw err;
  }
  mkdirSync(f.inbox);
  mkdirSync(f.permissions);
  writeJsonAtomic(f.record, InstanceRecordSchema.parse(rec));
}

/** The validated record; an AppError when the instance does not exist or its record is broken. */
export function readInstance(home: string, id: string): InstanceRecord {
  checkId(id);
  const f = instanceFiles(home, id);
  return readJsonFile(f.record, InstanceRecordSchema, {
    syntaxFix: `the instance's record is damaged; "{cmd:instances}" lists the others`,
    invalidFix: `the instance's record is damaged; "{cmd:instances}" lists the others`,
    missing: () => {
      throw new AppError(`no instance ${id}`, { fix: 'see them with "{cmd:instances}"' });
    },
  });
}

/** Read, change and write back the record under the instance's lock; returns what was written. */
export function updateInstance(home: string, id: string, fn: (r: InstanceRecord) => void): InstanceRecord {
  const f = instanceFiles(home, id);
  return withLock(f.lock, () => {
    const rec = readInstance(home, id);
    fn(rec);
    const valid = InstanceRecordSchema.parse(rec);
    writeJsonAtomic(f.record, valid);
    return valid;
  }, undefined, { makeDir: false });
}

/** Every readable instance record, oldest first (by creation time); unreadable ones are skipped. */
export function listInstanceRecords(home: string): InstanceRecord[] {
  let ids: string[];
  try {
    ids = readdirSync(instancesDir(home)).filter((n) => INSTANCE_ID_RE.test(n));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: InstanceRecord[] = [];
  for (const id of ids) {
    try {
      out.push(readInstance(home, id));
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
    }
  }
  return out.sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
}
