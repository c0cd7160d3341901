// The test command `land` runs after each merge: which one (given, the project's, or detected
// from the files on the branch being landed onto), and running it with a time limit, its
// output going to a file under the workspace.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { tailLines } from '../core/lifecycle/chain.js';

/** The files detection reads: top-level names of the branch's tree, and a reader of their text. */
export interface TreeView {
  names: Set<string>;
  read(path: string): Promise<string | null> | string | null;
}

/** npm init writes this as the test script: it fails by design, so it is no test suite. */
const NPM_PLACEHOLDER = /no test specified/;

/**
 * The test command for a project's files: package.json with a test script, then pytest's
 * configuration or a tests directory of a Python project, then go.mod, then Cargo.toml.
 */
export async function detectTestCommand(tree: TreeView): Promise<string | null> {
  const { names } = tree;
  if (names.has('package.json')) {
    try {
      const script = (JSON.parse((await tree.read('package.json')) ?? '{}') as { scripts?: { test?: unknown } }).scripts?.test;
      if (typeof script === 'string' && script.trim() && !NPM_PLACEHOLDER.test(script)) return 'npm test';
    } catch {
      // an unreadable package.json says nothing about tests
    }
  }
  if (names.has('pytest.ini') || names.has('conftest.py')) return 'pytest';
  if (names.has('pyproject.toml') && /^\[tool\.pytest/m.test((await tree.read('pyproject.toml')) ?? '')) return 'pytest';
  if (names.has('setup.cfg') && /^\[tool:pytest\]/m.test((await tree.read('setup.cfg')) ?? '')) return 'pytest';
  if (names.has('tox.ini') && /^\[pytest\]/m.test((await tree.read('tox.ini')) ?? '')) return 'pytest';
  const python = ['pyproject.toml', 'setup.py', 'setup.cfg', 'requirements.txt'].some((n) => names.has(n));
  if (python && (names.has('tests') || names.has('test'))) return 'pytest';
  if (names.has('go.mod')) return 'go test ./...';
  if (names.has('Cargo.toml')) return 'cargo test';
  return null;
}

export interface TestRun {
  command: string;
  exit_code: number | null;
  passed: boolean;
  timed_out: boolean;
  duration_s: number;
  /** The file holding its output (stdout and stderr, interleaved as written). */
  log: string;
}

/**
 * Run `command` with sh in cwd, output to `log`; after timeoutMs its whole process group is
 * killed and the run counts as failed.
 */
export function runTestCommand(command: string, o: { cwd: string; env: NodeJS.ProcessEnv; log: string; timeoutMs: number }): Promise<TestRun> {
  const started = performance.now();
  const fd = openSync(o.log, 'w', 0o600);
  return new Promise((resolve) => {
    // its own process group: a timeout reaches what the command started (a test runner's workers)
    const child = spawn('sh', ['-c', command], { cwd: o.cwd, env: { ...o.env, CI: o.env.CI ?? '1' }, stdio: ['ignore', fd, fd], detached: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // it ended meanwhile
      }
    }, o.timeoutMs);
    const done = (code: number | null) => {
      clearTimeout(timer);
      closeSync(fd);
      const run = { command, exit_code: code, passed: code === 0 && !timedOut, timed_out: timedOut, duration_s: Math.round((performance.now() - started) / 100) / 10, log: o.log };
      resolve(run);
    };
    child.once('error', () => done(null));
    child.once('exit', (code) => done(code));
  });
}

/** The last lines of a test's output (a log can be large: only its end is read). */
export function logTail(path: string, lines = 40): string {
  return tailLines(path, lines).trimEnd();
}
