import { answerFromText, asNumber, asRecord, asString, clip, firstLine, parseEvent } from './answer.js';
import { type AdapterDefinition, defineAdapter } from './define.js';
import { judgeResult, pickUsage, type ResultSeen, sessionLine, type ToolWords, toolUseLine } from './stream.js';
import type { AgentAdapter, AgentState, FinalAnswer, FinishInput, Invocation, InvocationContext, ProgressLine, Usage } from './types.js';

// `claude -p --output-format stream-json`: see docs/agent-clis.md, "Claude Code".

export interface ClaudeState extends AgentState {
  /** The last assistant text, replaced by the result event's text when it has one. */
  finalText?: string;
  /** The answer claude checked against --json-schema itself (result.structured_output). */
  structured?: unknown;
  result: ResultSeen;
  /** Usage of each API message so far, by message id (its content blocks repeat it): the running total until the result's. */
  messageUsage: Map<string, Usage>;
}

const TOOL_WORDS: ToolWords = {
  fileTools: new Set(['Write', 'Edit', 'MultiEdit', 'NotebookEdit']),
  fileKeys: ['file_path', 'notebook_path'],
  shellTool: 'Bash',
  detailKeys: ['pattern', 'url', 'query', 'description'],
};

const USAGE_NAMES = {
  input_tokens: 'input_tokens',
  cached_input_tokens: 'cache_read_input_tokens',
  cache_write_input_tokens: 'cache_creation_input_tokens',
  output_tokens: 'output_tokens',
} as const;

function buildInvocation(ctx: InvocationContext): Invocation {
  // stream-json needs --verbose in print mode; --json-schema takes the schema inline, not a path.
  const args = ['-p', '--output-format', 'stream-json', '--verbose', '--json-schema', JSON.stringify(ctx.schema)];
  if (ctx.model) args.push('--model', ctx.model);
  if (ctx.profile.permission_mode) args.push('--permission-mode', ctx.profile.permission_mode);
  if (ctx.resumeSessionId) args.push('--resume', ctx.resumeSessionId);
  args.push(...(ctx.profile.extra_args ?? []));
  // No positional prompt: claude reads it from stdin, which avoids argv size limits.
  return { file: 'claude', args, stdin: ctx.prompt };
}

function onLine(line: string, state: ClaudeState): ProgressLine[] {
  const event = parseEvent(line);
  if (!event) return [];
  switch (event.type) {
    case 'system':
      return onSystem(event, state);
    case 'assistant':
      addMessageUsage(asRecord(event.message), state);
      return onAssistant(asRecord(event.message), state);
    case 'user':
      return onToolResults(asRecord(event.message));
    case 'result':
      return onResult(event, state);
    default:
      return [];
  }
}

function onSystem(event: Record<string, unknown>, state: ClaudeState): ProgressLine[] {
  if (event.subtype === 'init') {
    state.sessionId = asString(event.session_id) ?? state.sessionId;
    state.model = asString(event.model) ?? state.model;
    return [sessionLine(state)];
  }
  if (event.subtype === 'api_retry') {
    const status = asNumber(event.error_status);
    const attempt = `${asNumber(event.attempt) ?? '?'}/${asNumber(event.max_retries) ?? '?'}`;
    return [{ kind: 'error', text: `API retry ${attempt}${status ? ` after HTTP ${status}` : ''}` }];
  }
  return [];
}

function onAssistant(message: Record<string, unknown> | undefined, state: ClaudeState): ProgressLine[] {
  if (!message || !Array.isArray(message.content)) return [];
  const lines: ProgressLine[] = [];
  for (const raw of message.content) {
    const block = asRecord(raw);
    if (block?.type === 'text') {
      const text = asString(block.text);
      if (text === undefined || text.trim() === '') continue;
      state.finalText = text;
      lines.push({ kind: 'message', text: clip(text, 200) });
    } else if (block?.type === 'thinking') {
      const text = asString(block.thinking);
      if (text) lines.push({ kind: 'reasoning', text: firstLine(text, 160) });
    } else if (block?.type === 'tool_use') {
      lines.push(toolUseLine(asString(block.name) ?? 'tool', asRecord(block.input) ?? {}, TOOL_WORDS));
    }
  }
  return lines;
}

/**
 * Before its result event, claude reports usage only per API message: their sum is the usage so
 * far (a budget can stop the run on it), until the result's total replaces it.
 */
function addMessageUsage(message: Record<string, unknown> | undefined, state: ClaudeState): void {
  const id = asString(message?.id);
  const usage = pickUsage(asRecord(message?.usage), USAGE_NAMES);
  if (!id || !usage || state.result !== 'none') return;
  state.messageUsage.set(id, usage);
  const sum: Usage = {};
  for (const u of state.messageUsage.values()) {
    for (const [k, v] of Object.entries(u) as [keyof Usage, number][]) sum[k] = (sum[k] ?? 0) + v;
  }
  state.usage = sum;
}

function onToolResults(message: Record<string, unknown> | undefined): ProgressLine[] {
  if (!message || !Array.isArray(message.content)) return [];
  return message.content.flatMap((raw): ProgressLine[] => {
    const block = asRecord(raw);
    if (block?.type !== 'tool_result' || block.is_error !== true) return [];
    const content = asString(block.content) ?? JSON.stringify(block.content ?? '');
    return [{ kind: 'error', text: `tool failed: ${clip(content, 160)}` }];
  });
}

function onResult(event: Record<string, unknown>, state: ClaudeState): ProgressLine[] {
  state.sessionId = asString(event.session_id) ?? state.sessionId;
  state.costUsd = asNumber(event.total_cost_usd) ?? state.costUsd;
  state.usage = pickUsage(asRecord(event.usage), USAGE_NAMES) ?? state.usage;
  if (event.structured_output !== undefined && event.structured_output !== null) {
    state.structured = event.structured_output;
  }
  const resultText = asString(event.result);
  if (resultText) state.finalText = resultText;

  const subtype = asString(event.subtype) ?? 'unknown';
  // An API error ends with subtype "success" and is_error true: both must be checked.
  const failed = event.is_error === true || subtype !== 'success';
  if (state.result !== 'failed') state.result = failed ? 'failed' : 'success';
  const lines: ProgressLine[] = [];
  if (failed) {
    const status = asNumber(event.api_error_status);
    const detail = resultText || (Array.isArray(event.errors) ? event.errors.map(String).join('; ') : '');
    const message = [status ? `API error ${status}` : subtype === 'success' ? 'error' : subtype, detail]
      .filter(Boolean).join(': ');
    state.errors.push(message);
    lines.push({ kind: 'error', text: clip(message, 200) });
  }
  const seconds = asNumber(event.duration_ms);
  const facts = [
    seconds !== undefined ? `${(seconds / 1000).toFixed(1)}s` : undefined,
    asNumber(event.num_turns) !== undefined ? `${asNumber(event.num_turns)} turns` : undefined,
    state.costUsd !== undefined ? `$${state.costUsd.toFixed(4)}` : undefined,
  ].filter(Boolean);
  lines.push({ kind: 'result', text: `${failed ? 'failed' : 'done'} (${subtype}) ${facts.join(', ')}`.trim() });
  return lines;
}

function finish(state: ClaudeState, input: FinishInput): FinalAnswer {
  const answer: FinalAnswer = state.structured !== undefined
    ? { rawText: JSON.stringify(state.structured), value: state.structured }
    : answerFromText(state.finalText ?? null);
  return judgeResult('claude', answer, state.result, state, input);
}

export const claude: AdapterDefinition<ClaudeState> = {
  name: 'claude',
  binary: 'claude',
  resumable: true,
  buildInvocation,
  newState: () => ({ errors: [], result: 'none', messageUsage: new Map() }),
  onLine,
  finish,
};

export const claudeAdapter: AgentAdapter = defineAdapter(claude);
