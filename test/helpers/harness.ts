// Integration-test harness: a throwaway workspace, a private tmux server (never the user's),
// the fake agent CLIs first on PATH, and the built CLI run as a real child process.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa, execaSync } from 'execa';
import { afterAll, beforeAll } from 'vitest';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const CLI = join(ROOT, 'dist', 'cli.js');
/** What a user runs: the launcher that uses the startup snapshot when it can. */
export const BIN = join(ROOT, 'bin', 'agentctl');
export const FAKES = join(ROOT, 'test', 'fakes');

/** Variables that change how the fake (and real) agent CLIs behave: never inherited by tests. */
const FAKE_STEERING = new Set(['CLAUDE_CONFIG_DIR', 'IS_SANDBOX', 'GEMINI_CLI_TRUST_WORKSPACE', 'GEMINI_API_KEY', 'OPENAI_API_KEY', 'ANTHROPIC_API_KEY']);

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface TestEnv {
  root: string;
  home: string;
  socket: string;
  /** HOME of the fake agents (their session stores live under it). */
  userHome: string;
  env: Record<string, string>;
  /** Run `agentctl args...` (the built CLI) with this environment. */
  run(args: string[], o?: { input?: string; cwd?: string; env?: Record<string, string | undefined>; timeoutMs?: number }): Promise<RunResult>;
  /** Run tmux on the private socket; returns stdout (throws on failure). */
  tmux(args: string[]): string;
  /** A git repository with one commit (and user identity set) under root. */
  repo(name?: string, files?: Record<string, string>): string;
  /** A plain directory that is not a git repository. */
  dir(name: string): string;
  meta(runId: string): Record<string, any>;
  /** Start a run and return its id (fails the test when start fails). */
  start(args: string[], prompt?: string, o?: { cwd?: string; env?: Record<string, string | undefined> }): Promise<string>;
  /** An "orchestrator" pane running a shell on the private server; returns its pane id. */
  orchestratorPane(session?: string): string;
  cleanup(): Promise<void>;
}

export async function makeEnv(): Promise<TestEnv> {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'agentctl-test-')));
  const home = join(root, 'ws');
  const userHome = join(root, 'user');
  mkdirSync(userHome);
  const socket = join(root, 'tmux.sock');
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith('TMUX') && !k.startsWith('AGENTCTL') && k !== 'AI_ORCH_HOME' && !k.startsWith('VITEST') && !FAKE_STEERING.has(k)) env[k] = v;
  }
  Object.assign(env, {
    PATH: `${FAKES}:${process.env.PATH}`,
    HOME: userHome,
    CODEX_HOME: join(userHome, '.codex'),
    AI_ORCH_HOME: home,
    AGENTCTL_TMUX_SOCKET: socket,
    GIT_AUTHOR_NAME: 'test',
    GIT_AUTHOR_EMAIL: 'test@example.invalid',
    GIT_COMMITTER_NAME: 'test',
    GIT_COMMITTER_EMAIL: 'test@example.invalid',
  });

  const t: TestEnv = {
    root,
    home,
    socket,
    userHome,
    env,
    async run(args, o = {}) {
      const r = await execa(BIN, args, {
        env: { ...env, ...o.env },
        extendEnv: false,
        cwd: o.cwd ?? root,
        input: o.input,
        stdin: o.input === undefined ? 'ignore' : 'pipe',
        reject: false,
        timeout: o.timeoutMs ?? 30_000,
      });
      return { code: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
    },
    tmux(args) {
      return String(execaSync('tmux', ['-S', socket, ...args], { env: { ...env } }).stdout);
    },
    repo(name = 'repo', files = { 'README.md': '# test\n' }) {
      const dir = join(root, name);
      mkdirSync(dir, { recursive: true });
      for (const [f, c] of Object.entries(files)) writeFileSync(join(dir, f), c);
      const git = (...a: string[]) => execaSync('git', a, { cwd: dir, env });
      git('init', '-q', '-b', 'main');
      git('add', '-A');
      git('commit', '-q', '-m', 'initial');
      return dir;
    },
    dir(name) {
      const dir = join(root, name);
      mkdirSync(dir, { recursive: true });
      return dir;
    },
    meta(runId) {
      return JSON.parse(readFileSync(join(home, 'runs', runId, 'meta.json'), 'utf8'));
    },
    async start(args, prompt, o = {}) {
      const r = await t.run(['start', ...args], { input: prompt, cwd: o.cwd, env: o.env });
      if (r.code !== 0) throw new Error(`start failed (${r.code}): ${r.stderr}`);
      return r.stdout.trim();
    },
    orchestratorPane(session = 'orch') {
      return t.tmux(['new-session', '-d', '-s', session, '-x', '200', '-y', '50', '-P', '-F', '#{pane_id}', 'sh']).trim();
    },
    async cleanup() {
      // supervisors still finishing up (notify.log, tmux) must not race the workspace's removal
      // (the tmux server keeps the argv of the command that started it, a supervisor's included: it is not one)
      const supervising = () =>
        String(execaSync('ps', ['-eo', 'args']).stdout)
          .split('\n')
          .some((l) => l.includes('_supervise') && l.includes(root) && !/^(\S*\/)?tmux\s/.test(l.trim()));
      await waitFor(() => !supervising(), 10_000, 'supervisors to exit').catch(() => {});
      try {
        execaSync('tmux', ['-S', socket, 'kill-server'], { reject: false });
      } catch {
        // no server was started
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
  return t;
}

/**
 * One environment for the enclosing describe block (or file): made, and by default initialised,
 * before its tests; handed to `ready`; removed after them.
 */
export function suiteEnv(ready: (t: TestEnv) => void, o: { init?: boolean } = {}): void {
  let t: TestEnv | undefined;
  beforeAll(async () => {
    t = await makeEnv();
    if (o.init !== false) {
      const r = await t.run(['init']);
      if (r.code !== 0) throw new Error(`agentctl init failed: ${r.stderr}`);
    }
    ready(t);
  });
  afterAll(async () => {
    await t?.cleanup();
  });
}

/** Dead, or a zombie nobody has reaped yet (it runs nothing any more). */
export function processGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

/** Poll until fn returns a truthy value, or fail after timeoutMs. */
export async function waitFor<T>(fn: () => T | Promise<T>, timeoutMs = 10_000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/**
 * Resolves once a child started with AGENTCTL_TRACE=1 prints the trace line `label` on stderr:
 * how a test knows a follower (`wait`, `tail`, `logs -f`) has its file watches in place before
 * it makes the change the follower must see. Call it right after starting the child.
 */
export function traced(child: ChildProcess, label: string, timeoutMs = 15_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let text = '';
    const done = (err?: Error) => {
      clearTimeout(timer);
      child.stderr!.off('data', onData);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve();
    };
    const onData = (d: Buffer) => {
      text += d.toString();
      if (text.includes(`] ${label}`)) done();
    };
    const onExit = (code: number | null) => done(new Error(`exited (${code}) before tracing "${label}"; stderr: ${text}`));
    const timer = setTimeout(() => done(new Error(`no "${label}" trace within ${timeoutMs} ms; stderr: ${text}`)), timeoutMs);
    child.stderr!.on('data', onData);
    child.once('exit', onExit);
  });
}

export function parseJsonLines(text: string): any[] {
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}

export function writeConfig(t: TestEnv, changes: Record<string, unknown>): void {
  const path = join(t.home, 'config.json');
  const cur = JSON.parse(readFileSync(path, 'utf8'));
  writeFileSync(path, JSON.stringify({ ...cur, ...changes }, null, 2));
}
