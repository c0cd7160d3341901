// Helpers shared by the read-only commands (show, list, wait, logs).
import { loadConfig, type LoadedConfig } from './config.js';
import type { Workspace } from './paths.js';

/** Liveness checks may notify tmux; a broken config.json must not stop a read from working. */
export function loadConfigOrNull(ws: Workspace): LoadedConfig | null {
  try {
    return loadConfig(ws);
  } catch {
    return null;
  }
}
