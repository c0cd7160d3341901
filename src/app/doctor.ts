// `doctor`: what agentctl needs, checked, each with how to fix it.
import { readFileSync, statSync } from 'node:fs';
import { execa } from 'execa';
import { codexHome, inspectProfiles, parseCodexVersion, profileFile, usesProfileFiles, wantedProfiles } from '../agents/codex-profiles.js';
import { getAdapter } from '../agents/index.js';
import { AGENT_NAMES } from '../agents/types.js';
import type { LoadedConfig } from '../core/workspace/config.js';
import type { Meta } from '../core/runs/meta.js';
import { readFileOrNull } from '../core/sys/fsutil.js';
import { deathReason } from '../core/lifecycle/liveness.js';
import type { Workspace } from '../core/workspace/paths.js';
import { loadProjects } from '../core/workspace/projects.js';
import { which } from '../core/sys/self.js';
import { socketFrom, Tmux } from '../core/tmux/tmux.js';
import { checkWakePane } from '../core/tmux/wake.js';
import type { AppContext } from './context.js';
import { recentRuns } from './runs.js';
import type { Check, DoctorView } from './views.js';

type Level = Check['level'];

const INSTALL_HINT: Record<string, string> = {
  codex: 'npm install -g @openai/codex, then "codex login"',
  claude: 'npm install -g @anthropic-ai/claude-code, then run "claude" once to log in',
  gemini: 'npm install -g @google/gemini-cli, then run "gemini" once to log in',
};

/** Every check, in order; `ok` is false when one failed. */
export async function doctorReport(ctx: AppContext): Promise<DoctorView> {
  const { ws } = ctx;
  const checks: Check[] = [];
  const add = (level: Level, name: string, detail: string, fix?: string) => checks.push({ level, name, detail, ...(fix ? { fix } : {}) });

  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  if (major > 20 || (major === 20 && minor >= 19)) add('ok', 'node', process.versions.node);
  else add('fail', 'node', `${process.versions.node} is too old`, 'install Node.js 20.19 or newer');

  let cfg: LoadedConfig | null = null;
  const configText = readFileOrNull(ws.config);
  if (configText === null) add('fail', 'workspace', `${ws.home} is not set up`, 'run "agentctl init"');
  else {
    try {
      cfg = ctx.config();
      add('ok', 'config', ws.config);
    } catch (err) {
      add('fail', 'config', (err as Error).message);
    }
  }

  const tmux = new Tmux(socketFrom(cfg ?? { tmux_socket: null, tmux_socket_name: null }));
  let tmuxOk = false;
  try {
    const v = tmux.version();
    tmuxOk = v !== null;
    add(v ? 'ok' : 'fail', 'tmux', v ?? 'tmux -V failed', v ? undefined : 'install tmux (apt-get install tmux, brew install tmux)');
  } catch (err) {
    add('fail', 'tmux', (err as Error).message, 'install tmux (apt-get install tmux, brew install tmux)');
  }
  if (tmuxOk && cfg) {
    for (const [key, target] of [
      ['tmux_sendkeys_target', cfg.tmux_sendkeys_target],
      ['tmux_notify_target', cfg.tmux_notify_target],
    ] as const) {
      if (!target) {
        if (key === 'tmux_sendkeys_target') add('warn', key, 'not set: finished runs cannot wake the orchestrator', 'run "agentctl init --wake-here" in the orchestrator\'s pane (bin/orch does this)');
        else add('ok', key, 'not set: finish flashes go to the wake-up pane');
      }
      else if (key === 'tmux_sendkeys_target') {
        // the check a wake-up makes before typing: the same pane on the same server instance
        const found = checkWakePane(tmux, target, cfg.tmux_sendkeys_identity);
        if ('problem' in found) add('warn', key, found.problem, 'run "agentctl init --wake-here" in the orchestrator\'s pane');
        else add('ok', key, target);
      } else if (tmux.paneInfo(target)) add('ok', key, target);
      else add('warn', key, `${target} does not exist on the tmux server`, 'run "agentctl init --wake-here" in the orchestrator\'s pane');
    }
  }

  const { gitVersion } = await import('../core/git/git.js');
  const git = await gitVersion(ctx.env);
  const [gMajor = 0, gMinor = 0] = (git ?? '').split('.').map(Number);
  if (!git) add('warn', 'git', 'git not found: no diff stats, no worktree runs', 'install git (apt-get install git)');
  else if (gMajor < 2 || (gMajor === 2 && gMinor < 38)) add('warn', 'git', `${git}: "agentctl merge" needs git 2.38 or newer (merge-tree --write-tree)`, 'upgrade git');
  else add('ok', 'git', git);

  const versions = new Map<string, string>();
  await Promise.all(
    AGENT_NAMES.filter((a) => a !== 'shell').map(async (agent) => {
      const bin = getAdapter(agent).binary;
      const path = which(bin, ctx.env.PATH, ctx.cwd);
      if (!path) {
        add('warn', agent, `${bin} not on PATH (profiles using it cannot run)`, INSTALL_HINT[agent]);
        return;
      }
      const r = await execa(path, ['--version'], { reject: false, timeout: 10_000, stdin: 'ignore', env: ctx.env, extendEnv: false });
      const version = String(r.stdout ?? '').trim().split('\n')[0] || String(r.stderr ?? '').trim().split('\n')[0] || 'unknown version';
      if (r.exitCode === 0) versions.set(agent, version);
      add(r.exitCode === 0 ? 'ok' : 'warn', agent, `${version} (${path})`, r.exitCode === 0 ? undefined : `"${bin} --version" failed: reinstall it`);
    }),
  );

  if (cfg) {
    codexProfileChecks(ctx, cfg, versions.get('codex') ?? null, add);
    for (const [name, p] of Object.entries(cfg.profiles)) {
      if (p.escalate_to && !cfg.profiles[p.escalate_to]) add('fail', 'profiles', `${name}.escalate_to names unknown profile ${p.escalate_to}`, 'fix "escalate_to" in config.json');
    }
  }

  if (configText !== null) {
    try {
      JSON.parse(readFileSync(ws.defaultSchema, 'utf8'));
      add('ok', 'result schema', ws.defaultSchema);
    } catch {
      add('fail', 'result schema', `${ws.defaultSchema} is missing or not JSON`, 'delete it and run "agentctl init"');
    }
    try {
      const { projects } = loadProjects(ws);
      const gone = Object.entries(projects).filter(([, p]) => !dirExists(p.path));
      add(gone.length ? 'warn' : 'ok', 'projects', gone.length ? `missing directories: ${gone.map(([n]) => n).join(', ')}` : `${Object.keys(projects).length} registered`, gone.length ? 'run "agentctl add-project <name> <new path>" or remove-project' : undefined);
    } catch (err) {
      add('fail', 'projects', (err as Error).message);
    }
    const metas = await runHealth(ctx, add);
    await worktreeHealth(ws, metas, add);
  }

  return { ok: !checks.some((c) => c.level === 'fail'), checks };
}

const CODEX_PROFILE_FIX = '"agentctl init --codex-profiles" (moves legacy [profiles.NAME] tables into NAME.config.toml after a backup, writes missing ones from agentctl\'s templates)';

/**
 * `codex -p NAME` (codex >= 0.134) reads $CODEX_HOME/NAME.config.toml and exits 1 before doing
 * anything while config.toml holds a legacy [profiles.NAME] table or a `profile = ...` line.
 */
function codexProfileChecks(ctx: AppContext, cfg: LoadedConfig, version: string | null, add: (level: Level, name: string, detail: string, fix?: string) => void): void {
  const wanted = wantedProfiles(cfg.profiles);
  if (!wanted.length) return add('ok', 'codex profiles', 'none needed');
  const parsed = version ? parseCodexVersion(version) : null;
  const home = codexHome(ctx.env);
  const state = inspectProfiles(home, wanted);
  if (state.unreadable) return add('warn', 'codex profiles', `${state.config} is not valid TOML (${state.unreadable})`, 'fix it (codex itself will not start)');
  if (!usesProfileFiles(parsed)) {
    const missing = wanted.filter((n) => !state.legacy.includes(n));
    if (missing.length) add('warn', 'codex profiles', `codex ${parsed!.join('.')} reads profiles from [profiles.NAME] tables in ${state.config}; ${missing.join(', ')} not there`, 'upgrade codex (npm install -g @openai/codex), then run ' + CODEX_PROFILE_FIX);
    else add('ok', 'codex profiles', `${wanted.join(', ')} (legacy tables, codex ${parsed!.join('.')})`);
    return;
  }
  const legacy = [...state.legacy.map((n) => `[profiles.${n}]`), ...(state.selector !== null ? [`profile = "${state.selector}"`] : [])];
  if (legacy.length) add('fail', 'codex profiles', `${legacy.join(', ')} in ${state.config}: codex -p exits 1 while it is there (codex >= 0.134)`, `run ${CODEX_PROFILE_FIX}`);
  if (state.missing.length) add('warn', 'codex profiles', `${state.missing.map((n) => profileFile(home, n)).join(', ')} missing (profiles ${state.missing.join(', ')} cannot run)`, `run ${CODEX_PROFILE_FIX}`);
  if (!legacy.length && !state.missing.length) add('ok', 'codex profiles', `${wanted.join(', ')} in ${home}`);
}

export const checkLine = (c: Check): string => `${c.level.padEnd(4)}  ${c.name}: ${c.detail}${c.fix ? ` — fix: ${c.fix}` : ''}`;

function dirExists(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

async function runHealth(ctx: AppContext, add: (l: Level, n: string, d: string, f?: string) => void): Promise<Meta[]> {
  const corrupt: string[] = [];
  const dead: string[] = [];
  const metas: Meta[] = [];
  // as recorded: doctor reports dead runs, list marks them lost
  for await (const entry of recentRuns(ctx, { liveness: false })) {
    if ('corrupt' in entry) {
      corrupt.push(entry.runId);
      continue;
    }
    const m = entry.meta;
    metas.push(m);
    if ((m.status === 'running' || m.status === 'pending') && deathReason(m)) dead.push(m.run_id);
  }
  const total = metas.length + corrupt.length;
  add(corrupt.length ? 'warn' : 'ok', 'runs', `${total} recorded${corrupt.length ? `, unreadable: ${corrupt.slice(0, 5).join(', ')}` : ''}`, corrupt.length ? 'inspect or delete those directories under runs/' : undefined);
  if (dead.length) add('warn', 'lost runs', `${dead.length} run(s) whose worker died: ${dead.slice(0, 5).join(', ')}`, '"agentctl list" marks them lost');
  return metas;
}

/** Worktrees left behind by runs that are gone or were cleaned, and git's prunable entries. */
async function worktreeHealth(ws: Workspace, metas: Meta[], add: (l: Level, n: string, d: string, f?: string) => void): Promise<void> {
  const { findStaleWorktrees } = await import('../core/git/worktree-clean.js');
  const { worktreesDir } = await import('../core/git/worktree.js');
  // resumes and escalations share their parent's worktree: count directories, not records
  const live = new Set(metas.flatMap((m) => (m.worktree && !m.worktree.removed_at ? [m.worktree.path] : []))).size;
  const stale = await findStaleWorktrees(ws, metas);
  if (!stale.length) {
    add('ok', 'worktrees', `${live} in use or kept under ${worktreesDir(ws)}; none stale`);
    return;
  }
  const shown = stale.slice(0, 5).map((s) => `${s.path} (${s.reason})`).join('; ');
  add('warn', 'stale worktrees', `${stale.length}: ${shown}${stale.length > 5 ? '; ...' : ''}`, '"agentctl clean" removes them (work that is not merged anywhere is kept unless --force) and prunes git\'s records');
}
