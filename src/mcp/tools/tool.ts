// What a tool module exports, and what every tool shares: run ids, the options of a new run,
// annotations, and the one-line renderings of runs.
import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import * as z from 'zod';
import type { AppContext } from '../../app/context.js';
import type { RunOptions } from '../../app/start.js';
import type { StartedView, WaitLine } from '../../app/views.js';

/** The server's settings some tools are described and run with. */
export interface ToolSettings {
  /** wait_runs never blocks longer than this (seconds): below the client's tool-call timeout. */
  maxWaitS: number;
}

export interface ToolDefinition<I extends z.ZodRawShape, O extends z.ZodRawShape> {
  name: string;
  title: string;
  description: string;
  input: I;
  /** What structuredContent holds (its top level may carry more fields than named). */
  output: O;
  annotations: ToolAnnotations;
}

/** One call: a context of its own (config read afresh), the client's cancel, the settings. */
export interface ToolCall {
  ctx: AppContext;
  signal: AbortSignal;
  settings: ToolSettings;
}

export interface ToolReply<O> {
  data: O;
  /** What a model reads first: a short rendering of data. */
  text: string;
  /** Not done as asked (the CLI exits non-zero), though data says what did happen. */
  error?: boolean;
}

/** A tool: its definition (some depend on the settings) and what a call does. */
export interface Tool<I extends z.ZodRawShape, O extends z.ZodRawShape> {
  definition: ToolDefinition<I, O> | ((s: ToolSettings) => ToolDefinition<I, O>);
  run(args: z.infer<z.ZodObject<I>>, call: ToolCall): Promise<ToolReply<z.infer<z.ZodObject<O>>>>;
}

/** Checks a tool's handler against its own schemas: data that drifts from the output shape does not compile. */
export const defineTool = <I extends z.ZodRawShape, O extends z.ZodRawShape>(t: Tool<I, O>): Tool<I, O> => t;

export const READ: ToolAnnotations = { readOnlyHint: true, openWorldHint: false };
/** Starts workers that act on the world. */
export const ACT: ToolAnnotations = { readOnlyHint: false, destructiveHint: false, openWorldHint: true };
/** Changes the project's checkout or removes git state: clients should ask first. */
export const GIT_WRITE: ToolAnnotations = { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false };

export const runId = z.string().describe('run id, or a unique prefix or suffix of one (e.g. the last 4 characters)');

/** The options of a new run, as a model passes them. */
export const runInputs = {
  title: z.string().optional().describe("short title shown in lists and notifications (default: the prompt's first line)"),
  model: z.string().optional().describe('model override passed to the agent CLI'),
  schema: z.string().optional().describe('path of a JSON Schema file the final answer must match (default: the workspace result schema with goal_met, summary, followup_prompt, notes)'),
  timeout: z.union([z.string(), z.number()]).optional().describe('stop the run after this long: seconds, or "90s", "15m", "1h30m"'),
  auto_escalate: z.boolean().optional().describe("when the goal is not met, continue automatically on the profile's escalate_to profile"),
  window: z.boolean().optional().describe('put the worker in a tmux window of its own instead of beside the orchestrator'),
};

/** runInputs' arguments as the app's run options. */
export function runRequest(a: z.infer<z.ZodObject<typeof runInputs>>): RunOptions {
  return {
    title: a.title,
    model: a.model,
    schema: a.schema,
    timeout: a.timeout === undefined ? undefined : String(a.timeout),
    autoEscalate: a.auto_escalate,
    window: a.window,
  };
}

/** One line per run for the text rendering. */
export function resultLine(r: WaitLine): string {
  const state = r.outcome ?? r.status;
  const bits = [`${r.run_id}: ${state}`];
  if (r.duration_s !== null) bits.push(`${r.duration_s}s`);
  if (r.branch) bits.push(`branch ${r.branch}`);
  if (r.escalated_to) bits.push(`escalated to ${r.escalated_to}`);
  if (r.summary) bits.push(r.summary);
  if (r.error && r.error !== r.summary) bits.push(`error: ${r.error}`);
  return bits.join(' · ');
}

export const startedText = (v: StartedView, verb = 'started') =>
  `${verb} run ${v.run_id} (${v.profile}, ${v.agent}) in ${v.worktree ? `worktree ${v.worktree} on branch ${v.branch}` : v.project_dir}${v.pane ? `, tmux pane ${v.pane}` : ''}: call wait_runs with ["${v.run_id}"] to get its result`;
