// The wake-up pane: which pane it is (a pane id is only unique on one server instance: a
// restarted tmux hands %0, %1, ... out again, to whatever runs there now), and whether a line
// typed into it now would land on an empty input line rather than inside what a person is typing.
import type { PaneState, Tmux } from './tmux.js';

/** What init records beside tmux_sendkeys_target, and what is checked before each wake-up. */
export interface WakeIdentity {
  /** tmux_sendkeys_target as recorded (the identity belongs to it only). */
  target: string;
  pane: string;
  server: string;
  pane_pid: number;
}

export function wakeIdentity(s: PaneState, target: string): WakeIdentity {
  return { target, pane: s.paneId, server: s.server, pane_pid: s.panePid };
}

/** Whether a pane is the recorded one (true when nothing was recorded for this target). */
export function isRecordedPane(p: { paneId: string; server: string; panePid: number }, target: string, id: WakeIdentity | null): boolean {
  return !id || id.target !== target || (p.server === id.server && p.paneId === id.pane && p.panePid === id.pane_pid);
}

/**
 * The wake-up pane as it is now, or why it is not the pane that was recorded. Without a
 * recorded identity (the target was set by hand) only its existence can be checked.
 */
export function checkWakePane(tmux: Tmux, target: string, id: WakeIdentity | null): { state: PaneState } | { problem: string } {
  const state = tmux.paneState(target);
  if (!state) return { problem: tmux.timedOut ? 'tmux did not answer in time' : `${target} does not exist on the tmux server` };
  if (state.dead) return { problem: `${target}'s program has exited (the pane is dead)` };
  if (!id || isRecordedPane(state, target, id)) return { state };
  if (state.server !== id.server) return { problem: `the tmux server was restarted since ${target} was recorded: ${state.paneId} is now another program's pane` };
  return { problem: `${target} now holds another program than the one recorded (pane ${state.paneId}, pid ${state.panePid})` };
}

/** A prompt's last character: a shell's ($ # %), or a line editor's / TUI's (> ❯ › »). */
const PROMPT_END = /[$#%>❯›»]$/;
/** Box-drawing borders a TUI draws around its input line. */
const BORDER = /[│┃║|╭╮╰╯─━]/g;

/**
 * Why typing into the pane now could corrupt input, or null when its input line is empty.
 * A visible cursor is the shell's: the text before it must be nothing or a prompt, and nothing
 * may follow it. A hidden cursor is a full-screen TUI drawing its own (Claude Code): its input
 * line is the last row starting with a prompt mark, and it is empty when only dim text (a
 * placeholder), the drawn cursor and borders follow the mark.
 */
export function inputBusy(tmux: Tmux, s: PaneState): string | null {
  if (s.inMode) return 'the pane is in copy mode';
  if (s.cursorVisible) {
    const row = tmux.screenRows(s.paneId, s.cursorY, s.cursorY)?.[0];
    if (row === undefined) return 'the pane could not be read';
    const cells = [...row];
    const before = cells.slice(0, s.cursorX).join('').trimEnd();
    const after = cells.slice(s.cursorX).join('').replace(BORDER, '').trim();
    if (after || (before && !PROMPT_END.test(before.replace(BORDER, '').trimEnd()))) return 'the input line is not empty';
    return null;
  }
  const rows = tmux.screenRows(s.paneId, 0, '-', true);
  if (!rows) return 'the pane could not be read';
  for (let i = rows.length - 1; i >= 0; i--) {
    const typed = typedAfterPrompt(rows[i]!);
    if (typed !== null) return typed ? 'the input line is not empty' : null;
  }
  return 'no input line found on the screen';
}

/** The text typed after a row's prompt mark (dim placeholder text left out); null: no prompt mark. */
function typedAfterPrompt(row: string): string | null {
  let dim = false;
  let plain = '';
  let kept = '';
  for (const part of row.split(/(\x1b\[[0-9;]*m)/)) {
    const sgr = /^\x1b\[([0-9;]*)m$/.exec(part);
    if (sgr) {
      for (const code of (sgr[1] || '0').split(';')) {
        if (code === '2') dim = true;
        else if (code === '0' || code === '' || code === '22') dim = false;
      }
      continue;
    }
    plain += part;
    kept += dim ? ' '.repeat([...part].length) : part;
  }
  const mark = /^[\s│┃║|]*[>❯›]\s/.exec(plain);
  if (!mark) return null;
  return [...kept].slice([...mark[0]].length).join('').replace(BORDER, '').trim();
}
