import {
  answerFromText, asNumber, asRecord, asString, clip, describeExit, lastLines, parseEvent,
} from './answer.js';
import { defineAdapter } from './define.js';
import type { AgentAdapter, AgentState, FinalAnswer, FinishInput, Invocation, InvocationContext, ProgressLine, Usage } from './types.js';

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

const FILE_TOOLS = new Set(['write_file', 'replace', 'edit']);

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
  const args = ['-p', geminiInstruction(ctx.schema), '-o', 'stream-json'];
  if (ctx.model) args.push('-m', ctx.model);
  if (ctx.profile.approval_mode) args.push('--approval-mode', ctx.profile.approval_mode);
  if (ctx.resumeSessionId) args.push('--resume', ctx.resumeSessionId);
  args.push(...(ctx.profile.extra_args ?? []));
  // Headless gemini in a folder it has not been told to trust exits 55 before doing anything.
  return { file: 'gemini', args, stdin: ctx.prompt, env: { GEMINI_CLI_TRUST_WORKSPACE: 'true' } };
}

function onLine(line: string, state: AgentState): ProgressLine[] {
  const event = parseEvent(line);
  if (!event) return [];
  if (event.type === 'message' && event.role === 'assistant') {
    const content = asString(event.content) ?? '';
    // The answer is the last assistant turn only; text before a tool call is narration.
    state.finalText = state.extra.assistantOpen === true ? `${state.finalText ?? ''}${content}` : content;
    state.extra.assistantOpen = true;
    return [];
  }
  const lines = closeAssistantTurn(state);
  switch (event.type) {
    case 'init':
      state.sessionId = asString(event.session_id) ?? state.sessionId;
      state.model = asString(event.model) ?? state.model;
      lines.push({ kind: 'session', text: `session ${state.sessionId ?? '?'} (${state.model ?? 'default model'})` });
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

function closeAssistantTurn(state: AgentState): ProgressLine[] {
  if (state.extra.assistantOpen !== true) return [];
  state.extra.assistantOpen = false;
  const text = state.finalText ?? '';
  return text.trim() === '' ? [] : [{ kind: 'message', text: clip(text, 200) }];
}

function onToolUse(event: Record<string, unknown>, state: AgentState): ProgressLine {
  const name = asString(event.tool_name) ?? 'tool';
  const id = asString(event.tool_id);
  if (id) toolNames(state)[id] = name;
  const params = asRecord(event.parameters) ?? {};
  const file = asString(params.file_path) ?? asString(params.absolute_path);
  if (FILE_TOOLS.has(name) && file) return { kind: 'file', text: `${name} ${file}` };
  if (name === 'run_shell_command') return { kind: 'command', text: `$ ${clip(asString(params.command) ?? '', 160)}` };
  const detail = file ?? asString(params.dir_path) ?? asString(params.pattern) ?? asString(params.query) ?? JSON.stringify(params);
  return { kind: 'tool', text: `${name} ${clip(detail, 140)}` };
}

function onToolResult(event: Record<string, unknown>, state: AgentState): ProgressLine[] {
  const id = asString(event.tool_id);
  const name = (id && toolNames(state)[id]) || 'tool';
  if (event.status === 'error') {
    const error = asString(asRecord(event.error)?.message) ?? asString(event.error) ?? 'failed';
    return [{ kind: 'error', text: `${name} failed: ${clip(error, 160)}` }];
  }
  const output = asString(event.output);
  return output ? [{ kind: 'tool', text: `${name}: ${clip(output, 100)}` }] : [];
}

function toolNames(state: AgentState): Record<string, string> {
  const existing = asRecord(state.extra.toolNames) as Record<string, string> | undefined;
  if (existing) return existing;
  const created: Record<string, string> = {};
  state.extra.toolNames = created;
  return created;
}

function onResult(event: Record<string, unknown>, state: AgentState): ProgressLine[] {
  state.extra.sawResult = true;
  const stats = asRecord(event.stats);
  const lines: ProgressLine[] = [];
  if (stats) {
    const usage: Usage = {};
    const set = (key: keyof Usage, value: unknown) => {
      const n = asNumber(value);
      if (n !== undefined) usage[key] = n;
    };
    set('total_tokens', stats.total_tokens);
    set('input_tokens', stats.input_tokens);
    set('output_tokens', stats.output_tokens);
    set('cached_input_tokens', stats.cached);
    state.usage = usage;
    lines.push({ kind: 'usage', text: `tokens: ${usage.input_tokens ?? 0} in, ${usage.output_tokens ?? 0} out` });
  }
  const status = asString(event.status) ?? 'unknown';
  if (status === 'error') {
    const message = asString(asRecord(event.error)?.message) ?? asString(event.error) ?? 'result status error';
    state.errors.push(message);
    state.extra.failed = true;
    lines.push({ kind: 'error', text: clip(message, 200) });
  }
  lines.push({ kind: 'result', text: status === 'success' ? 'done' : `ended: ${status}` });
  return lines;
}

function finish(input: FinishInput): FinalAnswer {
  const { state } = input;
  const answer = answerFromText(state.finalText ?? null);
  const sawResult = state.extra.sawResult === true;
  if (input.exitCode === 0 && sawResult && state.extra.failed !== true) return answer;
  let how: string;
  if (input.exitCode !== 0) {
    const meaning = input.exitCode === null ? undefined : EXIT_MEANINGS[input.exitCode];
    how = `${describeExit(input.exitCode, input.signal)}${meaning ? ` (${meaning})` : ''}`;
  } else {
    how = sawResult ? 'reported an error' : 'ended without a result event';
  }
  const reason = state.errors.at(-1) ?? lastLines(input.stderrTail, 3).join(' | ');
  return { ...answer, agentError: `gemini ${how}${reason ? `: ${clip(reason, 500)}` : ''}` };
}

export const geminiAdapter: AgentAdapter = defineAdapter({ name: 'gemini', binary: 'gemini', resumable: true, buildInvocation, onLine, finish });
