// Roles: the standing instructions and default model an instance gets from `spawn --role R`.
// The built-in roles are prompt files shipped in prompts/roles/; a user adds or replaces one by
// putting NAME.md in <home>/roles/, and sets its model or agent in config.json `roles.NAME`.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AppContext } from '../../app/context.js';
import { AppError } from '../sys/errors.js';
import { readFileOrNull } from '../sys/fsutil.js';
import { packageRoot } from '../sys/self.js';
import type { InstanceAgent } from './types.js';

/**
 * How much model a built-in role wants. Planning, reviewing and researching pay for the
 * strongest model; the roles that do the bulk of the work run on the agent's default.
 */
type Tier = 'strong' | 'default';

export const BUILTIN_ROLES: Readonly<Record<string, Tier>> = {
  architect: 'strong',
  developer: 'default',
  reviewer: 'strong',
  tester: 'default',
  documenter: 'default',
  researcher: 'strong',
};

/** The strong model per agent; null leaves the choice to the agent (codex has no alias that stays valid across releases). */
const STRONG_MODEL: Record<InstanceAgent, string | null> = { claude: 'opus', codex: null };

export interface Role {
  name: string;
  /** The role's instructions, as the agent gets them before the standing instructions. */
  text: string;
  /** The model for the agent the instance will run (see resolveRole's `agent`); null: the agent's default. */
  model: string | null;
  /** The agent the role asks for (config roles.NAME.agent); null: whatever spawn or the config default says. */
  agent: InstanceAgent | null;
  /** Where the text came from: "built-in" (prompts/roles/) or "workspace" (<home>/roles/). */
  source: 'built-in' | 'workspace';
  /** The file the text was read from. */
  file: string;
}

export interface RoleSummary extends Omit<Role, 'text'> {
  /** The first line of the role's text, for listings. */
  description: string;
}

const ROLE_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export const builtinRolesDir = (): string => join(packageRoot(), 'prompts', 'roles');
export const workspaceRolesDir = (home: string): string => join(home, 'roles');

/**
 * The role `name`: a workspace file wins over the built-in one of the same name, so a user can
 * rewrite a built-in role. The model is config roles.NAME.model when set, else the built-in
 * default for the agent the instance runs: `agent` when the caller knows it (spawn --agent),
 * else the role's configured agent, else config default_instance_agent.
 */
export function resolveRole(ctx: AppContext, name: string, o: { agent?: InstanceAgent } = {}): Role {
  const found = ROLE_NAME_RE.test(name) ? findRoleFile(ctx.home, name) : null;
  if (!found) throw unknownRole(ctx, name);
  const cfg = ctx.config();
  const entry = cfg.roles[name] ?? {};
  const agent = entry.agent ?? null;
  const tier = BUILTIN_ROLES[name];
  const runs = o.agent ?? agent ?? cfg.default_instance_agent;
  const model = entry.model ?? (tier === 'strong' ? STRONG_MODEL[runs] : null);
  return { name, text: found.text.trim(), model, agent, source: found.source, file: found.file };
}

/** Every role a spawn accepts, built-in first, then the workspace's own, each once. */
export function listRoles(ctx: AppContext): RoleSummary[] {
  const names = [...Object.keys(BUILTIN_ROLES)];
  for (const n of roleFileNames(workspaceRolesDir(ctx.home)).sort()) if (!names.includes(n)) names.push(n);
  return names.flatMap((n) => {
    try {
      const { text, ...rest } = resolveRole(ctx, n);
      return [{ ...rest, description: firstLine(text) }];
    } catch (err) {
      if (err instanceof AppError) return []; // a built-in file missing from a broken install
      throw err;
    }
  });
}

function findRoleFile(home: string, name: string): { text: string; source: Role['source']; file: string } | null {
  const own = join(workspaceRolesDir(home), `${name}.md`);
  const ownText = readFileOrNull(own);
  if (ownText !== null) return { text: ownText, source: 'workspace', file: own };
  if (!(name in BUILTIN_ROLES)) return null;
  const builtin = join(builtinRolesDir(), `${name}.md`);
  const text = readFileOrNull(builtin);
  return text === null ? null : { text, source: 'built-in', file: builtin };
}

function roleFileNames(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.md'))
      .map((f) => f.slice(0, -3))
      .filter((n) => ROLE_NAME_RE.test(n));
  } catch {
    return []; // no <home>/roles/: only the built-in roles
  }
}

function unknownRole(ctx: AppContext, name: string): AppError {
  const known = [...new Set([...Object.keys(BUILTIN_ROLES), ...roleFileNames(workspaceRolesDir(ctx.home)).sort()])];
  return new AppError(`unknown role ${JSON.stringify(name)}`, {
    fix: `use one of ${known.join(', ')}, or add your own as ${join(workspaceRolesDir(ctx.home), 'NAME.md')}`,
  });
}

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim() && !l.trim().startsWith('<!--')) ?? '';
  return line.replace(/^#+\s*/, '').trim();
}
