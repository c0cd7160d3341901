import type { AgentAdapter, AgentName, FinalAnswer, FinishInput, Invocation, InvocationContext, AgentState, ProgressLine } from './types.js';

interface AdapterParts {
  name: AgentName;
  binary: string;
  resumable: boolean;
  buildInvocation(ctx: InvocationContext): Invocation;
  onLine(line: string, state: AgentState): ProgressLine[];
  finish(input: FinishInput): FinalAnswer;
}

/**
 * An adapter whose event parsing and answer handling can never throw: a CLI release that
 * changes its output must cost at most a progress line or a clear agent error, not the run.
 */
export function defineAdapter(parts: AdapterParts): AgentAdapter {
  return {
    name: parts.name,
    binary: parts.binary,
    resumable: parts.resumable,
    buildInvocation: parts.buildInvocation,
    newState: () => ({ errors: [], extra: {} }),
    onLine(line, state) {
      try {
        return parts.onLine(line, state);
      } catch {
        return [];
      }
    },
    finish(input) {
      try {
        return parts.finish(input);
      } catch (err) {
        return { rawText: null, value: undefined, agentError: `${parts.name} answer handling failed: ${String(err)}` };
      }
    },
  };
}
