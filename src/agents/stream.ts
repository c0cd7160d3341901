// Pieces several adapters read their streams with: token usage under each CLI's own names, tool
// calls as progress lines, the session line, and how a failed run is worded.
import { asNumber, asString, clip, describeExit, lastLines } from './answer.js';
import type { AgentState, FinalAnswer, FinishInput, ProgressLine, Usage } from './types.js';

/** Usage from a CLI's report: `names` maps each of our keys to the CLI's key for it. */
export function pickUsage(raw: Record<string, unknown> | undefined, names: Partial<Record<keyof Usage, string>>): Usage | undefined {
  if (!raw) return undefined;
  const usage: Usage = {};
  for (const [ours, theirs] of Object.entries(names) as [keyof Usage, string][]) {
    const n = asNumber(raw[theirs]);
    if (n !== undefined) usage[ours] = n;
  }
  return usage;
}

export function usageLine(usage: Usage): ProgressLine {
  const cached = usage.cached_input_tokens ? ` (${usage.cached_input_tokens} cached)` : '';
  return { kind: 'usage', text: `tokens: ${usage.input_tokens ?? 0} in${cached}, ${usage.output_tokens ?? 0} out` };
}

export function sessionLine(state: AgentState): ProgressLine {
  return { kind: 'session', text: `session ${state.sessionId ?? '?'} (${state.model ?? 'default model'})` };
}

/** The words a CLI uses for its tools, so one function can render any CLI's tool calls. */
export interface ToolWords {
  /** Tools that write a file: rendered as a file change. */
  fileTools: ReadonlySet<string>;
  /** Parameters that name a file, most specific first. */
  fileKeys: readonly string[];
  /** The tool that runs a shell command (its `command` parameter is shown). */
  shellTool: string;
  /** Parameters worth showing for any other tool, first present wins. */
  detailKeys: readonly string[];
}

export function toolUseLine(name: string, input: Record<string, unknown>, words: ToolWords): ProgressLine {
  const file = firstString(input, words.fileKeys);
  if (words.fileTools.has(name) && file) return { kind: 'file', text: `${name.toLowerCase()} ${file}` };
  if (name === words.shellTool) return { kind: 'command', text: `$ ${clip(asString(input.command) ?? '', 160)}` };
  const detail = file ?? firstString(input, words.detailKeys) ?? JSON.stringify(input);
  return { kind: 'tool', text: `${name} ${clip(detail, 140)}` };
}

function firstString(input: Record<string, unknown>, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = asString(input[key]);
    if (value !== undefined) return value;
  }
  return undefined;
}

/** The answer marked as the agent's failure: "<agent> <how>: <reason>". */
export function failedAnswer(answer: FinalAnswer, agent: string, how: string, reason: string | undefined): FinalAnswer {
  return { ...answer, agentError: `${agent} ${how}${reason ? `: ${clip(reason, 500)}` : ''}` };
}

/** Why it failed: the stream's last fatal error, else what stderr says (see stderrReason). */
export function lastReason(state: AgentState, stderrTail: string, errorLine?: RegExp): string {
  return state.errors.at(-1) ?? stderrReason(stderrTail, errorLine);
}

/** Printed after the reason, never the reason itself: yargs' usage text, a Rust backtrace. */
const AFTER_REASON = /^(Usage: |Stack backtrace:)/;

/**
 * The reason on stderr of a CLI that stopped: the last line matching errorLine when there is
 * one (codex may print a warning first), else the last lines before a usage text or backtrace.
 */
export function stderrReason(stderrTail: string, errorLine?: RegExp): string {
  const all = stderrTail.split('\n');
  const end = all.findIndex((l) => AFTER_REASON.test(l));
  const text = (end > 0 ? all.slice(0, end) : all).join('\n');
  const error = errorLine ? lastLines(text, Infinity).findLast((l) => errorLine.test(l)) : undefined;
  return error ?? lastLines(text, 3).join(' | ');
}

/** Where a CLI that ends its stream with a result event stands once that stream is over. */
export type ResultSeen = 'none' | 'success' | 'failed';

/**
 * The final answer of a CLI whose stream ends with a result event (claude, gemini): success needs
 * exit 0 and a result that did not fail. exitMeaning explains a CLI's documented exit codes.
 */
export function judgeResult(
  agent: string,
  answer: FinalAnswer,
  result: ResultSeen,
  state: AgentState,
  input: FinishInput,
  exitMeaning: (code: number) => string | undefined = () => undefined,
): FinalAnswer {
  if (input.exitCode === 0 && result === 'success') return answer;
  let how: string;
  if (input.exitCode !== 0) {
    const meaning = input.exitCode === null ? undefined : exitMeaning(input.exitCode);
    how = `${describeExit(input.exitCode, input.signal)}${meaning ? ` (${meaning})` : ''}`;
  } else {
    how = result === 'none' ? 'ended without a result event' : 'reported an error';
  }
  return failedAnswer(answer, agent, how, lastReason(state, input.stderrTail));
}
