import { answerFromText, asRecord, asString, clip, parseEvent } from './answer.js';
import { type AdapterDefinition, defineAdapter } from './define.js';
import { judgeResult, pickUsage, type ResultSeen, sessionLine, type ToolWords, toolUseLine, usageLine } from './stream.js';
import type { AgentAdapter, AgentState, FinalAnswer, FinishInput, Invocation, InvocationContext, ProgressLine } from './types.js';

// `gemini -p --output-format stream-json`: see docs/agent-clis.md, "Gemini CLI".

export interface GeminiState extends AgentState {
  /** The text of the latest assistant turn, its deltas joined. */
  finalText?: string;
  /** Whether the latest event was assistant text, so the next delta continues the same turn. */
  assistantOpen: boolean;
  /** tool_id -> tool name: a tool_result names only the id. */
  toolNames: Map<string, string>;
  result: ResultSeen;
}

const EXIT_MEANINGS: Record<number, string> = {
  41: 'authentication failed',
  42: 'bad input',
  44: 'sandbox error',
  52: 'configuration error',
  53: 'turn limit reached',
  54: 'tool error',
  55: 'untrusted workspace',
  130: 'cancelled',
};

const TOOL_WORDS: ToolWords = {
  fileTools: new Set(['write_file', 'replace', 'edit']),
  fileKeys: ['file_path', 'absolute_path'],
  shellTool: 'run_shell_command',
  detailKeys: ['dir_path', 'pattern', 'query'],
};

const USAGE_NAMES = {
  total_tokens: 'total_tokens',
  input_tokens: 'input_tokens',
  output_tokens: 'output_tokens',
  cached_input_tokens: 'cached',
} as const;

/**
 * Gemini has no structured-output flag: the schema travels in the prompt. The user's prompt
 * goes on stdin (gemini puts piped stdin before the -p text), so its size is not bound by the
 * 128 KiB limit on one argument and its bytes reach the model unchanged.
 */
export function geminiInstruction(schema: Record<string, unknown>): string {
  return `---\nWhen you are done, reply with ONLY a JSON object (no other text, no code fences) `
    + `that matches this JSON schema:\n${JSON.stringify(schema)}\n`;
}

function buildInvocation(ctx: InvocationContext): Invocation {
  // Joined with `=`: gemini's parser takes a separate value that starts with `-` (the instruction
  // starts with `---`) for an option and exits 1 with "Not enough arguments following: p".
  const args = [`--prompt=${geminiInstruction(ctx.schema)}`, '-o', 'stream-json'];
  if (ctx.model) args.push('-m', ctx.model);
  if (ctx.profile.approval_mode) args.push('--approval-mode', ctx.profile.approval_mode);
  if (ctx.resumeSessionId) args.push('--resume', ctx.resumeSessionId);
  args.push(...(ctx.profile.extra_args ?? []));
  // Headless gemini in a folder it has not been told to trust exits 55 before doing anything.
  return { file: 'gemini', args, stdin: ctx.prompt, env: { GEMINI_CLI_TRUST_WORKSPACE: 'true' } };
}

function onLine(line: string, state: GeminiState): ProgressLine[] {
  const event = parseEvent(line);
  if (!event) return [];
  if (event.type === 'message' && event.role === 'assistant') {
    const content = asString(event.content) ?? '';
    // The answer is the last assistant turn only; text before a tool call is narration.
    state.finalText = state.assistantOpen ? `${state.finalText ?? ''}${content}` : content;
    state.assistantOpen = true;
    return [];
  }
  const lines = closeAssistantTurn(state);
  switch (event.type) {
    case 'init':
      state.sessionId = asString(event.session_id) ?? state.sessionId;
      state.model = asString(event.model) ?? state.model;
      lines.push(sessionLine(state));
      break;
    case 'tool_use':
      lines.push(onToolUse(event, state));
      break;
    case 'tool_result':
      lines.push(...onToolResult(event, state));
      break;
    case 'error': {
      const message = asString(event.message) ?? 'error';
      if (event.severity === 'error') state.errors.push(message);
      lines.push({ kind: 'error', text: `${event.severity === 'error' ? '' : 'warning: '}${clip(message, 200)}` });
      break;
    }
    case 'result':
      lines.push(...onResult(event, state));
      break;
  }
  return lines;
}

function closeAssistantTurn(state: GeminiState): ProgressLine[] {
  if (!state.assistantOpen) return [];
  state.assistantOpen = false;
  const text = state.finalText ?? '';
  return text.trim() === '' ? [] : [{ kind: 'message', text: clip(text, 200) }];
}

function onToolUse(event: Record<string, unknown>, state: GeminiState): ProgressLine {
  const name = asString(event.tool_name) ?? 'tool';
  const id = asString(event.tool_id);
  if (id) state.toolNames.set(id, name);
  return toolUseLine(name, asRecord(event.parameters) ?? {}, TOOL_WORDS);
}

function onToolResult(event: Record<string, unknown>, state: GeminiState): ProgressLine[] {
  const id = asString(event.tool_id);
  const name = (id && state.toolNames.get(id)) || 'tool';
  if (event.status === 'error') {
    const error = asString(asRecord(event.error)?.message) ?? asString(event.error) ?? 'failed';
    return [{ kind: 'error', text: `${name} failed: ${clip(error, 160)}` }];
  }
  const output = asString(event.output);
  return output ? [{ kind: 'tool', text: `${name}: ${clip(output, 100)}` }] : [];
}

function onResult(event: Record<string, unknown>, state: GeminiState): ProgressLine[] {
  const lines: ProgressLine[] = [];
  const usage = pickUsage(asRecord(event.stats), USAGE_NAMES);
  if (usage) {
    state.usage = usage;
    lines.push(usageLine(usage));
  }
  const status = asString(event.status) ?? 'unknown';
  if (status === 'error') {
    const message = asString(asRecord(event.error)?.message) ?? asString(event.error) ?? 'result status error';
    state.errors.push(message);
    state.result = 'failed';
    lines.push({ kind: 'error', text: clip(message, 200) });
  } else if (state.result === 'none') {
    state.result = 'success';
  }
  lines.push({ kind: 'result', text: status === 'success' ? 'done' : `ended: ${status}` });
  return lines;
}

function finish(state: GeminiState, input: FinishInput): FinalAnswer {
  return judgeResult('gemini', answerFromText(state.finalText ?? null), state.result, state, input, (code) => EXIT_MEANINGS[code]);
}

export const gemini: AdapterDefinition<GeminiState> = {
  name: 'gemini',
  binary: 'gemini',
  resumable: true,
  buildInvocation,
  newState: () => ({ errors: [], assistantOpen: false, toolNames: new Map(), result: 'none' }),
  onLine,
  finish,
};

export const geminiAdapter: AgentAdapter = defineAdapter(gemini);
