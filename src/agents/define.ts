import { clip } from './answer.js';
import type {
  AgentAdapter, AgentName, AgentState, EventReader, FinalAnswer, FinishInput, Invocation, InvocationContext, ProgressLine,
} from './types.js';

/**
 * Everything one adapter knows about its CLI, with its own state type S. Tests call these
 * functions directly: they must not throw on any input, and nothing here hides it if they do.
 */
export interface AdapterDefinition<S extends AgentState> {
  name: AgentName;
  binary: string;
  resumable: boolean;
  buildInvocation(ctx: InvocationContext): Invocation;
  newState(): S;
  onLine(line: string, state: S): ProgressLine[];
  finish(state: S, input: FinishInput): FinalAnswer;
}

/**
 * The adapter the core uses. Each reader keeps its run's state in a closure, so the core never
 * sees the adapter's own state type. Should a parser throw after all (a bug), a CLI release
 * that changes its output still costs at most an error line or a clear agent error, not the run.
 */
export function defineAdapter<S extends AgentState>(def: AdapterDefinition<S>): AgentAdapter {
  return {
    name: def.name,
    binary: def.binary,
    resumable: def.resumable,
    buildInvocation: (ctx) => def.buildInvocation(ctx),
    newReader(): EventReader {
      const state = def.newState();
      return {
        state,
        onLine(line) {
          try {
            return def.onLine(line, state);
          } catch (err) {
            return [{ kind: 'error', text: `${def.name} event not understood: ${clip(String(err), 160)}` }];
          }
        },
        finish(input) {
          try {
            return def.finish(state, input);
          } catch (err) {
            return { rawText: null, value: undefined, agentError: `${def.name} answer handling failed: ${String(err)}` };
          }
        },
      };
    },
  };
}
