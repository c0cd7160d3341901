// Typing a message into an instance's TUI, and knowing it arrived. The text goes to tmux on
// stdin (load-buffer), is pasted as one bracketed paste, and is submitted by a separate Enter;
// it counts as delivered only when the agent's UserPromptSubmit hook reports that very prompt.
// A pasted line can lose its Enter (a TUI still drawing), so one more Enter is tried before
// giving up with the pane's name.
import { join } from 'node:path';
import type { InteractiveAdapter } from '../../agents/interactive/types.js';
import { AppError } from '../sys/errors.js';
import { withLockAsync } from '../sys/fsutil.js';
import { tmuxFor, type Tmux } from '../tmux/tmux.js';
import { appendEvent } from './events.js';
import { unwrapPasted } from './fold.js';
import { instanceFiles } from './paths.js';
import type { InstanceRecord } from './types.js';
import { type InstanceNow, instanceNow, until } from './until.js';

/** Between the paste and its Enter: a TUI that gets both at once may take the Enter as part of the paste. */
const ENTER_AFTER_MS = 250;
/** How long one Enter is given to show up as UserPromptSubmit. */
const CONFIRM_MS = 5000;

export interface Delivered {
  turn: number;
  /** claude, asked to queue while a turn runs: the message waits for that turn's end (not yet confirmed). */
  queued: boolean;
}

/**
 * Put before a message that starts with `/` or `!`: a TUI runs those as a command (a slash
 * command, a shell command) even in a paste. A leading space no longer prevents it (claude
 * 2.1.332 trims whitespace, NBSP included, and removes zero-width characters before looking),
 * but a braille blank is neither: the message arrives as text, shown blank.
 */
export const TEXT_MARK = '\u2800';

export function asText(message: string): string {
  return /^[/!]/.test(message) ? `${TEXT_MARK}${message}` : message;
}

/**
 * Deliver `message` as the instance's next turn. Refused unless the instance is idle, or (queue)
 * a claude instance is working. Serialised per instance, so two senders never both see it idle.
 */
export async function deliver(home: string, id: string, adapter: InteractiveAdapter, message: string, o: { queue?: boolean } = {}): Promise<Delivered> {
  const files = instanceFiles(home, id);
  // not the instance's own lock: the supervisor takes that for each inbox batch while this waits
  return withLockAsync(join(files.dir, '.send.lock'), async () => {
    const now = instanceNow(home, id);
    const queued = refuseUnlessReady(now, adapter, o.queue === true);
    const pane = now.record.tmux.pane!;
    const text = asText(message);
    const turn = (now.status.turn ?? 0) + 1;
    const sent = appendEvent(files, { source: 'agentctl', kind: 'send', turn, text, ...(queued ? { queued: true } : {}) });
    const tmux = tmuxFor(now.record);
    if (!(await paste(tmux, pane, text, `agentctl-${id}-${process.pid}`))) throw unreachable(now.record, tmux);
    if (queued) return { turn, queued };
    const expected = adapter.normalizePrompt(text);
    const submitted = (p: unknown) => typeof p === 'string' && (p === expected || adapter.normalizePrompt(unwrapPasted(p)) === expected);
    const seen = (n: InstanceNow) => (n.events.some((e) => e.hook === 'UserPromptSubmit' && e.t >= sent.t && submitted(e.prompt)) ? true : undefined);
    const timeout = { timeoutMs: CONFIRM_MS, what: 'confirm the message', onTimeout: () => false };
    if (await until(home, id, seen, timeout)) return { turn, queued };
    // the Enter may have come before the TUI took the paste in: press it once more
    tmux.sendKeys(pane, 'Enter');
    if (await until(home, id, seen, timeout)) return { turn, queued };
    throw new AppError(`the message to instance ${now.record.name} (${id}) was pasted into pane ${pane} but the agent did not report it as submitted`, {
      fix: `look at pane ${pane}: press Enter there if the text waits in the input box, else send it again`,
    });
  }, 60_000, { makeDir: false });
}

/** Paste text as one bracketed paste, then submit it with a separate Enter. */
export async function paste(tmux: Tmux, pane: string, text: string, buffer: string): Promise<boolean> {
  if (!tmux.loadBuffer(buffer, text) || !tmux.pasteBuffer(buffer, pane)) return false;
  await new Promise((r) => setTimeout(r, ENTER_AFTER_MS));
  return tmux.sendKeys(pane, 'Enter');
}

/** Whether the message may go now (false) or is queued behind the running turn (true); else why not. */
function refuseUnlessReady(now: InstanceNow, adapter: InteractiveAdapter, queue: boolean): boolean {
  const { record: r, status: s } = now;
  const who = `instance ${r.name} (${r.id})`;
  if (!r.tmux.pane) throw new AppError(`${who} has no pane yet`, { fix: 'wait until it has started ("{cmd:instances}")' });
  switch (s.status) {
    case 'idle':
      return false;
    case 'working':
      if (queue && adapter.agent === 'claude') return true;
      if (queue) throw new AppError(`${who} is working on turn ${s.turn}, and a message to a working ${adapter.agent} would steer that turn, not queue after it`, { fix: `wait for the turn ("{cmd:wait ${r.name}}") or interrupt it ("{cmd:interrupt ${r.name}}"), then send` });
      throw new AppError(`${who} is working on turn ${s.turn}`, { fix: `wait for it ("{cmd:wait ${r.name}}"), interrupt it ("{cmd:interrupt ${r.name}}")${adapter.agent === 'claude' ? ', or add {opt:queue} to send it as the next turn' : ''}` });
    case 'needs_permission':
      throw new AppError(`${who} is waiting for a permission answer (${s.permission?.tool ?? 'a tool'})`, { fix: `answer it first ("{cmd:answer ${r.name} allow}" or deny)` });
    case 'starting':
      throw new AppError(`${who} is still starting`, { fix: `wait a moment and retry ("{cmd:instances}" shows when it is idle)` });
    case 'exited':
    case 'lost':
      throw new AppError(`${who} is ${s.status}${s.why ? ` (${s.why})` : ''}`, { fix: `bring it back with "{cmd:revive ${r.name}}"` });
    default:
      throw new AppError(`${who}'s status is unknown${s.why ? `: ${s.why}` : ''}`, { fix: `look at its pane ${r.tmux.pane}` });
  }
}

function unreachable(r: InstanceRecord, tmux: Tmux): AppError {
  return new AppError(`could not paste into instance ${r.name}'s pane ${r.tmux.pane}${tmux.timedOut ? ': tmux did not answer in time' : ''}`, { fix: 'check that the pane still exists ("{cmd:instances}")' });
}
