// Saves a real TUI session as golden files (test/golden/interactive/<agent>/<name>.*): its
// transcript/rollout and the hook payloads in order, with this machine's paths and the
// session's random ids replaced by placeholders, so the unit tests and the fakes can be held to
// what the real binaries wrote.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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

/** SessionStart's fields depend on its source (a resumed session reports its context). */
const eventKey = (payload: Record<string, unknown>) => `${String(payload.hook_event_name)}${payload.hook_event_name === 'SessionStart' ? `(${String(payload.source)})` : ''}`;

/** Payload fields a hook may leave out (claude's SessionEnd before any prompt has no prompt_id). */
const OPTIONAL: Record<string, string[]> = { SessionEnd: ['prompt_id'] };

/**
 * Where payloads differ in their fields from the recorded ones of the same event (one line per
 * difference; empty when all match). Events the recordings do not have are not judged.
 */
export function payloadFieldDiffs(agent: string, hooks: Hook[]): string[] {
  const recorded = new Map<string, Set<string>>();
  for (const file of readdirSync(join(GOLDEN_TUI, agent)).filter((f) => f.endsWith('.hooks.jsonl'))) {
    for (const line of readFileSync(join(GOLDEN_TUI, agent, file), 'utf8').split('\n').filter(Boolean)) {
      const payload = JSON.parse(line) as Record<string, unknown>;
      recorded.set(eventKey(payload), new Set(Object.keys(payload)));
    }
  }
  const diffs = new Set<string>();
  for (const { file: _, ...payload } of hooks) {
    const want = recorded.get(eventKey(payload));
    if (!want) continue;
    const got = new Set(Object.keys(payload));
    const missing = [...want].filter((k) => !got.has(k) && !OPTIONAL[payload.hook_event_name]?.includes(k));
    const extra = [...got].filter((k) => !want.has(k));
    if (missing.length || extra.length) diffs.add(`${eventKey(payload)}: missing [${missing.join(', ')}], extra [${extra.join(', ')}]`);
  }
  return [...diffs];
}
