import {
  answerFromText, asNumber, asRecord, asString, clip, describeExit, firstLine, lastLines, parseEvent,
} from './answer.js';
import { defineAdapter } from './define.js';
import type { AgentAdapter, AgentState, FinalAnswer, FinishInput, Invocation, InvocationContext, ProgressLine, Usage } from './types.js';

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

function onLine(line: string, state: AgentState): ProgressLine[] {
  const event = parseEvent(line);
  if (!event) return [];
  switch (event.type) {
    case 'system':
      return onSystem(event, state);
    case 'assistant':
      return onAssistant(asRecord(event.message), state);
    case 'user':
      return onToolResults(asRecord(event.message));
    case 'result':
      return onResult(event, state);
    default:
      return [];
  }
}

function onSystem(event: Record<string, unknown>, state: AgentState): ProgressLine[] {
  if (event.subtype === 'init') {
    state.sessionId = asString(event.session_id) ?? state.sessionId;
    state.model = asString(event.model) ?? state.model;
    return [{ kind: 'session', text: `session ${state.sessionId ?? '?'} (${state.model ?? 'default model'})` }];
  }
  if (event.subtype === 'api_retry') {
    const status = asNumber(event.error_status);
    const attempt = `${asNumber(event.attempt) ?? '?'}/${asNumber(event.max_retries) ?? '?'}`;
    return [{ kind: 'error', text: `API retry ${attempt}${status ? ` after HTTP ${status}` : ''}` }];
  }
  return [];
}

function onAssistant(message: Record<string, unknown> | undefined, state: AgentState): ProgressLine[] {
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
      lines.push(describeToolUse(asString(block.name) ?? 'tool', asRecord(block.input) ?? {}));
    }
  }
  return lines;
}

const FILE_TOOLS = new Set(['Write', 'Edit', 'MultiEdit', 'NotebookEdit']);

function describeToolUse(name: string, input: Record<string, unknown>): ProgressLine {
  const file = asString(input.file_path) ?? asString(input.notebook_path);
  if (FILE_TOOLS.has(name) && file) return { kind: 'file', text: `${name.toLowerCase()} ${file}` };
  if (name === 'Bash') return { kind: 'command', text: `$ ${clip(asString(input.command) ?? '', 160)}` };
  const detail = file ?? asString(input.pattern) ?? asString(input.url) ?? asString(input.query)
    ?? asString(input.description) ?? JSON.stringify(input);
  return { kind: 'tool', text: `${name} ${clip(detail, 140)}` };
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

function onResult(event: Record<string, unknown>, state: AgentState): ProgressLine[] {
  state.extra.sawResult = true;
  state.sessionId = asString(event.session_id) ?? state.sessionId;
  state.costUsd = asNumber(event.total_cost_usd) ?? state.costUsd;
  state.usage = toUsage(asRecord(event.usage)) ?? state.usage;
  if (event.structured_output !== undefined && event.structured_output !== null) {
    state.structured = event.structured_output;
  }
  const resultText = asString(event.result);
  if (resultText) state.finalText = resultText;

  const subtype = asString(event.subtype) ?? 'unknown';
  // An API error ends with subtype "success" and is_error true: both must be checked.
  const failed = event.is_error === true || subtype !== 'success';
  const lines: ProgressLine[] = [];
  if (failed) {
    state.extra.failed = true;
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

function toUsage(raw: Record<string, unknown> | undefined): Usage | undefined {
  if (!raw) return undefined;
  const usage: Usage = {};
  const set = (key: keyof Usage, value: unknown) => {
    const n = asNumber(value);
    if (n !== undefined) usage[key] = n;
  };
  set('input_tokens', raw.input_tokens);
  set('cached_input_tokens', raw.cache_read_input_tokens);
  set('cache_write_input_tokens', raw.cache_creation_input_tokens);
  set('output_tokens', raw.output_tokens);
  return usage;
}

function finish(input: FinishInput): FinalAnswer {
  const { state } = input;
  const answer: FinalAnswer = state.structured !== undefined
    ? { rawText: JSON.stringify(state.structured), value: state.structured }
    : answerFromText(state.finalText ?? null);
  const sawResult = state.extra.sawResult === true;
  if (input.exitCode === 0 && sawResult && state.extra.failed !== true) return answer;
  const how = input.exitCode !== 0 ? describeExit(input.exitCode, input.signal)
    : sawResult ? 'reported an error' : 'ended without a result event';
  const reason = state.errors.at(-1) ?? lastLines(input.stderrTail, 3).join(' | ');
  return { ...answer, agentError: `claude ${how}${reason ? `: ${clip(reason, 500)}` : ''}` };
}

export const claudeAdapter: AgentAdapter = defineAdapter({ name: 'claude', binary: 'claude', resumable: true, buildInvocation, onLine, finish });
