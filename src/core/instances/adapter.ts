// The interactive adapter of an instance's agent, for the reads that are better with it (the
// transcript, the prompt form, the edit tools) and must work without it.
import { interactiveAdapter } from '../../agents/interactive/index.js';
import type { InteractiveAdapter } from '../../agents/interactive/types.js';
import type { InstanceAgent } from './types.js';

export function adapterOrNull(agent: InstanceAgent): InteractiveAdapter | null {
  try {
    return interactiveAdapter(agent);
  } catch {
    return null;
  }
}
