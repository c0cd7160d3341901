// What the instance engine (core/instances) needs of one agent CLI run as its interactive TUI
// in a pane. One module per CLI (claude.ts, codex.ts) knows its flags, hooks, first-run state
// and transcript format; the engine knows none of them. Facts: docs/agent-clis.md, section
// "Interactive sessions".
import type { InstanceAgent, PermissionMode } from '../../core/instances/types.js';

/** One hook command line per event the agent should report, ready to put into its config. */
export interface HookCommands {
  /** Shell command run with the JSON payload on stdin: drops it into the instance's inbox. */
  record: string;
  /** Shell command for PermissionRequest: records, asks the orchestrator, blocks for the answer, prints the decision. */
  permission: string;
  /** Seconds the permission hook may block (the agent's hook timeout must be at least this). */
  permissionTimeoutS: number;
  /** codex only: argv for `notify` (the payload is appended as the last argument). */
  notify: string[];
}

export interface LaunchContext {
  /** The instance's directory (settings.json and mcp.json are written here). */
  dir: string;
  cwd: string;
  model: string | null;
  permissions: PermissionMode;
  /** Role text and standing instructions, as the agent's extra system prompt (null: none). */
  instructions: string | null;
  /** A session to resume (revive, or start --interactive continuing), else a fresh one. */
  resumeSessionId: string | null;
  /** claude: the session id to create (--session-id). */
  newSessionId: string | null;
  hooks: HookCommands;
  /** argv of agentctl's MCP server for the instance (claude gets it through --mcp-config). */
  mcpServer: { command: string; args: string[]; env: Record<string, string> } | null;
  /** The first prompt, when the agent needs one to start (codex has no ready signal otherwise). */
  firstPrompt: string | null;
  env: NodeJS.ProcessEnv;
}

export interface InteractiveLaunch {
  file: string;
  args: string[];
  /** Variables to set for the agent on top of the caller's environment. */
  env: Record<string, string>;
  /** Files to write before the launch (path -> content, mode 0600). */
  files: Record<string, string>;
}

/** One turn of the conversation, read from the agent's own transcript/rollout (never the screen). */
export interface TranscriptTurn {
  /** 1-based, in transcript order. */
  n: number;
  at: string | null;
  prompt: string;
  reply: string | null;
  /** completed | interrupted | failed | running */
  outcome: string;
  error?: string;
  tools?: { name: string; input: unknown }[];
  /** Tokens the turn's model requests used, as the transcript/rollout records them (absent: none recorded). */
  usage?: TurnUsage;
}

export interface TurnUsage {
  /** Input not read from the cache. */
  input_tokens: number;
  cached_input_tokens: number;
  output_tokens: number;
}

export interface InteractiveAdapter {
  agent: InstanceAgent;
  /** The command line that starts (or resumes) the TUI in the pane. */
  launch(ctx: LaunchContext): InteractiveLaunch;
  /**
   * First-run screens that would block a fresh home (onboarding, folder trust, API-key
   * approval): what to set so the TUI starts straight into its input box, or null when
   * nothing is needed. Applied under a lock, only for keys that are missing.
   */
  prepareHome(cwd: string, env: NodeJS.ProcessEnv): void;
  /** Whether the agent gives a ready signal (claude: SessionStart) or needs its first prompt as an argument (codex). */
  readySignal: boolean;
  /**
   * How the agent shows a submitted prompt in UserPromptSubmit: the delivery check compares
   * this form of what was pasted with the hook's `prompt`.
   */
  normalizePrompt(text: string): string;
  /** Tool names that edit files (auto-edit allows them without asking). */
  editTools: readonly string[];
  /** The transcript/rollout file of a session, when it can be found without a hook payload. */
  transcriptPath(sessionId: string, cwd: string, env: NodeJS.ProcessEnv): string | null;
  readTranscript(path: string): TranscriptTurn[];
  /** Arguments of a one-line command typed in the TUI to end it cleanly (both: /exit). */
  exitCommand: string;
}
