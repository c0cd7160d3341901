// Following a file as tail -f and logs -f do: onChanges says when to look again, LineReader
// returns the lines that are new since the last look.
import { appendFileSync, mkdtempSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LineReader, onChanges } from '../../src/core/sys/follow.js';

let dir: string;
beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'agentctl-follow-')));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Resolves once check() holds; fails after 5 s. */
async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const watches = () => process.getActiveResourcesInfo().filter((r) => r === 'FSEventWrap').length;
/** Active handles by kind: what a watch or a timer left running would add to. */
const resources = () => {
  const n: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) n[r] = (n[r] ?? 0) + 1;
  return n;
};

describe('following a file', () => {
  it('sees what is appended, a copy renamed over it, and a truncation, each line once', async () => {
    const file = join(dir, 'notify.log');
    writeFileSync(file, 'old\n');
    const reader = new LineReader(file, statSync(file).size);
    const seen: string[] = [];
    const changes = onChanges([file], () => seen.push(...reader.read()));
    try {
      appendFileSync(file, 'one\ntw');
      await until('the appended line', () => seen.includes('one'));
      appendFileSync(file, 'o\n');
      await until('the completed line', () => seen.includes('two'));

      // trimmed the way `clean --runs` does it: written aside, renamed over
      writeFileSync(join(dir, 'notify.log.tmp'), 'two\nthree\n');
      renameSync(join(dir, 'notify.log.tmp'), file);
      await until('the line after the last one read', () => seen.includes('three'));

      writeFileSync(file, 'four\n'); // truncated and rewritten in place
      await until('the line in the truncated file', () => seen.includes('four'));
      expect(seen).toEqual(['one', 'two', 'three', 'four']);
    } finally {
      await changes.stop();
    }
  });

  it('a file that does not exist yet is followed from when it appears', async () => {
    const file = join(dir, 'events.jsonl');
    const reader = new LineReader(file);
    const seen: string[] = [];
    const changes = onChanges([file], () => seen.push(...reader.read()));
    try {
      writeFileSync(file, '{"a":1}\n');
      await until('the first line', () => seen.length > 0);
      expect(seen).toEqual(['{"a":1}']);
    } finally {
      await changes.stop();
    }
  });

  it('a directory reports the entry that changed; after stop nothing is reported or left open', async () => {
    const [before, all] = [watches(), resources()];
    const paths: string[] = [];
    const changes = onChanges([dir], (p) => paths.push(p));
    changes.add(join(dir, 'sub', 'x')); // its directory does not exist: nothing to watch there
    expect(watches()).toBe(before + 1);
    writeFileSync(join(dir, 'meta.json'), '{}');
    await until('the change', () => paths.includes(join(dir, 'meta.json')));
    await changes.stop();
    await new Promise((r) => setImmediate(r));
    // nothing left (no watch, no timer) that would keep a finished command from exiting; a timer
    // of an earlier test file in this worker may end meanwhile, so no kind may grow
    const now = resources();
    for (const kind of Object.keys(now)) expect(now[kind], kind).toBeLessThanOrEqual(all[kind] ?? 0);
    const count = paths.length;
    writeFileSync(join(dir, 'meta.json'), '{"b":2}');
    await new Promise((r) => setTimeout(r, 100));
    expect(paths).toHaveLength(count);
  });
});
