// A prompt is bytes: one that is not valid UTF-8 (a binary file, Latin-1 text) reaches
// prompt.md and the agent's stdin exactly as given, never with replacement characters.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, makeEnv, type TestEnv } from '../helpers/harness.js';

let t: TestEnv;
beforeAll(async () => {
  t = await makeEnv();
  expect((await t.run(['init'])).code).toBe(0);
  t.orchestratorPane('binary');
});
afterAll(async () => {
  await t?.cleanup();
});

describe('binary prompts', () => {
  it('arrive byte for byte in prompt.md and on the agent stdin', async () => {
    const bytes = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a, 0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28, 0x0a]); // "caf\xe9" (Latin-1), then invalid UTF-8
    const out = join(t.root, 'stdin.bin');
    const r = await execa(BIN, ['start', '--agent', 'shell', '--title', 'bytes', '--', 'sh', '-c', `cat > '${out}'`], {
      env: t.env, extendEnv: false, cwd: t.root, input: bytes, reject: false,
    });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const id = String(r.stdout).trim();
    expect((await t.run(['wait', id])).code).toBe(0);
    expect(readFileSync(join(t.home, 'runs', id, 'prompt.md')).equals(bytes)).toBe(true);
    expect(readFileSync(out).equals(bytes)).toBe(true);
  });
});
