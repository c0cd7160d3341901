import type { InstanceAgent } from '../../core/instances/types.js';
import { claudeInteractive } from './claude.js';
import { codexInteractive } from './codex.js';
import type { InteractiveAdapter } from './types.js';

const ADAPTERS: Record<InstanceAgent, InteractiveAdapter> = { claude: claudeInteractive, codex: codexInteractive };

/** The interactive-TUI knowledge of one agent CLI. */
export function interactiveAdapter(agent: InstanceAgent): InteractiveAdapter {
  return ADAPTERS[agent];
}
