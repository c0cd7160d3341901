// What config.json allows a spawn (max_instances, allowed_models) and what an instance's name
// may be: checked before anything is written.
import type { LoadedConfig } from '../workspace/config.js';
import { AppError } from '../sys/errors.js';
import { sameProcessAlive } from '../sys/proctree.js';
import { INSTANCE_ID_RE, type InstanceRecord } from './types.js';

/** Letters first, so a name never looks like a run id (digits first) or is taken for an option. */
const NAME_RE = /^[A-Za-z][A-Za-z0-9._-]{0,39}$/;

/** An instance that holds a place under max_instances: not stopped, and its supervisor not known dead. */
export function holdsPlace(r: InstanceRecord): boolean {
  if (r.stopped_at) return false;
  return r.supervisor_pid === null || sameProcessAlive(r.supervisor_pid, r.supervisor_start);
}

export function checkLimits(cfg: LoadedConfig, records: InstanceRecord[], model: string | null): void {
  const live = records.filter(holdsPlace).length;
  if (live >= cfg.max_instances) {
    throw new AppError(`${live} of at most ${cfg.max_instances} instances are running (max_instances in config.json)`, { fix: 'stop one ("{cmd:stop ID}") or raise max_instances' });
  }
  const allowed = cfg.allowed_models;
  if (allowed === null) return;
  if (model === null) throw new AppError('config.json allows instances only some models (allowed_models)', { fix: `name one with {opt:model}: ${allowed.join(', ')}` });
  if (!allowed.includes(model)) throw new AppError(`model ${model} is not allowed for instances (allowed_models in config.json)`, { fix: `use one of ${allowed.join(', ')}` });
}

/**
 * The name: the one asked for, which no instance that is not stopped may hold; else the role's
 * (or the agent's) name, numbered from 2 when taken.
 */
export function chooseName(records: InstanceRecord[], wanted: string | undefined, base: string): string {
  const taken = new Set(records.filter((r) => !r.stopped_at).map((r) => r.name));
  if (wanted !== undefined) {
    if (!NAME_RE.test(wanted) || INSTANCE_ID_RE.test(wanted)) {
      throw new AppError(`invalid instance name ${JSON.stringify(wanted)}: use 1-40 letters, digits, '.', '_' or '-', starting with a letter (and not shaped like an instance id)`);
    }
    if (taken.has(wanted)) throw new AppError(`an instance named ${wanted} exists already`, { fix: 'choose another {opt:name}, or stop that one ("{cmd:stop ' + wanted + '}")' });
    return wanted;
  }
  const clean = base.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z]+/, '') || 'agent';
  if (!taken.has(clean)) return clean;
  for (let n = 2; ; n++) if (!taken.has(`${clean}-${n}`)) return `${clean}-${n}`;
}
