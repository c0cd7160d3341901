// Claude Code's interactive TUI (docs/agent-clis.md, "Interactive sessions"): started with
// agentctl's hooks in a --settings file of the instance (the user's settings stay untouched),
// a session id chosen up front, and the first-run screens switched off in ~/.claude.json.
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { HookCommands, InteractiveAdapter, InteractiveLaunch, LaunchContext, TranscriptTurn } from './types.js';
import { editUserFile, isRecord, readJsonLines, resolvedDir, str } from './common.js';

/** The version whose screens and formats these facts were checked on (docs/agent-clis.md). */
export const CLAUDE_TUI_VERSION = '2.1.332';

/** Events whose payload the engine folds into status; PermissionRequest gets the blocking hook. */
export const CLAUDE_HOOK_EVENTS = [
  'SessionStart', 'UserPromptSubmit', 'PreToolUse', 'PostToolUse', 'PostToolUseFailure', 'PermissionRequest',
  'PermissionDenied', 'Notification', 'Stop', 'StopFailure', 'SubagentStop', 'PreCompact', 'SessionEnd',
] as const;

/** Hooks are tiny (a rename); 10 s only guards against a stuck disk. */
const RECORD_TIMEOUT_S = 10;
/** The permission hook prints its decision at permissionTimeoutS; this margin keeps Claude from killing it first. */
export const PERMISSION_MARGIN_S = 30;

const PERMISSION_FLAGS = { ask: ['--permission-mode', 'default'], 'auto-edit': ['--permission-mode', 'acceptEdits'], bypass: ['--dangerously-skip-permissions'] } as const;

export function claudeSettings(hooks: HookCommands, bypass: boolean): Record<string, unknown> {
  const entry = (command: string, timeout: number) => [{ hooks: [{ type: 'command', command, timeout }] }];
  const table: Record<string, unknown> = {};
  for (const event of CLAUDE_HOOK_EVENTS) {
    table[event] = event === 'PermissionRequest'
      ? entry(hooks.permission, hooks.permissionTimeoutS + PERMISSION_MARGIN_S)
      : entry(hooks.record, RECORD_TIMEOUT_S);
  }
  return { hooks: table, ...(bypass ? { skipDangerousModePermissionPrompt: true } : {}) };
}

function launch(ctx: LaunchContext): InteractiveLaunch {
  const settings = join(ctx.dir, 'settings.json');
  const files: Record<string, string> = { [settings]: `${JSON.stringify(claudeSettings(ctx.hooks, ctx.permissions === 'bypass'), null, 2)}\n` };
  const args = ['--settings', settings];
  if (ctx.resumeSessionId) args.push('--resume', ctx.resumeSessionId);
  else if (ctx.newSessionId) args.push('--session-id', ctx.newSessionId);
  if (ctx.model) args.push('--model', ctx.model);
  args.push(...PERMISSION_FLAGS[ctx.permissions]);
  if (ctx.instructions) {
    // a file, not argv: the text may be long and stays out of the process table
    const file = join(ctx.dir, 'system-prompt.md');
    files[file] = ctx.instructions;
    args.push('--append-system-prompt-file', file);
  }
  if (ctx.mcpServer) {
    const file = join(ctx.dir, 'mcp.json');
    files[file] = `${JSON.stringify({ mcpServers: { agentctl: { type: 'stdio', ...ctx.mcpServer } } }, null, 2)}\n`;
    // --mcp-config takes several values: it must not be followed by a positional argument
    args.push('--mcp-config', file);
  }
  const env: Record<string, string> = {
    // the official marketplace is installed at the first prompt over the network otherwise
    CLAUDE_CODE_DISABLE_OFFICIAL_MARKETPLACE_AUTOINSTALL: '1',
  };
  if (ctx.permissions === 'bypass' && process.getuid?.() === 0) env.IS_SANDBOX = '1';
  return { file: 'claude', args, env, files };
}

/** Claude's config dir (~/.claude or $CLAUDE_CONFIG_DIR) and its global state file. */
function claudeDir(env: NodeJS.ProcessEnv): string {
  return env.CLAUDE_CONFIG_DIR || join(env.HOME || homedir(), '.claude');
}
function claudeJson(env: NodeJS.ProcessEnv): string {
  return env.CLAUDE_CONFIG_DIR ? join(env.CLAUDE_CONFIG_DIR, '.claude.json') : join(env.HOME || homedir(), '.claude.json');
}

/**
 * The ~/.claude.json keys that let a fresh home start straight into the input box: onboarding
 * done, this folder trusted, the API key approved. Only missing keys are added; the rest of the
 * file is written back as it was (Claude rewrites it itself while running, so the window is short).
 */
export function seedClaudeState(state: Record<string, unknown>, cwd: string, env: NodeJS.ProcessEnv): boolean {
  let changed = false;
  const set = (obj: Record<string, unknown>, key: string, value: unknown) => {
    if (obj[key] === undefined) {
      obj[key] = value;
      changed = true;
    }
  };
  set(state, 'hasCompletedOnboarding', true);
  set(state, 'lastOnboardingVersion', CLAUDE_TUI_VERSION);
  if (!isRecord(state.projects)) {
    state.projects = {};
    changed = true;
  }
  const projects = state.projects as Record<string, unknown>;
  const dir = resolvedDir(cwd);
  if (!isRecord(projects[dir])) {
    projects[dir] = {};
    changed = true;
  }
  set(projects[dir] as Record<string, unknown>, 'hasTrustDialogAccepted', true);
  const key = env.ANTHROPIC_API_KEY;
  if (key) {
    if (!isRecord(state.customApiKeyResponses)) {
      state.customApiKeyResponses = { approved: [], rejected: [] };
      changed = true;
    }
    const responses = state.customApiKeyResponses as Record<string, unknown>;
    const approved = Array.isArray(responses.approved) ? responses.approved : [];
    const tail = key.slice(-20);
    const rejected = Array.isArray(responses.rejected) && responses.rejected.includes(tail);
    // a key the user turned down stays turned down
    if (!approved.includes(tail) && !rejected) {
      responses.approved = [...approved, tail];
      changed = true;
    }
  }
  return changed;
}

function prepareHome(cwd: string, env: NodeJS.ProcessEnv): void {
  editUserFile(claudeJson(env), (text) => {
    let state: unknown = {};
    if (text !== null && text.trim()) {
      try {
        state = JSON.parse(text);
      } catch {
        return null; // not ours to repair: Claude keeps a backup and says so itself
      }
    }
    if (!isRecord(state)) return null;
    return seedClaudeState(state, cwd, env) ? `${JSON.stringify(state, null, 2)}\n` : null;
  });
}

/** Claude keys a project's sessions by its directory with every character but letters and digits as `-`. */
export function claudeProjectKey(cwd: string): string {
  return resolvedDir(cwd).replace(/[^A-Za-z0-9]/g, '-');
}

const INTERRUPTED = /^\[Request interrupted by user/;

/** The text of a user entry, or null for tool results and entries the user did not type. */
function userText(entry: Record<string, unknown>): string | null {
  if (entry.isMeta || entry.isCompactSummary || entry.isVisibleInTranscriptOnly) return null;
  const message = isRecord(entry.message) ? entry.message : null;
  const content = message?.content;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return null;
  if (content.some((b) => isRecord(b) && b.type === 'tool_result')) return null;
  const texts = content.filter((b) => isRecord(b) && b.type === 'text').map((b) => str((b as Record<string, unknown>).text) ?? '');
  return texts.length ? texts.join('\n') : null;
}

/** Commands and their output are recorded as user entries in tags; they are not turns. */
const LOCAL_COMMAND = /^<(command-name|command-message|local-command-stdout|local-command-caveat|bash-input|bash-stdout)>/;

type ClaudeTurn = TranscriptTurn & { lastMsg: string | null; counted: Set<string> };

/** One API message's usage, once: its text and tool blocks may come as several entries repeating it. */
function countUsage(turn: ClaudeTurn, id: string | null, u: Record<string, unknown>): void {
  if (id !== null) {
    if (turn.counted.has(id)) return;
    turn.counted.add(id);
  }
  const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  const t = (turn.usage ??= { input_tokens: 0, cached_input_tokens: 0, output_tokens: 0 });
  t.input_tokens += n(u.input_tokens) + n(u.cache_creation_input_tokens);
  t.cached_input_tokens += n(u.cache_read_input_tokens);
  t.output_tokens += n(u.output_tokens);
}

export function readClaudeTranscript(path: string): TranscriptTurn[] {
  const turns: TranscriptTurn[] = [];
  let cur: ClaudeTurn | null = null;
  const close = () => {
    if (!cur) return;
    const { lastMsg: _, counted: _c, ...turn } = cur;
    turns.push(turn);
    cur = null;
  };
  for (const entry of readJsonLines(path)) {
    if (entry.type === 'user') {
      const text = userText(entry);
      if (text === null || LOCAL_COMMAND.test(text)) continue;
      if (INTERRUPTED.test(text)) {
        if (cur) cur.outcome = 'interrupted';
        continue;
      }
      // a prompt interrupted before any output is followed by the next prompt and nothing else
      if (cur && cur.outcome === 'running' && cur.reply === null && !cur.tools) cur.outcome = 'interrupted';
      close();
      cur = { n: turns.length + 1, at: str(entry.timestamp), prompt: text, reply: null, outcome: 'running', lastMsg: null, counted: new Set() };
    } else if (entry.type === 'assistant' && cur) {
      const message = isRecord(entry.message) ? entry.message : {};
      const blocks = Array.isArray(message.content) ? message.content.filter(isRecord) : [];
      const id = str(message.id);
      if (isRecord(message.usage)) countUsage(cur, id, message.usage);
      for (const block of blocks) {
        if (block.type === 'tool_use') (cur.tools ??= []).push({ name: str(block.name) ?? '', input: block.input });
        if (block.type !== 'text' || typeof block.text !== 'string') continue;
        // one API message may be split over several entries: its text blocks form the reply
        cur.reply = cur.lastMsg !== null && cur.lastMsg === id && cur.reply !== null ? `${cur.reply}\n${block.text}` : block.text;
        cur.lastMsg = id;
      }
      if (entry.isApiErrorMessage) {
        cur.outcome = 'failed';
        cur.error = cur.reply ?? str(entry.error) ?? 'API error';
      } else if (cur.outcome !== 'interrupted' && message.stop_reason === 'end_turn') {
        cur.outcome = 'completed';
      }
    } else if (entry.type === 'system' && entry.subtype === 'turn_duration' && cur && cur.outcome === 'running') {
      cur.outcome = 'completed';
    }
  }
  close();
  return turns;
}

export const claudeInteractive: InteractiveAdapter = {
  agent: 'claude',
  launch,
  prepareHome,
  readySignal: true,
  // a pasted tab arrives as four spaces, trailing whitespace is dropped (checked on the pinned version)
  normalizePrompt: (text) => text.replace(/\t/g, '    ').replace(/\s+$/, ''),
  editTools: ['Edit', 'MultiEdit', 'Write', 'NotebookEdit'],
  transcriptPath: (sessionId, cwd, env) => join(claudeDir(env), 'projects', claudeProjectKey(cwd), `${sessionId}.jsonl`),
  readTranscript: readClaudeTranscript,
  exitCommand: '/exit',
};
