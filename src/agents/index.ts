import { claudeAdapter } from './claude.js';
import { codexAdapter } from './codex.js';
import { geminiAdapter } from './gemini.js';
import { createShellAdapter } from './shell.js';
import type { AgentAdapter, AgentName } from './types.js';

/** The adapter for one run. The shell adapter carries per-run state, so it is created each time. */
export function getAdapter(name: AgentName): AgentAdapter {
  switch (name) {
    case 'codex':
      return codexAdapter;
    case 'claude':
      return claudeAdapter;
    case 'gemini':
      return geminiAdapter;
    case 'shell':
      return createShellAdapter();
    default:
      throw new Error(`unknown agent: ${String(name satisfies never)}`);
  }
}
