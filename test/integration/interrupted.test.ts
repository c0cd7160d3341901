// A start killed part-way (SIGKILL, Ctrl-C, SIGTERM) while it waits for a lock leaves nothing
// behind once the next command has looked: no half-made run that `list` or `show` calls
// corrupt, no env.json with the caller's secrets, no start lock.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { execaSync } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, makeEnv, type TestEnv, waitFor } from '../helpers/harness.js';

const hasFlock = execaSync('sh', ['-c', 'command -v flock && command -v python3'], { reject: false }).exitCode === 0;
let t: TestEnv;
let repo: string;

beforeAll(async () => {
  t = await makeEnv();
  expect((await t.run(['init'])).code).toBe(0);
  repo = t.repo();
  t.orchestratorPane('interrupted');
});
afterAll(async () => {
  await t?.cleanup();
});

/** Hold a workspace lock from another process (flock(1); -o: its command does not inherit the lock) until the returned function is called. */
async function holdLock(path: string): Promise<() => Promise<void>> {
  // its own process group, so that the sleep goes with it
  const holder = spawn('flock', ['-o', path, 'sh', '-c', 'echo held; exec sleep 120'], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  await new Promise<void>((ok) => holder.stdout!.on('data', () => ok()));
  return async () => {
    const gone = stop(holder, 'SIGKILL');
    process.kill(-holder.pid!, 'SIGKILL');
    await gone;
  };
}

/** Send the signal and wait for the exit; fails (after a SIGKILL) when the signal did not end it within 10 s. */
function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((ok, fail) => {
    if (child.exitCode !== null || child.signalCode !== null) return ok();
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`process ${child.pid} did not end on ${signal} within 10 s`));
    }, 10_000);
    child.on('exit', () => {
      clearTimeout(timer);
      ok();
    });
    if (signal === 'SIGINT') process.kill(-child.pid!, signal);
    else child.kill(signal);
  });
}

/** Everything under runs/ but the index: run directories and drafts. */
function runEntries(): string[] {
  return readdirSync(join(t.home, 'runs')).filter((n) => n !== '.index');
}

function envFiles(): string[] {
  return runEntries().filter((n) => existsSync(join(t.home, 'runs', n, 'env.json')));
}

const cases = [
  // waiting for the tmux lock: the run's files are all written, its pane not yet made
  { signal: 'SIGKILL', lock: () => join(t.home, '.locks', 'tmux.lock'), args: () => ['--agent', 'shell', '--title', 'killed', '--', 'true'], written: () => envFiles().length > 0 },
  { signal: 'SIGTERM', lock: () => join(t.home, '.locks', 'tmux.lock'), args: () => ['--agent', 'shell', '--title', 'termed', '--', 'true'], written: () => envFiles().length > 0 },
  // waiting for the repository's lock, to make the run's worktree
  {
    signal: 'SIGINT',
    lock: () => join(t.home, '.locks', `git-${createHash('sha1').update(realpathSync(join(repo, '.git'))).digest('hex').slice(0, 12)}.lock`),
    args: () => ['--project', repo, '--worktree', '--agent', 'shell', '--title', 'interrupted', '--', 'true'],
    written: () => runEntries().length > 0,
  },
] as const;

describe.skipIf(!hasFlock)('a start interrupted while it waits for a lock (needs flock(1) and python3)', () => {
  it.each(cases)('$signal leaves nothing behind', async ({ signal, lock, args, written }) => {
    const release = await holdLock(lock());
    // the signals' default actions restored first: a test runner's worker may ignore SIGINT,
    // and its children inherit that (a Ctrl-C in a terminal finds them at their default)
    const reset = 'import os, signal, sys\nfor s in (signal.SIGINT, signal.SIGTERM): signal.signal(s, signal.SIG_DFL)\nos.execv(sys.argv[1], sys.argv[1:])';
    // its own process group: Ctrl-C in a terminal signals the whole group (git included)
    const start = spawn('python3', ['-c', reset, BIN, 'start', ...args()], { env: { ...t.env, SECRET_TOKEN: 'hunter2' }, stdio: 'ignore', detached: true });
    try {
      await waitFor(written, 15_000, 'the start to get as far as the lock');
      await stop(start, signal);
    } finally {
      await stop(start, 'SIGKILL');
      await release();
    }
    const list = await t.run(['list', '--json']);
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([]);
    expect(runEntries()).toEqual([]);
    expect(envFiles()).toEqual([]);
    expect(readdirSync(join(t.home, '.locks')).filter((n) => n.startsWith('start-'))).toEqual([]);
  });

  it('and the next start works as ever', async () => {
    const id = await t.start(['--agent', 'shell', '--title', 'after', '--', 'true']);
    expect((await t.run(['wait', id])).code).toBe(0);
    expect(runEntries()).toEqual([id]);
  });
});
