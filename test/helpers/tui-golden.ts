// Saves a real TUI session as golden files (test/golden/interactive/<agent>/<name>.*): its
// transcript/rollout and the hook payloads in order, with this machine's paths and the
// session's random ids replaced by placeholders, so the unit tests and the fakes can be held to
// what the real binaries wrote.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { claudeProjectKey } from '../../src/agents/interactive/claude.js';
import { ROOT } from './harness.js';
import type { Hook, TuiWorld } from './tui.js';

export const GOLDEN_TUI = join(ROOT, 'test', 'golden', 'interactive');

export function scrub(text: string, world: TuiWorld): string {
  return text
    .split(world.repo).join('<repo>').split(world.home).join('<home>').split(world.root).join('<root>')
    .split(claudeProjectKey(world.repo)).join('<project-key>')
    .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>');
}

/** Entries this long are system prompts, tool lists and request snapshots: no reader needs them, and they would make the files huge. */
const BULKY = 4000;
function keep(line: string): boolean {
  if (line.length < BULKY) return true;
  const type = (JSON.parse(line) as { type?: string }).type;
  return type === 'user' || type === 'assistant';
}

export function saveGolden(agent: string, name: string, transcript: string, hooks: Hook[], world: TuiWorld): void {
  const dir = join(GOLDEN_TUI, agent);
  mkdirSync(dir, { recursive: true });
  const lines = readFileSync(transcript, 'utf8').split('\n').filter((l) => l && keep(l));
  writeFileSync(join(dir, `${name}.jsonl`), scrub(`${lines.join('\n')}\n`, world));
  const events = hooks.map(({ file: _, ...payload }) => payload);
  writeFileSync(join(dir, `${name}.hooks.jsonl`), scrub(events.map((e) => JSON.stringify(e)).join('\n') + '\n', world));
}
