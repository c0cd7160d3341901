// `init`: the workspace, created where missing, and the tmux settings given.
import { ensureWorkspace, loadConfig, updateConfigFile } from '../core/workspace/config.js';
import { AppError } from '../core/sys/errors.js';
import type { AppContext } from './context.js';

export interface InitOptions {
  /** Record the caller's tmux pane as the wake-up target. */
  wakeHere?: boolean;
  wakePane?: string;
  notifyTarget?: string;
  session?: string;
}

/** Create what is missing (never overwriting), then set what was asked; says what it did. */
export function initWorkspace(ctx: AppContext, o: InitOptions): { home: string; created: string[]; set: Record<string, unknown> } {
  const { ws, created } = ensureWorkspace(ctx.home);
  loadConfig(ws); // a corrupt config.json is left as it is, and said so
  const changes: Record<string, unknown> = {};
  if (o.wakeHere) {
    const pane = ctx.env.TMUX_PANE;
    if (!pane || !ctx.env.TMUX) throw new AppError('{opt:wakeHere} needs to run inside a tmux pane', { fix: 'run it there, or pass {opt:wakePane} %N' });
    changes.tmux_sendkeys_target = pane;
  }
  if (o.wakePane) changes.tmux_sendkeys_target = o.wakePane;
  if (o.notifyTarget) changes.tmux_notify_target = o.notifyTarget;
  if (o.session) changes.tmux_session = o.session;
  if (Object.keys(changes).length) updateConfigFile(ws, changes);
  return { home: ws.home, created, set: changes };
}
