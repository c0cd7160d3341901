import path from 'node:path';
import { answerFromText, asNumber, asRecord, asString, clip, describeExit, firstLine, parseEvent } from './answer.js';
import { type AdapterDefinition, defineAdapter } from './define.js';
import { failedAnswer, lastReason, pickUsage, usageLine } from './stream.js';
import type { AgentAdapter, AgentState, FinalAnswer, FinishInput, Invocation, InvocationContext, ProgressLine } from './types.js';

// `codex exec --json`: see docs/agent-clis.md, "Codex CLI".

const OUTPUT_FILE = 'answer.codex.txt';
/** codex reports usage under our own names (a running total for the thread). */
const USAGE_NAMES = {
  input_tokens: 'input_tokens',
  cached_input_tokens: 'cached_input_tokens',
  cache_write_input_tokens: 'cache_write_input_tokens',
  output_tokens: 'output_tokens',
  reasoning_output_tokens: 'reasoning_output_tokens',
} as const;

/**
 * How codex words a failure before its first event ("Error loading config.toml: ...", "Error:
 * ...", clap's "error: ..."), which may follow a warning and precede a backtrace.
 */
const ERROR_LINE = /^error\b/i;

export interface CodexState extends AgentState {
  /** The last agent_message: the answer when the -o file is missing or empty. */
  finalText?: string;
  /** The message of turn.failed: the turn failed even if codex exits 0. */
  turnFailed?: string;
}

function buildInvocation(ctx: InvocationContext): Invocation {
  const outputFile = path.join(ctx.runDir, OUTPUT_FILE);
  const args = ['exec', '--json', '--output-schema', ctx.schemaPath, '-o', outputFile, '-C', ctx.cwd];
  if (ctx.profile.codex_profile) args.push('-p', ctx.profile.codex_profile);
  if (ctx.model) args.push('-m', ctx.model);
  // -m, -c and -s win over the codex profile file, so a profile that sets them needs none.
  if (ctx.profile.reasoning_effort) args.push('-c', `model_reasoning_effort=${JSON.stringify(ctx.profile.reasoning_effort)}`);
  // -s is rejected after `resume` but accepted before it, so a read-only profile stays read-only
  // on follow-up turns too.
  if (ctx.profile.sandbox) args.push('-s', ctx.profile.sandbox);
  if (!ctx.isGitRepo) args.push('--skip-git-repo-check');
  args.push(...(ctx.profile.extra_args ?? []));
  // `--last` would race with parallel runs: always resume by id.
  if (ctx.resumeSessionId) args.push('resume', ctx.resumeSessionId);
  args.push('-');
  return { file: 'codex', args, stdin: ctx.prompt, outputFile };
}

function onLine(line: string, state: CodexState): ProgressLine[] {
  const event = parseEvent(line);
  if (!event) return [];
  switch (event.type) {
    case 'thread.started': {
      const id = asString(event.thread_id);
      if (!id) return [];
      state.sessionId = id;
      return [{ kind: 'session', text: `session ${id}` }];
    }
    case 'item.started':
    case 'item.completed':
      return onItem(asRecord(event.item), event.type === 'item.completed', state);
    case 'turn.completed': {
      const usage = pickUsage(asRecord(event.usage), USAGE_NAMES);
      if (!usage) return [];
      state.usage = usage;
      return [usageLine(usage)];
    }
    case 'turn.failed': {
      const message = asString(asRecord(event.error)?.message) ?? 'turn failed';
      state.errors.push(message);
      state.turnFailed = message;
      return [{ kind: 'error', text: `turn failed: ${clip(message, 200)}` }];
    }
    case 'error': {
      // Top-level errors include retry notices; only turn.failed or the exit code make a run fail.
      const message = asString(event.message) ?? 'error';
      state.errors.push(message);
      return [{ kind: 'error', text: clip(message, 200) }];
    }
    default:
      return [];
  }
}

function onItem(item: Record<string, unknown> | undefined, completed: boolean, state: CodexState): ProgressLine[] {
  if (!item) return [];
  switch (item.type) {
    case 'command_execution': {
      const command = clip(asString(item.command) ?? '', 160);
      if (!completed) return [{ kind: 'command', text: `$ ${command}` }];
      const exit = asNumber(item.exit_code);
      const status = exit !== undefined ? `exit ${exit}` : (asString(item.status) ?? 'done');
      return [{ kind: 'command', text: `$ ${command} (${status})` }];
    }
    case 'agent_message': {
      const text = asString(item.text);
      if (!completed || text === undefined) return [];
      state.finalText = text;
      return [{ kind: 'message', text: clip(text, 200) }];
    }
    case 'reasoning': {
      const text = asString(item.text);
      return completed && text ? [{ kind: 'reasoning', text: firstLine(text, 160) }] : [];
    }
    case 'file_change': {
      if (!completed || !Array.isArray(item.changes)) return [];
      return item.changes.flatMap((change): ProgressLine[] => {
        const c = asRecord(change);
        const file = asString(c?.path);
        return file ? [{ kind: 'file', text: `${asString(c?.kind) ?? 'change'} ${file}` }] : [];
      });
    }
    case 'mcp_tool_call': {
      if (!completed) return [];
      const name = `${asString(item.server) ?? '?'}.${asString(item.tool) ?? '?'}`;
      const error = asString(asRecord(item.error)?.message) ?? asString(item.error);
      if (error) return [{ kind: 'error', text: `mcp ${name} failed: ${clip(error, 160)}` }];
      return [{ kind: 'tool', text: `mcp ${name} (${asString(item.status) ?? 'done'})` }];
    }
    case 'web_search': {
      const query = asString(item.query);
      return completed && query ? [{ kind: 'tool', text: `web search: ${clip(query, 160)}` }] : [];
    }
    case 'todo_list': {
      if (!completed || !Array.isArray(item.items)) return [];
      const done = item.items.filter((t) => asRecord(t)?.completed === true).length;
      return [{ kind: 'tool', text: `plan: ${done}/${item.items.length} done` }];
    }
    case 'error': {
      const message = asString(item.message);
      return completed && message ? [{ kind: 'error', text: clip(message, 200) }] : [];
    }
    default:
      return [];
  }
}

function finish(state: CodexState, input: FinishInput): FinalAnswer {
  // -o holds the last agent message byte for byte; it is empty when the turn produced none.
  const fromFile = input.outputFileText !== null && input.outputFileText.trim() !== '' ? input.outputFileText : null;
  const answer = answerFromText(fromFile ?? state.finalText ?? null);
  if (input.exitCode === 0 && state.turnFailed === undefined) return answer;
  const how = input.exitCode === 0 ? 'turn failed' : describeExit(input.exitCode, input.signal);
  return failedAnswer(answer, 'codex', how, state.turnFailed ?? lastReason(state, input.stderrTail, ERROR_LINE));
}

export const codex: AdapterDefinition<CodexState> = {
  name: 'codex',
  binary: 'codex',
  resumable: true,
  buildInvocation,
  newState: () => ({ errors: [] }),
  onLine,
  finish,
};

export const codexAdapter: AgentAdapter = defineAdapter(codex);
