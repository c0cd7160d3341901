// Runs an agent's interactive TUI (the real claude/codex, or the fakes in test/fakes/interactive)
// in a PRIVATE tmux server with the launch the interactive adapter builds, offline against the
// scripted model server, and with hooks that drop each payload into an inbox directory of the
// test: what the tests of the hook contract observe. The permission hook answers from a file
// the test writes (allow, deny or none), like agentctl's permission hook would.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { interactiveAdapter } from '../../src/agents/interactive/index.js';
import type { InteractiveLaunch, LaunchContext } from '../../src/agents/interactive/types.js';
import type { InstanceAgent, PermissionMode } from '../../src/core/instances/types.js';
import { ROOT, processGone, waitFor } from './harness.js';
import { offlineCodexConfig } from './model-server.mjs';

export const FAKE_TUIS = join(ROOT, 'test', 'fakes', 'interactive');

export interface Hook {
  /** Inbox file name: `<ns time>-<pid>.json` (hooks) or `notify-<ns time>.json` (codex notify). */
  file: string;
  hook_event_name: string;
  [key: string]: any;
}

/** The files one test world keeps: a git repo to work in, the agents' homes, the inbox. */
export interface TuiWorld {
  root: string;
  repo: string;
  home: string;
  codexHome: string;
  env: Record<string, string>;
  cleanup(): void;
}

/** A git work tree with one commit at dir (created). */
export function gitRepo(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const git = (...a: string[]) => execFileSync('git', a, { cwd: dir, stdio: 'ignore', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.invalid', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.invalid' } });
  writeFileSync(join(dir, 'README.md'), '# test\n');
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'initial');
  return dir;
}

/**
 * What an agent TUI (real or fake) needs to run offline against the model server at `url`:
 * writes $codexHome/config.toml (provider, quiet settings, the model-migration notice answered)
 * and returns the environment variables (proxies at the server, claude's base URL and key).
 * Tests of the instance engine can use it with their own HOME, and FAKE_TUIS first on PATH.
 */
export function offlineTuiEnv(url: string, home: string, codexHome: string): Record<string, string> {
  mkdirSync(codexHome, { recursive: true });
  // the model this codex offers a newer one for: without the notice it asks at start
  writeFileSync(join(codexHome, 'config.toml'), `${offlineCodexConfig(url)}[notice.model_migrations]\n"gpt-5.5" = "gpt-6-sol"\n`);
  return {
    HOME: home,
    CODEX_HOME: codexHome,
    HTTPS_PROXY: url, HTTP_PROXY: url, https_proxy: url, http_proxy: url, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost',
    SCRIPTED_API_KEY: 'sk-scripted',
    ANTHROPIC_BASE_URL: url, ANTHROPIC_API_KEY: 'sk-ant-scripted-0123456789abcdef',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', DISABLE_TELEMETRY: '1', DISABLE_ERROR_REPORTING: '1', DISABLE_AUTOUPDATER: '1', CLAUDE_CODE_MAX_RETRIES: '0',
  };
}

/** A throwaway world whose agents reach only the model server at `url`. */
export function makeTuiWorld(url: string, binDir: string): TuiWorld {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'agentctl-tui-')));
  const repo = join(root, 'repo');
  const home = join(root, 'home');
  const codexHome = join(home, '.codex');
  gitRepo(repo);
  const env: Record<string, string> = {
    PATH: `${binDir}:${process.env.PATH}`,
    TERM: 'xterm-256color',
    LANG: 'C.UTF-8',
    TMPDIR: join(root, 'tmp'),
    ...offlineTuiEnv(url, home, codexHome),
  };
  mkdirSync(env.TMPDIR!);
  return { root, repo, home, codexHome, env, cleanup: () => rmSync(root, { recursive: true, force: true, maxRetries: 10 }) };
}

export interface TuiOptions {
  /** Where the agent runs (default: the world's repo). */
  cwd?: string;
  /** Run the adapter's prepareHome for cwd first (default true). */
  prepare?: boolean;
  permissions?: PermissionMode;
  model?: string | null;
  instructions?: string | null;
  firstPrompt?: string | null;
  resumeSessionId?: string | null;
  newSessionId?: string | null;
}

export interface Tui {
  agent: InstanceAgent;
  launch: InteractiveLaunch;
  inbox: string;
  pane: string;
  /** The agent's pid (the pane's process: `env` execs it). */
  pid: number;
  hooks(): Hook[];
  /** The first hook payload pred accepts (index: its place among all of this TUI's hooks). */
  waitHook(pred: (h: Hook, index: number) => boolean, what: string, timeoutMs?: number): Promise<Hook>;
  /** Bracketed paste, a pause, then Enter as its own key: how agentctl sends. */
  send(text: string): Promise<void>;
  /** send, confirmed by the UserPromptSubmit hook as agentctl confirms it; Enter once more (or the paste again) when it is not. */
  submit(text: string, normalized: string): Promise<Hook>;
  keys(...keys: string[]): void;
  /** What the permission hook answers next: allow, deny or nothing. */
  decide(decision: 'allow' | 'deny' | 'none'): void;
  screen(): string;
  exited(): boolean;
  kill(): void;
}

const PERMISSION_SH = `#!/bin/sh
# a stand-in for agentctl's permission hook: records the request, answers from ./decision
dir=$(dirname "$0")
cat > "$dir/inbox/.tmp-$$" && mv "$dir/inbox/.tmp-$$" "$dir/inbox/$(date +%s%N)-$$.json"
case $(cat "$dir/decision" 2>/dev/null) in
  allow) printf '%s\\n' '{"hookSpecificOutput":{"hookEventName":"PermissionRequest","decision":{"behavior":"allow"}}}' ;;
  deny) printf '%s\\n' '{"hookSpecificOutput":{"hookEventName":"PermissionRequest","decision":{"behavior":"deny","message":"denied by the test"}}}' ;;
esac
`;

let serial = 0;

export function startTui(world: TuiWorld, agent: InstanceAgent, o: TuiOptions = {}): Tui {
  const dir = join(world.root, `${agent}-${++serial}`);
  const inbox = join(dir, 'inbox');
  mkdirSync(inbox, { recursive: true });
  writeFileSync(join(dir, 'permission.sh'), PERMISSION_SH);
  chmodSync(join(dir, 'permission.sh'), 0o755);
  const q = (s: string) => `'${s.replace(/'/g, `'"'"'`)}'`;
  const ctx: LaunchContext = {
    dir,
    cwd: o.cwd ?? world.repo,
    model: o.model === undefined ? (agent === 'codex' ? 'gpt-5.5' : null) : o.model,
    permissions: o.permissions ?? 'ask',
    instructions: o.instructions ?? null,
    resumeSessionId: o.resumeSessionId ?? null,
    newSessionId: o.newSessionId ?? (agent === 'claude' && !o.resumeSessionId ? crypto.randomUUID() : null),
    hooks: {
      record: `sh -c 'cat > "$0/.tmp-$$" && mv "$0/.tmp-$$" "$0/$(date +%s%N)-$$.json"' ${q(inbox)}`,
      permission: `sh ${q(join(dir, 'permission.sh'))}`,
      permissionTimeoutS: 60,
      notify: ['sh', '-c', 'printf "%s" "$1" > "$0/notify-$(date +%s%N).json"', inbox],
    },
    mcpServer: null,
    firstPrompt: o.firstPrompt ?? null,
    env: world.env,
  };
  const adapter = interactiveAdapter(agent);
  if (o.prepare !== false) adapter.prepareHome(ctx.cwd, world.env);
  const launch = adapter.launch(ctx);
  for (const [file, content] of Object.entries(launch.files)) writeFileSync(file, content, { mode: 0o600 });
  const socket = join(world.root, 'tmux.sock');
  const tmux = (args: string[], input?: string) => execFileSync('tmux', ['-S', socket, ...args], { input, encoding: 'utf8', env: { PATH: process.env.PATH!, TMUX_TMPDIR: world.root } });
  const assignments = Object.entries({ ...world.env, ...launch.env }).map(([k, v]) => `${k}=${v}`);
  // the server stays up between sessions: a new session racing the last one's end finds none
  tmux(['start-server', ';', 'set-option', '-g', 'exit-empty', 'off']);
  // `env -i`: a tmux window starts from the server's environment, never the test runner's
  const pane = tmux(['new-session', '-d', '-s', `s${serial}`, '-x', '200', '-y', '50', '-c', ctx.cwd, '-P', '-F', '#{pane_id}', '--', 'env', '-i', ...assignments, launch.file, ...launch.args]).trim();
  const pid = Number(tmux(['display-message', '-p', '-t', pane, '#{pane_pid}']).trim());
  const hooks = (): Hook[] =>
    readdirSync(inbox)
      .filter((f) => f.endsWith('.json') && !f.startsWith('.'))
      .sort((a, b) => (nsOf(a) < nsOf(b) ? -1 : nsOf(a) > nsOf(b) ? 1 : 0))
      .flatMap((file) => {
        try {
          const payload = JSON.parse(readFileSync(join(inbox, file), 'utf8'));
          return [{ file, ...payload, hook_event_name: payload.hook_event_name ?? (file.startsWith('notify-') ? 'notify' : '?') }];
        } catch {
          return [];
        }
      });
  const send = async (text: string) => {
    tmux(['load-buffer', '-b', `p${serial}`, '-'], text);
    tmux(['paste-buffer', '-p', '-d', '-b', `p${serial}`, '-t', pane]);
    await new Promise((r) => setTimeout(r, 300));
    tmux(['send-keys', '-t', pane, 'Enter']);
  };
  const waitHook = (pred: (h: Hook, index: number) => boolean, what: string, timeoutMs = 20_000) =>
    waitFor(() => hooks().find(pred), timeoutMs, `${agent} ${what}; hooks so far: ${hooks().map((h) => h.hook_event_name).join(' ')}`);
  return {
    agent,
    launch,
    inbox,
    pane,
    pid,
    hooks,
    waitHook,
    send,
    async submit(text, normalized) {
      const from = hooks().length;
      const confirmed = (timeoutMs: number) =>
        waitHook((h, i) => i >= from && h.hook_event_name === 'UserPromptSubmit' && h.prompt === normalized, `UserPromptSubmit of ${JSON.stringify(normalized.slice(0, 40))}`, timeoutMs);
      await send(text);
      try {
        return await confirmed(5_000);
      } catch {
        // a busy machine: the paste or its Enter came before the input box was ready
        const shown = tmux(['capture-pane', '-p', '-t', pane]).includes(normalized.split('\n')[0]!.trim().slice(0, 30));
        if (shown) tmux(['send-keys', '-t', pane, 'Enter']);
        else await send(text);
        return confirmed(15_000);
      }
    },
    keys: (...keys) => void tmux(['send-keys', '-t', pane, ...keys]),
    decide: (decision) => writeFileSync(join(dir, 'decision'), decision),
    screen: () => tmux(['capture-pane', '-p', '-t', pane]),
    exited: () => processGone(pid),
    kill: () => {
      try {
        tmux(['kill-session', '-t', `s${serial}`]);
      } catch {
        // gone already
      }
    },
  };
}

/** Sort key of an inbox file: its nanosecond time (too many digits for a double). */
function nsOf(file: string): bigint {
  const m = /(\d{10,})/.exec(file);
  return m ? BigInt(m[1]!) : 0n;
}

/** Ends the world's tmux server and waits for the agents in it to be gone (they write into the world till then). */
export async function killTuiServer(world: TuiWorld, tuis: Tui[]): Promise<void> {
  try {
    execFileSync('tmux', ['-S', join(world.root, 'tmux.sock'), 'kill-server'], { stdio: 'ignore' });
  } catch {
    // no server
  }
  await waitFor(() => tuis.every((t) => t.exited()), 10_000, 'the agents to exit').catch(() => {});
}
