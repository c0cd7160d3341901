import { ensureWorkspace, loadConfig, updateConfigFile } from '../../core/workspace/config.js';
import { AppError } from '../../core/sys/errors.js';
import { resolveHome } from '../../core/workspace/paths.js';

export interface InitOptions {
  home?: string;
  wakeHere?: boolean;
  wakePane?: string;
  notifyTarget?: string;
  session?: string;
  json?: boolean;
}

export function init(o: InitOptions): void {
  const { ws, created } = ensureWorkspace(resolveHome(o.home));
  loadConfig(ws); // a corrupt config.json is left as it is, and said so
  const changes: Record<string, unknown> = {};
  if (o.wakeHere) {
    const pane = process.env.TMUX_PANE;
    if (!pane || !process.env.TMUX) throw new AppError('--wake-here needs to run inside a tmux pane: run it there, or pass --wake-pane %N');
    changes.tmux_sendkeys_target = pane;
  }
  if (o.wakePane) changes.tmux_sendkeys_target = o.wakePane;
  if (o.notifyTarget) changes.tmux_notify_target = o.notifyTarget;
  if (o.session) changes.tmux_session = o.session;
  if (Object.keys(changes).length) updateConfigFile(ws, changes);
  if (o.json) {
    process.stdout.write(`${JSON.stringify({ home: ws.home, created, set: changes })}\n`);
    return;
  }
  const lines = [`workspace ${ws.home}: ${created.length ? `created ${created.length} item(s)` : 'already set up'}`];
  for (const [k, v] of Object.entries(changes)) lines.push(`set ${k} = ${String(v)}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
