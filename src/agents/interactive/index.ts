// TEMP (H10a): stands in for H10c's module of the same name until it lands; drop this file at merge.
import { AppError } from '../../core/sys/errors.js';
import type { InstanceAgent } from '../../core/instances/types.js';
import type { InteractiveAdapter } from './types.js';

export function interactiveAdapter(agent: InstanceAgent): InteractiveAdapter {
  throw new AppError(`no interactive adapter for ${agent} in this build`);
}
