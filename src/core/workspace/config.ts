import { mkdirSync } from 'node:fs';
import * as z from 'zod';
import { AGENT_NAMES, REASONING_EFFORTS } from '../../agents/types.js';
import { AppError } from '../sys/errors.js';
import { createFileIfAbsent, readFileOrNull, withLock, writeJsonAtomic } from '../sys/fsutil.js';
import { readJsonFile } from '../sys/jsonfile.js';
import { workspace, type Workspace } from './paths.js';
import { BudgetsSchema, DEFAULT_PRICES, PriceSchema } from '../budget/prices.js';

export const ProfileSchema = z.looseObject({
  agent: z.enum(AGENT_NAMES),
  description: z.string().optional(),
  model: z.string().optional(),
  codex_profile: z.string().optional(),
  reasoning_effort: z.enum(REASONING_EFFORTS).optional(),
  sandbox: z.enum(['read-only', 'workspace-write', 'danger-full-access']).optional(),
  permission_mode: z.string().optional(),
  approval_mode: z.string().optional(),
  extra_args: z.array(z.string()).optional(),
  /** shell agent: the command a run of this profile executes when none is given after `--`. */
  command: z.array(z.string()).min(1).optional(),
  /** The profile `escalate` and `--auto-escalate` move a run to when its goal is not met. */
  escalate_to: z.string().optional(),
  /** Default timeout for runs of this profile, e.g. "30m". */
  timeout: z.string().optional(),
  /** Runs of this profile get their own git worktree unless the project or a flag says otherwise. */
  worktree: z.boolean().optional(),
});
export type Profile = z.infer<typeof ProfileSchema>;

export const DEFAULT_PROFILES: Record<string, Profile> = {
  spark: { agent: 'codex', codex_profile: 'spark', escalate_to: 'deep', description: 'fast, cheap: single-file fixes, quick checks' },
  deep: { agent: 'codex', codex_profile: 'deep', description: 'high reasoning: multi-file changes, hard bugs' },
  review: { agent: 'codex', codex_profile: 'review', sandbox: 'read-only', description: 'read-only code review' },
  claude: { agent: 'claude', permission_mode: 'acceptEdits', escalate_to: 'claude-deep', description: 'Claude Code, default model' },
  'claude-deep': { agent: 'claude', model: 'opus', permission_mode: 'acceptEdits', description: 'Claude Code on its strongest model' },
  gemini: { agent: 'gemini', approval_mode: 'auto_edit', description: 'Gemini CLI' },
  shell: { agent: 'shell', description: 'any command: goal met when it exits 0' },
};

const target = z.string().min(1).nullable();

export const ConfigSchema = z.looseObject({
  version: z.literal(1).default(1),
  tmux_session: z.string().min(1).default('ai'),
  tmux_socket: z.string().min(1).nullable().default(null),
  tmux_socket_name: z.string().min(1).nullable().default(null),
  tmux_notify_target: target.default(null),
  tmux_sendkeys_target: target.default(null),
  /** Which pane tmux_sendkeys_target was on when init recorded it (see core/tmux/wake.ts). */
  tmux_sendkeys_identity: z.object({ target: z.string(), pane: z.string(), server: z.string(), pane_pid: z.number() }).nullable().default(null),
  /** Columns the orchestrator's pane keeps when workers are split off beside it. */
  orchestrator_min_width: z.number().int().min(1).default(120),
  max_panes_per_window: z.number().int().min(1).max(32).default(4),
  agents_window: z.string().min(1).default('agents'),
  keep_pane_on_failure: z.boolean().default(true),
  keep_pane_on_success: z.boolean().default(false),
  default_profile: z.string().min(1).default('spark'),
  max_prompt_bytes: z.number().int().positive().default(1_000_000),
  max_escalations: z.number().int().min(0).max(10).default(2),
  /** Every run gets its own git worktree unless its project, profile or a flag says otherwise. */
  worktree: z.boolean().default(false),
  /** Commit a worktree run's changes on its branch when it ends. */
  worktree_commit: z.boolean().default(true),
  profiles: z.record(z.string(), ProfileSchema).default({}),
  /** Persistent interactive agents (instances): how many may be alive at once. */
  max_instances: z.number().int().min(1).max(64).default(8),
  /** Models an instance may be spawned with (null: any). */
  allowed_models: z.array(z.string().min(1)).nullable().default(null),
  /** An instance idle this long is stopped (its session stays resumable with revive); null: never. */
  instance_idle_stop: z.string().min(1).nullable().default('2h'),
  /** A permission request nobody answers within this time is denied with a message, so the agent goes on. */
  permission_timeout: z.string().min(1).default('30m'),
  /** The agent of a spawn that names none. */
  default_instance_agent: z.enum(['claude', 'codex']).default('claude'),
  /** Per role: the model (and agent) an instance of that role gets unless spawn names one. */
  roles: z.record(z.string(), z.looseObject({ model: z.string().min(1).optional(), agent: z.enum(['claude', 'codex']).optional() })).default({}),
  /** USD per million tokens by model (exact name, else longest prefix; an agent's name: its runs without a model), over the built-in table: docs/budgets.md. */
  prices: z.record(z.string(), PriceSchema).default(DEFAULT_PRICES),
  /** Spending limits: per run, per project per day, per workflow, per instance (docs/budgets.md). */
  budgets: BudgetsSchema.default({}),
});
export type Config = z.infer<typeof ConfigSchema>;

/** What `init` writes: every default spelled out so a user can see what to edit. */
export function defaultConfigFile(): Record<string, unknown> {
  const cfg = ConfigSchema.parse({});
  return { ...cfg, profiles: DEFAULT_PROFILES };
}

export const DEFAULT_RESULT_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'agentctl worker result',
  type: 'object',
  additionalProperties: false,
  required: ['goal_met', 'summary', 'followup_prompt', 'notes'],
  properties: {
    goal_met: { type: 'boolean', description: 'true only when every acceptance check of the task passed' },
    summary: { type: 'string', description: 'what was done and verified, in one to three sentences' },
    followup_prompt: { type: 'string', description: 'when goal_met is false: a self-contained prompt for the next attempt; else empty' },
    notes: { type: 'string', description: 'anything the orchestrator should know: risks, skipped checks, files touched' },
  },
} as const;

export interface LoadedConfig extends Config {
  /** Built-in profiles overlaid with the user's. */
  profiles: Record<string, Profile>;
}

export function loadConfig(ws: Workspace): LoadedConfig {
  const cfg = readJsonFile(ws.config, ConfigSchema, {
    missing: () => ConfigSchema.parse({}),
    syntaxFix: 'fix it, or move it aside and run "{cmd:init}"',
    invalidFix: 'fix that setting or remove it to get the default',
  });
  return { ...cfg, profiles: { ...DEFAULT_PROFILES, ...cfg.profiles } };
}

/** Liveness checks may notify tmux; a broken config.json must not stop a read from working. */
export function loadConfigOrNull(ws: Workspace): LoadedConfig | null {
  try {
    return loadConfig(ws);
  } catch {
    return null;
  }
}

export function getProfile(cfg: LoadedConfig, name: string): Profile {
  const p = cfg.profiles[name];
  if (!p) {
    throw new AppError(`unknown profile "${name}": use one of ${Object.keys(cfg.profiles).join(', ')}, or add it under "profiles" in config.json`);
  }
  return p;
}

/** Create whatever part of the workspace is missing; never touches existing files. */
export function ensureWorkspace(home: string): { ws: Workspace; created: string[] } {
  const ws = workspace(home);
  const created: string[] = [];
  for (const dir of [ws.home, ws.runs, ws.schemasDir, ws.locks]) {
    try {
      mkdirSync(dir);
      created.push(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        mkdirSync(dir, { recursive: true });
        created.push(dir);
      } else if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  const files: [string, () => string][] = [
    [ws.config, () => `${JSON.stringify(defaultConfigFile(), null, 2)}\n`],
    [ws.projects, () => `${JSON.stringify({ projects: {} }, null, 2)}\n`],
    [ws.defaultSchema, () => `${JSON.stringify(DEFAULT_RESULT_SCHEMA, null, 2)}\n`],
    [ws.notify, () => ''],
  ];
  for (const [path, content] of files) {
    // exclusive create: a concurrent first command (e.g. parallel add-project) must not
    // replace a file another one has already created and updated
    if (readFileOrNull(path) === null && createFileIfAbsent(path, content())) created.push(path);
  }
  return { ws, created };
}

/** Change a few top-level keys of config.json, keeping every other byte the user wrote. */
export function updateConfigFile(ws: Workspace, changes: Record<string, unknown>): void {
  withLock(`${ws.locks}/config.lock`, () => {
    loadConfig(ws); // refuses a corrupt file instead of overwriting it
    const text = readFileOrNull(ws.config);
    const current = text === null ? defaultConfigFile() : (JSON.parse(text) as Record<string, unknown>);
    writeJsonAtomic(ws.config, { ...current, ...changes });
  });
}
