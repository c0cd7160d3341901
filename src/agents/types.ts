// The contract between the run supervisor and one agent CLI. Each adapter is the only place
// that knows its CLI's flags and event stream (see docs/agent-clis.md).

export type AgentName = 'codex' | 'claude' | 'gemini' | 'shell';
export const AGENT_NAMES: readonly AgentName[] = ['codex', 'claude', 'gemini', 'shell'];

/** Token counts as reported by the agent; fields an agent does not report stay undefined. */
export interface Usage {
  input_tokens?: number;
  cached_input_tokens?: number;
  cache_write_input_tokens?: number;
  output_tokens?: number;
  reasoning_output_tokens?: number;
  total_tokens?: number;
}

/** codex's `model_reasoning_effort` values. */
export const REASONING_EFFORTS = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh'] as const;
export type ReasoningEffort = (typeof REASONING_EFFORTS)[number];

/** Agent options a profile may carry (config.json `profiles.<name>`). */
export interface AgentProfileOptions {
  /** codex: `-p <codex_profile>`, which layers $CODEX_HOME/<codex_profile>.config.toml over config.toml. */
  codex_profile?: string;
  /** codex: `-c model_reasoning_effort="..."`, so a profile needs no codex profile file. */
  reasoning_effort?: ReasoningEffort;
  /** codex: `-s` sandbox mode. */
  sandbox?: 'read-only' | 'workspace-write' | 'danger-full-access';
  /** claude: `--permission-mode`. */
  permission_mode?: string;
  /** gemini: `--approval-mode`. */
  approval_mode?: string;
  /** Extra arguments appended verbatim (never through a shell). */
  extra_args?: string[];
}

export interface InvocationContext {
  /** The prompt exactly as the user gave it. */
  prompt: string;
  /** Working directory of the agent (the project directory). */
  cwd: string;
  /** The run's artifact directory (absolute). Adapters may place output files here. */
  runDir: string;
  /** The run's JSON schema (already validated) and the path of its copy in runDir. */
  schema: Record<string, unknown>;
  schemaPath: string;
  /** Model override (`--model`), if any. */
  model?: string;
  profile: AgentProfileOptions;
  /** When set, continue this agent session instead of starting a new one. */
  resumeSessionId?: string;
  /** Shell agent only: the command and its arguments. */
  command?: string[];
  /** Whether cwd is inside a git work tree (codex needs --skip-git-repo-check outside one). */
  isGitRepo: boolean;
}

export interface Invocation {
  /** Executable name or path; resolved on the caller's PATH by the core. */
  file: string;
  args: string[];
  /** Written to the agent's stdin, then stdin is closed. null: stdin is closed at once. */
  stdin: string | null;
  /** Extra environment for the agent (added to the caller's environment). */
  env?: Record<string, string>;
  /** A file the agent writes its final answer to (codex `-o`, shell result file). */
  outputFile?: string;
}

/** One readable line for the worker's pane. */
export interface ProgressLine {
  kind: 'session' | 'message' | 'reasoning' | 'command' | 'file' | 'tool' | 'error' | 'usage' | 'result' | 'output';
  text: string;
}

/**
 * What every adapter learns from a run's event stream: the facts the supervisor records. Each
 * adapter's own state extends this with what only its CLI needs (see defineAdapter).
 */
export interface AgentState {
  sessionId?: string;
  model?: string;
  usage?: Usage;
  costUsd?: number;
  /** Fatal errors reported in the stream; the supervisor adds its own (an agent that did not start). */
  errors: string[];
}

export interface FinishInput {
  /** What the agent was started with (the shell adapter names its command from it). */
  invocation: Invocation;
  exitCode: number | null;
  signal: string | null;
  /** Contents of Invocation.outputFile after exit; null when it does not exist. */
  outputFileText: string | null;
  /** Last few KB of the agent's stderr. */
  stderrTail: string;
  /** Last few KB of the agent's stdout (for agents whose stdout is not an event stream). */
  stdoutTail: string;
}

export interface FinalAnswer {
  /** The final answer text exactly as the agent produced it; null when there is none. */
  rawText: string | null;
  /** The parsed JSON answer; undefined when absent or unparseable. */
  value: unknown;
  /** Why the answer could not be parsed, when rawText is present but value is undefined. */
  parseError?: string;
  /** The agent itself failed (non-zero exit, is_error, turn.failed...); human-readable reason. */
  agentError?: string;
}

/** One run's stdout as its adapter reads it, line by line, and the answer decided at the end. */
export interface EventReader {
  /** What the stream has told so far; the same object all along, so the caller may add errors. */
  readonly state: AgentState;
  /** Handle one stdout line (no trailing newline). Never throws; unknown events are ignored. */
  onLine(line: string): ProgressLine[];
  /** Decide the final answer after the agent exited. Never throws. */
  finish(input: FinishInput): FinalAnswer;
}

export interface AgentAdapter {
  readonly name: AgentName;
  /** Default executable name looked up on PATH. */
  readonly binary: string;
  /** Whether a finished run of this agent can be continued by session id. */
  readonly resumable: boolean;
  buildInvocation(ctx: InvocationContext): Invocation;
  /** A reader for one run's event stream, holding that run's state. */
  newReader(): EventReader;
}
