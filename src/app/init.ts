// `init`: the workspace, created where missing, and the tmux settings given.
import { ensureWorkspace, loadConfig, updateConfigFile } from '../core/workspace/config.js';
import { AppError } from '../core/sys/errors.js';
import { socketFrom, Tmux } from '../core/tmux/tmux.js';
import { wakeIdentity } from '../core/tmux/wake.js';
import type { AppContext } from './context.js';
import { codexHome, type MoveReport, moveProfiles, parseCodexVersion, usesProfileFiles, wantedProfiles } from '../agents/codex-profiles.js';
import { packageRoot, which } from '../core/sys/self.js';

export interface InitOptions {
  /** Record the caller's tmux pane as the wake-up target. */
  wakeHere?: boolean;
  wakePane?: string;
  notifyTarget?: string;
  session?: string;
  /** Make `codex -p` work for agentctl's codex profiles: profile files written, legacy tables moved. */
  codexProfiles?: boolean;
}

export interface InitResult {
  home: string;
  created: string[];
  set: Record<string, unknown>;
  codex?: MoveReport;
}

/** Create what is missing (never overwriting), then set what was asked; says what it did. */
export async function initWorkspace(ctx: AppContext, o: InitOptions): Promise<InitResult> {
  const { ws, created } = ensureWorkspace(ctx.home);
  const cfg = loadConfig(ws); // a corrupt config.json is left as it is, and said so
  const changes: Record<string, unknown> = {};
  const tmux = new Tmux(socketFrom(cfg, ctx.env));
  let wakeTarget: string | null = null;
  if (o.wakeHere) {
    const pane = ctx.env.TMUX_PANE;
    if (!pane || !ctx.env.TMUX) throw new AppError('{opt:wakeHere} needs to run inside a tmux pane', { fix: 'run it there, or pass {opt:wakePane} %N' });
    if ((tmux.sock.socket || tmux.sock.socketName) && !tmux.isServerAt(ctx.env.TMUX.split(',')[0] ?? '')) {
      throw new AppError(`this pane (${pane}) is on another tmux server than the one agentctl uses (${tmux.socketFile()})`, { fix: 'run it in a pane of that server, or pass {opt:wakePane} %N' });
    }
    wakeTarget = pane;
  }
  if (o.wakePane) wakeTarget = o.wakePane;
  if (wakeTarget !== null) {
    // the pane as it is now, with the server instance it lives on: a wake-up checks both
    const state = tmux.paneState(wakeTarget);
    if (state && !state.dead) changes.tmux_sendkeys_identity = wakeIdentity(state, wakeTarget);
    if (!state || state.dead) {
      throw new AppError(`tmux pane ${wakeTarget} ${state ? 'has exited' : 'does not exist'} on the tmux server agentctl uses (${tmux.socketFile()})`, {
        fix: 'give a live pane (e.g. %3 or ai:0.1; "tmux list-panes -a" lists them), or run with {opt:wakeHere} in the orchestrator\'s pane',
      });
    }
    changes.tmux_sendkeys_target = wakeTarget;
  }
  if (o.notifyTarget) changes.tmux_notify_target = o.notifyTarget;
  if (o.session) changes.tmux_session = o.session;
  if (Object.keys(changes).length) updateConfigFile(ws, changes);
  const codex = o.codexProfiles ? await setUpCodexProfiles(ctx, wantedProfiles(cfg.profiles)) : undefined;
  // the identity is bookkeeping, not a setting the person gave: not listed
  const set = Object.fromEntries(Object.entries(changes).filter(([k]) => k !== 'tmux_sendkeys_identity'));
  return { home: ws.home, created, set, ...(codex ? { codex } : {}) };
}

/**
 * Profile files for a codex that reads them; for an older codex (its profiles are the legacy
 * tables) nothing is moved, and the report says to upgrade.
 */
async function setUpCodexProfiles(ctx: AppContext, names: string[]): Promise<MoveReport> {
  const home = codexHome(ctx.env);
  const bin = which('codex', ctx.env.PATH, ctx.cwd);
  if (bin) {
    const { execa } = await import('execa');
    const r = await execa(bin, ['--version'], { reject: false, timeout: 10_000, stdin: 'ignore', env: ctx.env, extendEnv: false });
    const version = parseCodexVersion(String(r.stdout ?? ''));
    if (!usesProfileFiles(version)) {
      const problem = `codex ${version!.join('.')} reads its profiles from [profiles.NAME] tables in config.toml, not from NAME.config.toml: nothing was changed; upgrade codex (npm install -g @openai/codex), then run this again`;
      return { codex_home: home, config: `${home}/config.toml`, backup: null, written: [], dropped: [], selector_disabled: null, problems: [problem] };
    }
  }
  return moveProfiles(home, names, `${packageRoot()}/config/codex`);
}
