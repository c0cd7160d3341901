import { claudeAdapter } from './claude.js';
import { codexAdapter } from './codex.js';
import { geminiAdapter } from './gemini.js';
import { shellAdapter } from './shell.js';
import type { AgentAdapter, AgentName } from './types.js';

/** The adapter of an agent; per-run state lives in the reader it hands out (newReader). */
export function getAdapter(name: AgentName): AgentAdapter {
  switch (name) {
    case 'codex':
      return codexAdapter;
    case 'claude':
      return claudeAdapter;
    case 'gemini':
      return geminiAdapter;
    case 'shell':
      return shellAdapter;
    default:
      throw new Error(`unknown agent: ${String(name satisfies never)}`);
  }
}
