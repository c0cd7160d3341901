// The only module that runs tmux. Every call goes through run(), which adds the socket
// arguments, so tests and users can keep agentctl on a private server.
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execaSync } from 'execa';
import { AppError } from '../sys/errors.js';
import { sleepSync } from '../sys/fsutil.js';

export interface TmuxSocket {
  /** `-S path` */
  socket: string | null;
  /** `-L name` */
  socketName: string | null;
  /** $TMUX_TMPDIR, where tmux keeps a named socket (default /tmp). */
  tmpDir?: string | null;
}

export interface PaneInfo {
  paneId: string;
  windowId: string;
  sessionName: string;
  dead: boolean;
  active: boolean;
  /** Columns. */
  width: number;
  /** The server instance (see PaneState.server). */
  server: string;
  panePid: number;
  startCommand: string;
}

/**
 * What the wake-up needs to know of a pane before typing into it: whose server it is on (a
 * restarted server reuses pane ids), the pane's own process, and where its cursor is.
 */
export interface PaneState {
  paneId: string;
  /** The server instance: its pid and start time, both new after a restart. */
  server: string;
  /** The pid of the process the pane was made with. */
  panePid: number;
  dead: boolean;
  /** Copy or view mode: the person is scrolling or selecting. */
  inMode: boolean;
  cursorVisible: boolean;
  cursorX: number;
  cursorY: number;
}

/** Socket from the environment (AGENTCTL_TMUX_SOCKET / _NAME) or config, env first (default: this process's). */
export function socketFrom(cfg: { tmux_socket: string | null; tmux_socket_name: string | null }, env: NodeJS.ProcessEnv = process.env): TmuxSocket {
  const socket = env.AGENTCTL_TMUX_SOCKET || cfg.tmux_socket || null;
  const socketName = socket ? null : env.AGENTCTL_TMUX_SOCKET_NAME || cfg.tmux_socket_name || null;
  return { socket, socketName, tmpDir: env.TMUX_TMPDIR || null };
}

/** tmux format strings expand `#`: make user text literal. */
export function escapeFormat(text: string): string {
  return text.replace(/#/g, '##');
}

/** A pane just made: its id, its window and how many panes that window has now. */
export interface NewPane {
  paneId: string;
  windowId: string;
  windowPanes: number;
}

const NEW_PANE_FORMAT = '#{pane_id}\t#{window_id}\t#{window_panes}';

const PANE_FORMAT = '#{pane_id}\t#{window_id}\t#{session_name}\t#{pane_dead}\t#{pane_active}\t#{pane_width}\t#{pid}:#{start_time}\t#{pane_pid}\t#{pane_start_command}';

const STATE_FORMAT = '#{pane_id}\t#{pid}:#{start_time}\t#{pane_pid}\t#{pane_dead}\t#{pane_in_mode}\t#{cursor_flag}\t#{cursor_x}\t#{cursor_y}';

/** The most one tmux call may take: a wedged server must not hang its caller. */
const CALL_LIMIT_MS = 5000;

/** The tmux server a run's pane lives on, as its record names it. */
export function tmuxFor(m: { tmux: { socket: string | null; socket_name: string | null } }): Tmux {
  return new Tmux({ socket: m.tmux.socket, socketName: m.tmux.socket_name });
}

export class Tmux {
  /** Set once a call ran out of time: a server that did not answer is not asked again. */
  private stalled = false;

  /** deadline: a time (ms since the epoch) after which no more calls are made. */
  constructor(
    readonly sock: TmuxSocket,
    private readonly deadline: number | null = null,
  ) {}

  /**
   * The same server, for calls that together must end within ms (announcing a run's end):
   * each call gets what is left, and after one runs out of time the rest fail at once.
   */
  within(ms: number): Tmux {
    return new Tmux(this.sock, Date.now() + ms);
  }

  /** Whether a call ran out of time (or the deadline passed): tmux is not answering. */
  get timedOut(): boolean {
    return this.stalled || (this.deadline !== null && Date.now() >= this.deadline);
  }

  private baseArgs(): string[] {
    if (this.sock.socket) return ['-S', this.sock.socket];
    if (this.sock.socketName) return ['-L', this.sock.socketName];
    return [];
  }

  /** Run one tmux command line (use ';' elements to chain commands). */
  run(args: string[], input?: string): { ok: boolean; stdout: string; stderr: string } {
    const left = this.deadline === null ? CALL_LIMIT_MS : Math.min(CALL_LIMIT_MS, this.deadline - Date.now());
    if (this.stalled || left <= 0) return { ok: false, stdout: '', stderr: 'tmux did not answer in time' };
    try {
      const r = execaSync('tmux', [...this.baseArgs(), ...args], {
        reject: false,
        input,
        stdin: input === undefined ? 'ignore' : 'pipe',
        timeout: left,
      });
      if ((r as { code?: string }).code === 'ENOENT') throw tmuxMissing();
      if (r.timedOut) {
        this.stalled = true;
        return { ok: false, stdout: '', stderr: 'tmux did not answer in time' };
      }
      return { ok: r.exitCode === 0, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw tmuxMissing();
      throw err;
    }
  }

  private must(args: string[], what: string, input?: string): string {
    const r = this.run(args, input);
    if (!r.ok) throw new AppError(`tmux ${what} failed: ${r.stderr.trim() || 'no message'}`, { fix: 'check the tmux server and target ("{cmd:doctor}")' });
    return r.stdout.trim();
  }

  /**
   * The socket file of the server this instance talks to, worked out as tmux does (-S path, or
   * -L name / "default" in $TMUX_TMPDIR, else /tmp, /tmux-UID), without running tmux.
   */
  socketFile(): string {
    if (this.sock.socket) return resolve(this.sock.socket);
    const uid = process.getuid?.() ?? 0;
    return join(this.sock.tmpDir || '/tmp', `tmux-${uid}`, this.sock.socketName ?? 'default');
  }

  /**
   * Which server instance is up on our socket: the socket file's identity, which a restarted
   * server replaces (attaching and detaching only change its ctime). null: no server.
   */
  serverIdentity(): string | null {
    try {
      const st = statSync(this.socketFile());
      return `${st.dev}:${st.ino}:${st.birthtimeMs}:${st.mtimeMs}`;
    } catch {
      return null;
    }
  }

  /** Whether a socket path (as in $TMUX) is this instance's server: compared by file identity. */
  isServerAt(socketPath: string): boolean {
    try {
      const a = statSync(this.socketFile());
      const b = statSync(socketPath);
      return a.dev === b.dev && a.ino === b.ino;
    } catch {
      return false;
    }
  }

  paneInfo(target: string): PaneInfo | null {
    const r = this.run(['display-message', '-p', '-t', target, PANE_FORMAT]);
    if (!r.ok) return null;
    // display-message may fail to find its target and still exit 0, printing empty fields
    const info = parsePane(r.stdout.trim());
    return info.paneId ? info : null;
  }

  /** The pane's state (see PaneState); null when it does not exist. */
  paneState(target: string): PaneState | null {
    const r = this.run(['display-message', '-p', '-t', target, STATE_FORMAT]);
    if (!r.ok) return null;
    const [paneId = '', server = '', panePid = '0', dead = '0', inMode = '0', cursor = '0', x = '0', y = '0'] = r.stdout.replace(/\n$/, '').split('\t');
    if (!paneId) return null;
    return { paneId, server, panePid: Number(panePid), dead: dead === '1', inMode: inMode === '1', cursorVisible: cursor === '1', cursorX: Number(x), cursorY: Number(y) };
  }

  /**
   * Rows of a pane's visible screen (0 is the top row, '-' the bottom one), trailing blanks dropped; with escapes,
   * the colours and attributes as escape sequences. null when the pane cannot be read.
   */
  screenRows(paneId: string, from: number, to: number | '-', escapes = false): string[] | null {
    const r = this.run(['capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', paneId, '-S', String(from), '-E', String(to)]);
    return r.ok ? r.stdout.replace(/\n$/, '').split('\n') : null;
  }

  /** Panes of every session on the server. */
  listAllPanes(): PaneInfo[] {
    const r = this.run(['list-panes', '-a', '-F', PANE_FORMAT]);
    return r.ok ? r.stdout.split('\n').filter(Boolean).map(parsePane) : [];
  }

  /** Panes of the window holding target (a pane or window); empty when it does not exist. */
  listPanes(windowTarget: string): PaneInfo[] {
    const r = this.run(['list-panes', '-t', windowTarget, '-F', PANE_FORMAT]);
    if (!r.ok) return [];
    return r.stdout.split('\n').filter(Boolean).map(parsePane);
  }

  /** Windows of a session; null when the session (or the server) does not exist. */
  listWindows(session: string): { windowId: string; name: string; panes: number }[] | null {
    const r = this.run(['list-windows', '-t', `=${session}`, '-F', '#{window_id}\t#{window_name}\t#{window_panes}']);
    if (!r.ok) return null;
    return r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [windowId = '', name = '', panes = '0'] = l.split('\t');
        return { windowId, name, panes: Number(panes) };
      });
  }

  /** A detached session whose first pane runs command. */
  newSession(o: { session: string; windowName: string; cwd: string; command: string[] }): NewPane {
    return parseNewPane(
      this.must(['new-session', '-d', '-s', o.session, '-n', o.windowName, '-x', '220', '-y', '60', '-c', o.cwd, '-P', '-F', NEW_PANE_FORMAT, '--', ...o.command], 'new-session'),
    );
  }

  newWindow(o: { session: string; windowName: string; cwd: string; command: string[] }): NewPane {
    return parseNewPane(
      this.must(['new-window', '-d', '-t', `=${o.session}:`, '-n', o.windowName, '-c', o.cwd, '-P', '-F', NEW_PANE_FORMAT, '--', ...o.command], 'new-window'),
    );
  }

  /** Split target without moving focus (-d); horizontal puts the new pane to the right. */
  splitWindow(o: { target: string; cwd: string; command: string[]; horizontal: boolean; size?: string }): NewPane {
    const args = ['split-window', '-d', o.horizontal ? '-h' : '-v', '-t', o.target, '-c', o.cwd, '-P', '-F', NEW_PANE_FORMAT];
    if (o.size) args.push('-l', o.size);
    return parseNewPane(this.must([...args, '--', ...o.command], 'split-window'));
  }

  /**
   * Title and border for a worker pane, and for one in an agents window a tiled layout; a pane
   * beside the orchestrator was laid out by placement (see spreadKeepingWidth). Best effort
   * (the pane may already be gone).
   */
  decorateWorkerPane(paneId: string, title: string, layout: 'spread' | 'tiled'): void {
    this.run([
      'select-pane', '-t', paneId, '-T', escapeFormat(title), ';',
      'set-option', '-w', '-t', paneId, 'pane-border-status', 'top', ';',
      'set-option', '-w', '-t', paneId, 'pane-border-format', ' #{pane_title} ',
      ...(layout === 'tiled' ? [';', 'select-layout', '-t', paneId, 'tiled'] : []),
    ]);
  }

  /**
   * Even out the heights of the worker column holding paneId, then give keepPane (the
   * orchestrator beside it) back its width: when the column is even already, tmux spreads the
   * row above it instead, halving the orchestrator. Best effort.
   */
  spreadKeepingWidth(paneId: string, keepPane: string): void {
    const r = this.run(['display-message', '-p', '-t', keepPane, '#{pane_width}']);
    const width = Number(r.stdout.trim());
    this.run(['select-layout', '-E', '-t', paneId, ...(r.ok && width > 0 ? [';', 'resize-pane', '-t', keepPane, '-x', String(width)] : [])]);
  }

  /** Keep a pane on screen after its process exits (for inspecting a failed run). */
  remainOnExit(paneId: string): void {
    this.run(['set-option', '-p', '-t', paneId, 'remain-on-exit', 'on']);
  }

  displayMessage(target: string, text: string): boolean {
    return this.run(['display-message', '-d', '8000', '-t', target, escapeFormat(text)]).ok;
  }

  /**
   * Type text into a pane as literal input: bracketed paste from a named buffer (never parsed
   * as key names), then a separate Enter so a TUI sees a submitted line.
   */
  pasteLine(paneId: string, text: string, bufferName: string): boolean {
    const r = this.run(['load-buffer', '-b', bufferName, '-', ';', 'paste-buffer', '-p', '-d', '-b', bufferName, '-t', paneId], text);
    if (!r.ok) {
      this.run(['delete-buffer', '-b', bufferName]);
      return false;
    }
    sleepSync(150); // synchronous: the caller holds the wake-up lock until the Enter is sent
    return this.run(['send-keys', '-t', paneId, 'Enter']).ok;
  }

  killPane(paneId: string): boolean {
    return this.run(['kill-pane', '-t', paneId]).ok;
  }

  /**
   * Show a pane: its window becomes current and the pane active; a client of this server that
   * runs the caller (env TMUX) is switched to the pane's session too. Only when a person asks.
   */
  focusPane(paneId: string, env: NodeJS.ProcessEnv): boolean {
    const shown = this.run(['select-window', '-t', paneId, ';', 'select-pane', '-t', paneId]).ok;
    if (shown && env.TMUX && env.TMUX.split(',')[0] === this.socketFile()) this.run(['switch-client', '-t', paneId]);
    return shown;
  }

  version(): string | null {
    const r = this.run(['-V']);
    return r.ok ? r.stdout.trim() : null;
  }
}

function parseNewPane(line: string): NewPane {
  const [paneId = '', windowId = '', panes = '1'] = line.split('\t');
  return { paneId, windowId, windowPanes: Number(panes) || 1 };
}

function parsePane(line: string): PaneInfo {
  const [paneId = '', windowId = '', sessionName = '', dead = '0', active = '0', width = '0', server = '', panePid = '0', ...rest] = line.split('\t');
  return { paneId, windowId, sessionName, dead: dead === '1', active: active === '1', width: Number(width), server, panePid: Number(panePid), startCommand: rest.join('\t') };
}

function tmuxMissing(): AppError {
  return new AppError('tmux is not installed or not on PATH: install it (apt-get install tmux, brew install tmux) and retry');
}
