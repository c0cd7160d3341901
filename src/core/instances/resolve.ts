// Which instance a user means: an id (i-xxxxxx) or a name. Names are unique among instances
// that are not stopped; an older, stopped one of the same name is found only when no live one
// has it. A run id given where an instance is meant is named as such.
import { existsSync } from 'node:fs';
import { isValidRunId } from '../runs/ids.js';
import { resolveRunId } from '../runs/store.js';
import { AppError } from '../sys/errors.js';
import { runFiles, workspace } from '../workspace/paths.js';
import { instanceFiles } from './paths.js';
import { listInstanceRecords, readInstance } from './record.js';
import { INSTANCE_ID_RE, type InstanceRecord } from './types.js';

function byName(home: string, name: string): InstanceRecord | null {
  const named = listInstanceRecords(home).filter((r) => r.name === name);
  // newest first, live before stopped
  named.sort((a, b) => Number(a.stopped_at !== null) - Number(b.stopped_at !== null) || b.created_at.localeCompare(a.created_at));
  return named[0] ?? null;
}

function isRunId(home: string, s: string): boolean {
  if (isValidRunId(s) && existsSync(runFiles(home, s).meta)) return true;
  try {
    resolveRunId(workspace(home), s);
    return true;
  } catch {
    return false;
  }
}

export function resolveInstance(home: string, idOrName: string): InstanceRecord {
  if (INSTANCE_ID_RE.test(idOrName) && existsSync(instanceFiles(home, idOrName).dir)) return readInstance(home, idOrName);
  const named = byName(home, idOrName);
  if (named) return named;
  if (!INSTANCE_ID_RE.test(idOrName) && isRunId(home, idOrName)) {
    throw new AppError(`${idOrName} is a run id, not an instance`, { fix: `use "{cmd:show ${idOrName}}"` });
  }
  throw new AppError(`no instance ${JSON.stringify(idOrName)}`, { fix: 'see the instances with "{cmd:instances}"' });
}

/** Whether s names an instance (an id of the instance shape, or an instance's name): `wait` dispatches on it. */
export function isInstanceRef(home: string, s: string): boolean {
  return INSTANCE_ID_RE.test(s) || byName(home, s) !== null;
}
