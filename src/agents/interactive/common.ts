// Pieces both interactive adapters use: reading a JSONL transcript that the agent may be
// writing at this moment, finding a directory's git work-tree root, and updating a user's
// config file in place under a lock so two spawns never interleave their edits.
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFileAtomic, withLock } from '../../core/sys/fsutil.js';

/**
 * The JSON objects of a JSONL file. A line that is not JSON is skipped: the agent appends while
 * we read, so the last line may be partial, and versions add entries we do not know.
 */
export function readJsonLines(path: string): Record<string, unknown>[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: Record<string, unknown>[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const value: unknown = JSON.parse(line);
      if (value && typeof value === 'object' && !Array.isArray(value)) out.push(value as Record<string, unknown>);
    } catch {
      // a partial last line or a foreign one
    }
  }
  return out;
}

/** The symlink-free form of a directory, as the agents key their per-folder state by it. */
export function resolvedDir(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return dir;
  }
}

/** The root of the git work tree holding dir (a linked worktree is its own root), or null. */
export function gitRoot(dir: string): string | null {
  for (let d = resolvedDir(dir); ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) return d;
    if (dirname(d) === d) return null;
  }
}

/**
 * Rewrites a user's file with edit(old text) under `<file>.agentctl.lock`, atomically, keeping
 * its mode; edit returns null when nothing needs to change (then nothing is written).
 */
export function editUserFile(path: string, edit: (text: string | null) => string | null): void {
  withLock(`${path}.agentctl.lock`, () => {
    let text: string | null = null;
    let mode = 0o600;
    try {
      text = readFileSync(path, 'utf8');
      mode = statSync(path).mode & 0o777;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const next = edit(text);
    if (next !== null && next !== text) writeFileAtomic(path, next, mode);
  }, undefined, { makeDir: true });
}

export const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
export const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
