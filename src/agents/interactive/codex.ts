// Codex's interactive TUI (docs/agent-clis.md, "Interactive sessions"): agentctl's hooks and
// notify go in as `-c` overrides (the user's config.toml keeps only the folder trust, which an
// override cannot give), without the shared background app-server so `/exit` really ends it.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { codexHome } from '../codex-profiles.js';
import { gitRoot, editUserFile, isRecord, readJsonLines, str } from './common.js';
import { tomlInline, tomlString } from './toml.js';
import type { InteractiveAdapter, InteractiveLaunch, LaunchContext, TranscriptTurn } from './types.js';
import { PERMISSION_MARGIN_S } from './claude.js';

export const CODEX_TUI_VERSION = '0.171.0';

/** The hook events of the pinned codex that the engine records; PermissionRequest gets the blocking hook. */
export const CODEX_HOOK_EVENTS = [
  'SessionStart', 'UserPromptSubmit', 'PreToolUse', 'PermissionRequest', 'PostToolUse', 'Stop', 'Interrupt', 'SessionEnd',
  'PreCompact', 'PostCompact', 'SubagentStart', 'SubagentStop',
] as const;

const RECORD_TIMEOUT_S = 10;
/** codex clamps these events' hook timeouts to 3 s and warns at startup about anything longer. */
const CLAMPED = new Set(['Interrupt', 'SessionEnd']);

/**
 * ask: codex asks before anything leaves the read-only sandbox (edits included); auto-edit:
 * edits inside the work tree go through, anything beyond is asked; bypass: nothing is asked.
 */
const PERMISSION_FLAGS = {
  ask: ['-a', 'on-request', '-s', 'read-only'],
  'auto-edit': ['-a', 'on-request', '-s', 'workspace-write'],
  bypass: ['--dangerously-bypass-approvals-and-sandbox'],
} as const;

/** The `-c` overrides that give codex agentctl's hooks, notify and instructions. */
export function codexOverrides(ctx: Pick<LaunchContext, 'hooks' | 'instructions'>): string[] {
  const out: string[] = [];
  for (const event of CODEX_HOOK_EVENTS) {
    const permission = event === 'PermissionRequest';
    const hook = {
      type: 'command',
      command: permission ? ctx.hooks.permission : ctx.hooks.record,
      timeout: permission ? ctx.hooks.permissionTimeoutS + PERMISSION_MARGIN_S : CLAMPED.has(event) ? 3 : RECORD_TIMEOUT_S,
    };
    out.push('-c', `hooks.${event}=${tomlInline([{ hooks: [hook] }])}`);
  }
  if (ctx.hooks.notify.length) out.push('-c', `notify=${tomlInline(ctx.hooks.notify)}`);
  if (ctx.instructions) out.push('-c', `developer_instructions=${tomlString(ctx.instructions)}`);
  return out;
}

function launch(ctx: LaunchContext): InteractiveLaunch {
  const args = ctx.resumeSessionId ? ['resume', ctx.resumeSessionId] : [];
  args.push('--no-daemon', '--dangerously-bypass-hook-trust');
  if (ctx.model) args.push('-m', ctx.model);
  args.push(...PERMISSION_FLAGS[ctx.permissions], ...codexOverrides(ctx));
  // after `--`, a prompt starting with `-` is still the prompt
  if (ctx.firstPrompt !== null) args.push('--', ctx.firstPrompt);
  return { file: 'codex', args, env: {}, files: {} };
}

/**
 * config.toml with `[projects."<root>"] trust_level = "trusted"` for the work tree holding cwd,
 * or null when it is there already (or cwd is in no work tree: codex asks only inside one).
 * The table is appended (or the key put under the user's own header for the root) so the
 * user's comments and layout stay; the result is parsed back and must differ only by that key.
 */
export function trustedConfig(text: string | null, root: string): string | null {
  let old: Record<string, unknown> = {};
  try {
    old = text ? parse(text) : {};
  } catch {
    return null; // codex reports a broken config itself; not ours to rewrite
  }
  const projects = isRecord(old.projects) ? old.projects : {};
  const project = isRecord(projects[root]) ? projects[root] : null;
  if (project && project.trust_level !== undefined) return null;
  const base = text ?? '';
  const header = `[projects.${tomlString(root)}]`;
  const candidates = [
    `${base}${base && !base.endsWith('\n') ? '\n' : ''}\n${header}\ntrust_level = "trusted"\n`,
    // the user's own table for the root, without trust_level: the key goes right under its header
    base.replace(new RegExp(`^${header.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[ \t]*$`, 'm'), (h) => `${h}\ntrust_level = "trusted"`),
  ];
  for (const candidate of candidates) {
    try {
      const parsed = parse(candidate);
      const got = isRecord(parsed.projects) && isRecord(parsed.projects[root]) ? parsed.projects[root] : null;
      if (got?.trust_level === 'trusted' && sameExceptTrust(old, parsed, root)) return candidate;
    } catch {
      // not valid TOML this way: try the next
    }
  }
  return null;
}

/** The edit added trust_level for root and changed nothing else. */
function sameExceptTrust(before: Record<string, unknown>, after: Record<string, unknown>, root: string): boolean {
  const copy = structuredClone(after) as Record<string, any>;
  delete copy.projects[root].trust_level;
  if (!Object.keys(copy.projects[root]).length && !(isRecord(before.projects) && root in before.projects)) delete copy.projects[root];
  if (!Object.keys(copy.projects).length && !('projects' in before)) delete copy.projects;
  return JSON.stringify(copy) === JSON.stringify(before);
}

function prepareHome(cwd: string, env: NodeJS.ProcessEnv): void {
  const root = gitRoot(cwd);
  if (!root) return;
  editUserFile(join(codexHome(env), 'config.toml'), (text) => trustedConfig(text, root));
}

/** $CODEX_HOME/sessions/YYYY/MM/DD/rollout-<time>-<id>.jsonl, newest day first. */
function rolloutPath(sessionId: string, _cwd: string, env: NodeJS.ProcessEnv): string | null {
  const sessions = join(codexHome(env), 'sessions');
  const list = (dir: string) => {
    try {
      return readdirSync(dir).sort().reverse();
    } catch {
      return [];
    }
  };
  const suffix = `-${sessionId}.jsonl`;
  for (const y of list(sessions)) {
    for (const m of list(join(sessions, y))) {
      for (const d of list(join(sessions, y, m))) {
        const hit = list(join(sessions, y, m, d)).find((f) => f.startsWith('rollout-') && f.endsWith(suffix));
        if (hit) return join(sessions, y, m, d, hit);
      }
    }
  }
  return null;
}

function toolInput(payload: Record<string, unknown>): unknown {
  const raw = payload.arguments ?? payload.input;
  if (typeof raw !== 'string') return raw ?? null;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** The text parts of a rollout item's content (`text` or `Text` parts). */
function itemText(item: Record<string, unknown>): string | null {
  if (!Array.isArray(item.content)) return null;
  const parts = item.content.filter(isRecord).map((c) => str(c.text)).filter((t): t is string => t !== null);
  return parts.length ? parts.join('\n') : null;
}

/**
 * Turns of a rollout: `task_started` ... `task_complete {last_agent_message, error}` or
 * `turn_aborted {reason}`. The prompt is the turn's UserMessage item (0.171) or `user_message`
 * event (earlier versions); tool calls are the `function_call`/`custom_tool_call` response items.
 */
export function readCodexRollout(path: string): TranscriptTurn[] {
  const turns: TranscriptTurn[] = [];
  let cur: TranscriptTurn | null = null;
  const addPrompt = (text: string | null) => {
    if (cur && text !== null) cur.prompt = cur.prompt ? `${cur.prompt}\n${text}` : text;
  };
  for (const line of readJsonLines(path)) {
    const p = isRecord(line.payload) ? line.payload : null;
    if (!p) continue;
    if (line.type === 'event_msg') {
      if (p.type === 'task_started' || p.type === 'turn_started') {
        cur = { n: turns.length + 1, at: str(line.timestamp), prompt: '', reply: null, outcome: 'running' };
        turns.push(cur);
      } else if (!cur) {
        continue;
      } else if (p.type === 'user_message') {
        addPrompt(str(p.message));
      } else if (p.type === 'item_completed' && isRecord(p.item)) {
        if (p.item.type === 'UserMessage') addPrompt(itemText(p.item));
        if (p.item.type === 'AgentMessage') cur.reply = itemText(p.item) ?? cur.reply;
      } else if (p.type === 'token_count' && isRecord(p.info) && isRecord(p.info.last_token_usage)) {
        // one per model request; last_token_usage is that request's (total_token_usage the thread's)
        const u = p.info.last_token_usage;
        const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
        const t = (cur.usage ??= { input_tokens: 0, cached_input_tokens: 0, output_tokens: 0 });
        t.input_tokens += n(u.input_tokens) - n(u.cached_input_tokens);
        t.cached_input_tokens += n(u.cached_input_tokens);
        t.output_tokens += n(u.output_tokens);
      } else if (p.type === 'agent_message') {
        cur.reply = str(p.message) ?? cur.reply;
      } else if (p.type === 'task_complete' || p.type === 'turn_complete') {
        cur.reply = str(p.last_agent_message) ?? cur.reply;
        const error = isRecord(p.error) ? str(p.error.message) ?? JSON.stringify(p.error) : null;
        cur.outcome = error ? 'failed' : 'completed';
        if (error) cur.error = error;
      } else if (p.type === 'turn_aborted') {
        cur.outcome = str(p.reason) === 'interrupted' ? 'interrupted' : 'failed';
        if (cur.outcome === 'failed') cur.error = `turn aborted: ${str(p.reason) ?? 'unknown reason'}`;
      } else if (p.type === 'error' && cur.outcome === 'running') {
        cur.error = str(p.message) ?? undefined;
      }
    } else if (line.type === 'response_item' && cur && (p.type === 'function_call' || p.type === 'custom_tool_call' || p.type === 'local_shell_call')) {
      (cur.tools ??= []).push({ name: str(p.name) ?? str(p.type) ?? '', input: toolInput(p) });
    }
  }
  return turns;
}

export const codexInteractive: InteractiveAdapter = {
  agent: 'codex',
  launch,
  prepareHome,
  readySignal: false,
  // the composer drops leading and trailing whitespace of a submitted prompt (checked on the pinned version)
  normalizePrompt: (text) => text.trim(),
  // exec_command reaches hooks as Bash; which name apply_patch gets is not verified yet: all candidates
  editTools: ['apply_patch', 'Edit', 'Write'],
  transcriptPath: rolloutPath,
  readTranscript: readCodexRollout,
  exitCommand: '/exit',
};
