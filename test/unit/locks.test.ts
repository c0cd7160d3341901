// Workspace locks as other processes see them: a holder that dies (however it dies) releases
// its lock at once, a live holder is never taken over however long it holds, and a lock that
// stays busy is reported with its holder and what to do.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { appendUnderLock, withLock, withLockAsync } from '../../src/core/sys/fsutil.js';

const FSUTIL = resolve(import.meta.dirname, '..', '..', 'src', 'core', 'sys', 'fsutil.ts');

let dir: string;
let holderJs: string;
const children: ChildProcess[] = [];

// Another process using the same lock code: src/ bundled as it is for the CLI, fs-ext left to
// node_modules (found from the source file's location, as the bundle finds it from dist/).
beforeAll(() => {
  holderJs = join(realpathSync(mkdtempSync(join(tmpdir(), 'agentctl-holder-'))), 'holder.cjs');
  buildSync({
    stdin: {
      contents: `
        import { appendFileSync } from 'node:fs';
        import { sleepSync, withLock, withLockAsync } from ${JSON.stringify(FSUTIL)};
        const [mode, lock, arg] = process.argv.slice(2);
        if (mode === 'hold') withLock(lock, () => { process.stdout.write('held\\n'); for (;;) sleepSync(1000); }, 60000);
        if (mode === 'hold-async') withLockAsync(lock, () => { process.stdout.write('held\\n'); return new Promise(() => setInterval(() => {}, 1000)); }, 60000);
        if (mode === 'count') {
          for (let i = 0; i < 40; i++) withLock(lock, () => {
            const n = Number(require('node:fs').readFileSync(arg, 'utf8') || 0);
            require('node:fs').writeFileSync(arg, String(n + 1));
          }, 30000);
        }
      `,
      loader: 'ts',
      resolveDir: import.meta.dirname,
    },
    outfile: holderJs,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    external: ['fs-ext'],
    define: { 'import.meta.url': JSON.stringify(pathToFileURL(FSUTIL).href) },
    logLevel: 'error',
  });
});
afterAll(() => rmSync(join(holderJs, '..'), { recursive: true, force: true }));

beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'agentctl-locks-')));
});
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** A process holding the lock, once it says it does. */
async function holder(lock: string, mode: 'hold' | 'hold-async' = 'hold'): Promise<ChildProcess> {
  const child = spawn(process.execPath, [holderJs, mode, lock], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  await new Promise<void>((ok, fail) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('held') && ok());
    child.on('exit', (code) => fail(new Error(`holder exited (${code}) before taking the lock`)));
  });
  return child;
}

function killed(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((ok) => {
    child.on('exit', () => ok());
    child.kill(signal);
  });
}

/** How long fn took, in ms. */
function timed(fn: () => unknown): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

describe('locks', () => {
  it('a lock file left empty by a killed process does not block anyone', () => {
    const lock = join(dir, 'tmux.lock');
    writeFileSync(lock, ''); // what a holder killed between creating and filling it left behind
    expect(timed(() => expect(withLock(lock, () => 'ran', 2_000)).toBe('ran'))).toBeLessThan(500);
  });

  it.each(['SIGKILL', 'SIGTERM'] as const)('a holder killed with %s releases the lock at once', async (signal) => {
    const lock = join(dir, 'index.lock');
    await killed(await holder(lock), signal);
    expect(timed(() => expect(withLock(lock, () => 'ran', 2_000)).toBe('ran'))).toBeLessThan(500);
  });

  it('a live holder is never taken over, however old its lock file looks', async () => {
    const lock = join(dir, 'run.lock');
    await holder(lock);
    const old = new Date(Date.now() - 10 * 60_000);
    utimesSync(lock, old, old);
    expect(() => withLock(lock, () => 'ran', 300)).toThrow(/lock/);
  });

  it('a busy lock is reported with the lock, its holder and what to do', async () => {
    const lock = join(dir, 'notify.lock');
    const child = await holder(lock, 'hold-async');
    let message = '';
    try {
      withLock(lock, () => 'ran', 300);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain(lock);
    expect(message).toContain(`process ${child.pid}`);
    expect(message).toContain('holder.cjs'); // what that process is
    expect(message).not.toMatch(/delete that file/); // deleting it would not help: the holder is alive
    await expect(withLockAsync(lock, async () => 'ran', 300)).rejects.toThrow(`process ${child.pid}`);
  });

  it('the lock file stays where it is, so no one ever takes over a deleted one', () => {
    const lock = join(dir, 'sub', 'config.lock');
    withLock(lock, () => undefined);
    expect(existsSync(lock)).toBe(true);
  });

  it('processes taking turns never lose an update', async () => {
    const lock = join(dir, 'count.lock');
    const counter = join(dir, 'counter');
    writeFileSync(counter, '0');
    await Promise.all(
      Array.from({ length: 4 }, () => {
        const c = spawn(process.execPath, [holderJs, 'count', lock, counter], { stdio: 'inherit' });
        children.push(c);
        return new Promise((ok) => c.on('exit', ok));
      }),
    );
    expect(readFileSync(counter, 'utf8')).toBe('160');
  });

  it('a program started while a lock is held does not keep it', () => {
    const lock = join(dir, 'tmux.lock');
    withLock(lock, () => {
      // e.g. the tmux server that the first split starts: it outlives the lock's holder
      spawnSync('sh', ['-c', 'sleep 3 >/dev/null 2>&1 &']);
    });
    expect(timed(() => withLock(lock, () => undefined, 1_000))).toBeLessThan(500);
  });

  it('withLockAsync: sections never overlap, and an error releases the lock', async () => {
    const lock = join(dir, 'git.lock');
    let inside = 0;
    let most = 0;
    const section = () =>
      withLockAsync(lock, async () => {
        most = Math.max(most, ++inside);
        await new Promise((r) => setTimeout(r, 5));
        inside--;
      });
    await Promise.all(Array.from({ length: 8 }, section));
    expect(most).toBe(1);
    await expect(withLockAsync(lock, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(withLock(lock, () => 'free', 100)).toBe('free');
  });

  it('appendUnderLock appends even when the lock stays busy', async () => {
    const lock = join(dir, 'notify.lock');
    const log = join(dir, 'notify.log');
    await holder(lock);
    appendUnderLock(log, lock, 'line\n', 200);
    expect(readFileSync(log, 'utf8')).toBe('line\n');
  });
});
