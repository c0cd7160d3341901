// A workspace that cannot be written: a notify.log the supervisor may not append to, a
// read-only file system, a full disk. The run keeps its result; commands say what is wrong in
// one line with the fix (exit 2), never a stack trace. Tests run as root, which ignores file
// modes: an immutable file (chattr +i) and tmpfs mounts stand in, and are skipped, with the
// reason in the test's name, where they are not available.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execaSync } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEnv, type TestEnv } from '../helpers/harness.js';

let t: TestEnv;
const sh = (cmd: string) => execaSync('sh', ['-c', cmd], { reject: false });

beforeAll(async () => {
  t = await makeEnv();
  expect((await t.run(['init'])).code).toBe(0);
  t.orchestratorPane('storage');
});
afterAll(async () => {
  sh(`chattr -i '${join(t.home, 'notify.log')}' 2>/dev/null; grep -o '${t.root}/[^ ]*' /proc/mounts | sort -r | xargs -r -n1 umount -l`);
  await t?.cleanup();
});

function probeChattr(): boolean {
  const root = makeEnvRoot();
  const f = join(root, 'probe');
  writeFileSync(f, '');
  const ok = sh(`chattr +i '${f}' && ! sh -c 'echo x >> "${f}"' 2>/dev/null`).exitCode === 0;
  sh(`chattr -i '${f}'; rm -rf '${root}'`);
  return ok;
}
function probeMount(): boolean {
  const root = makeEnvRoot();
  const ok = sh(`mount -t tmpfs -o size=64k tmpfs '${root}' && umount '${root}'`).exitCode === 0;
  sh(`rm -rf '${root}'`);
  return ok;
}
function makeEnvRoot(): string {
  const d = String(sh('mktemp -d').stdout).trim();
  mkdirSync(d, { recursive: true });
  return d;
}

const canChattr = probeChattr();
const canMount = probeMount();

/** A one-line error with the fix, exit 2: never an internal error with a stack. */
function oneLine(r: { code: number; stderr: string }, what: RegExp): void {
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(what);
  expect(r.code).toBe(2);
}

describe.skipIf(!canChattr)(`an unwritable notify.log${canChattr ? '' : ' (skipped: chattr +i does not work here)'}`, () => {
  it('the run keeps its result and outcome, and its record notes the failed notification', async () => {
    const notify = join(t.home, 'notify.log');
    expect(sh(`chattr +i '${notify}'`).exitCode).toBe(0);
    try {
      const id = await t.start(['--agent', 'shell', '--title', 'notify blocked', '--', 'sh', '-c', 'exit 0']);
      const w = await t.run(['wait', '--timeout', '30s', id]);
      expect(w.code, w.stderr).toBe(0);
      const m = t.meta(id);
      expect(m).toMatchObject({ status: 'finished', outcome: 'goal_met', exit_code: 0 });
      expect(m.errors.join('\n')).toMatch(/notify\.log/);
    } finally {
      sh(`chattr -i '${notify}'`);
    }
  });
});

describe.skipIf(!canMount)(`a read-only or full workspace${canMount ? '' : ' (skipped: cannot mount a tmpfs here)'}`, () => {
  it('a read-only workspace: list, wait and start say so in one line', async () => {
    const home = join(t.root, 'ro-ws');
    mkdirSync(home);
    expect(sh(`mount -t tmpfs -o size=4m tmpfs '${home}'`).exitCode).toBe(0);
    const env = { AI_ORCH_HOME: home };
    expect((await t.run(['init'], { env })).code).toBe(0);
    const id = await t.start(['--agent', 'shell', '--title', 'before', '--', 'true'], undefined, { env });
    expect((await t.run(['wait', id], { env })).code).toBe(0);
    expect(sh(`mount -o remount,ro '${home}'`).exitCode).toBe(0);
    oneLine(await t.run(['start', '--agent', 'shell', '--', 'true'], { env }), /read-only/);
    const list = await t.run(['list'], { env });
    if (list.code !== 0) oneLine(list, /read-only/);
    const wait = await t.run(['wait', id], { env });
    if (wait.code !== 0) oneLine(wait, /read-only/);
  });

  it('a full disk: start says so in one line', async () => {
    const home = join(t.root, 'full-ws');
    mkdirSync(home);
    expect(sh(`mount -t tmpfs -o size=256k tmpfs '${home}'`).exitCode).toBe(0);
    const env = { AI_ORCH_HOME: home };
    expect((await t.run(['init'], { env })).code).toBe(0);
    sh(`dd if=/dev/zero of='${home}/filler' bs=4k 2>/dev/null`);
    oneLine(await t.run(['start', '--agent', 'shell', '--', 'true'], { env }), /no space left/);
  });
});
