// The terminal half of the fake TUIs: raw-mode keyboard with bracketed paste (tmux brackets a
// paste only for an application that asked for it, as the real TUIs do), Enter, Escape, and a
// few screen lines; the hook runner (sh -c with the JSON payload on stdin, like both agents);
// and a turn loop shared by both fakes. Each agent module supplies its own wire format,
// transcript and hook payloads.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const PASTE_START = '\x1b[200~';
const PASTE_END = '\x1b[201~';

/**
 * Reads keys from the tty: onSubmit(text) on Enter, onEscape() on a lone Escape, onKey(ch) for
 * typed characters. Pasted text goes into the input box whole (newlines included).
 */
export function terminal({ onSubmit, onEscape, onKey }) {
  const out = process.stdout;
  // the pane's terminal vanishes when its window is killed: end like the agent, not with EIO
  process.stdin.on('error', () => {});
  out.on('error', () => {});
  if (process.stdin.isTTY) process.stdin.setRawMode(true);
  out.write('\x1b[?2004h');
  const box = { text: '' };
  let pending = '';
  let pasting = false;
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk) => {
    pending += chunk;
    while (pending) {
      if (pasting) {
        const end = pending.indexOf(PASTE_END);
        // tmux pastes line ends as CR (paste-buffer without -r); the TUIs take them as newlines
        const lines = (text) => text.replace(/\r\n?/g, '\n');
        if (end < 0) {
          box.text += lines(pending);
          pending = '';
          break;
        }
        box.text += lines(pending.slice(0, end));
        pending = pending.slice(end + PASTE_END.length);
        pasting = false;
        continue;
      }
      if (pending.startsWith(PASTE_START)) {
        pasting = true;
        pending = pending.slice(PASTE_START.length);
        continue;
      }
      if (pending.startsWith('\x1b[') || pending.startsWith('\x1bO')) {
        const m = /^\x1b[[O][0-9;]*[A-Za-z~]/.exec(pending);
        if (!m) break; // the rest of the sequence is still to come
        pending = pending.slice(m[0].length); // arrows, focus events: ignored
        continue;
      }
      const ch = pending[0];
      pending = pending.slice(1);
      if (ch === '\x1b') onEscape(box);
      else if (ch === '\r' || ch === '\n') {
        const text = box.text;
        box.text = '';
        onSubmit(text);
      } else if (ch === '\x7f') box.text = box.text.slice(0, -1);
      else if (ch === '\x03') onKey('ctrl-c', box);
      else if (ch >= ' ') {
        if (!onKey || !onKey(ch, box)) box.text += ch;
      }
    }
  });
  return box;
}

export function restoreTerminal() {
  try {
    process.stdout.write('\x1b[?2004l');
    if (process.stdin.isTTY) process.stdin.setRawMode(false);
  } catch {
    // the terminal is gone
  }
}

export const say = (line) => process.stdout.write(`${line.replace(/\n/g, '\r\n')}\r\n`);

/**
 * Runs one hook command through `sh -c` with the payload on stdin and the agent's environment;
 * resolves with its stdout (the permission hook prints its decision there) once it exits, or
 * after its timeout in seconds (then it is killed and its output ignored, as the agents do).
 */
export function runHook(command, payload, timeoutS = 600) {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', command], { stdio: ['pipe', 'pipe', 'ignore'] });
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve('');
    }, timeoutS * 1000);
    child.stdout.on('data', (d) => (out += d));
    child.on('error', () => {
      clearTimeout(timer);
      resolve('');
    });
    child.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
    child.stdin.on('error', () => {});
    child.stdin.end(JSON.stringify(payload));
  });
}

/** Runs every hook configured for an event, in order; resolves with their outputs. */
export async function fireHooks(groups, payload) {
  const outs = [];
  for (const group of Array.isArray(groups) ? groups : []) {
    for (const hook of group?.hooks ?? []) {
      if (hook?.type === 'command' && typeof hook.command === 'string') outs.push(await runHook(hook.command, payload, hook.timeout ?? 600));
    }
  }
  return outs;
}

/** The decision a PermissionRequest hook printed: 'allow', {deny: message}, or null (none). */
export function permissionDecision(outputs) {
  for (const out of outputs) {
    try {
      const decision = JSON.parse(out.trim())?.hookSpecificOutput?.decision;
      if (decision?.behavior === 'allow') return { allow: true };
      if (decision?.behavior === 'deny') return { allow: false, message: decision.message ?? 'Permission denied' };
    } catch {
      // not JSON: no decision
    }
  }
  return null;
}

export function appendLine(file, record) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.appendFileSync(file, `${JSON.stringify(record)}\n`);
}

/** Runs a shell tool call in cwd; resolves with {stdout, stderr, code}. */
export function runShell(command, cwd) {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', command], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ stdout, stderr, code: code ?? 1 }));
  });
}

/** Reads a server-sent-events response: yields [event, data] with data parsed as JSON. */
export async function* sse(response) {
  const decoder = new TextDecoder();
  let buf = '';
  for await (const chunk of response.body) {
    buf += decoder.decode(chunk, { stream: true });
    let cut;
    while ((cut = buf.search(/\r?\n\r?\n/)) >= 0) {
      const block = buf.slice(0, cut);
      buf = buf.slice(cut).replace(/^\r?\n\r?\n/, '');
      let event = '';
      let data = '';
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data += line.slice(5).trim();
      }
      if (data) yield [event, JSON.parse(data)];
    }
  }
}

/** Blocks the fake at a first-run screen until Enter, as the real TUI would sit there. */
export function firstRunScreen(lines) {
  return new Promise((resolve) => {
    for (const line of lines) say(line);
    if (process.stdin.isTTY) process.stdin.setRawMode(true);
    const onData = (d) => {
      if (String(d).includes('\r')) {
        process.stdin.off('data', onData);
        resolve();
      }
    };
    process.stdin.on('data', onData);
  });
}

/** A question on screen (a permission dialog): the next Enter or one of `keys` says yes, Escape no. */
const dialog = {
  resolve: null,
  keys: null,
  answer(yes, key) {
    const resolve = this.resolve;
    this.resolve = null;
    resolve?.(yes ? key ?? true : false);
  },
};
export function askUser(question, keys = null) {
  say(question);
  dialog.keys = keys;
  return new Promise((resolve) => (dialog.resolve = resolve));
}

/**
 * The input loop both fakes share. agent: {
 *   normalize(text) -> the prompt as the agent submits it ('' = nothing to submit),
 *   isExit(text) -> whether the text is the /exit command,
 *   turn(prompt, signal) -> Promise (runs one whole turn; rejects with {name:'AbortError'} when interrupted),
 *   interrupted(prompt, hadOutput) -> Promise (hooks and transcript of an interrupt),
 *   exit(reason) -> Promise (SessionEnd and the process's end),
 *   putBack: whether an interrupted prompt without output goes back into the box (claude),
 * }
 */
export function runTui(agent) {
  let busy = null;
  const queue = [];
  let lastEscape = 0;
  const start = (text, queued = false) => {
    const prompt = agent.normalize(text);
    if (!prompt) return;
    const controller = new AbortController();
    busy = { prompt, controller, output: false };
    const current = busy;
    agent
      .turn(prompt, controller.signal, () => (current.output = true), queued && !!agent.onQueued)
      .catch((err) => {
        if (err?.name !== 'AbortError') say(`error: ${err?.message ?? err}`);
      })
      .finally(() => {
        if (busy === current) busy = null;
        if (!busy && queue.length) start(queue.shift(), true);
      });
  };
  const box = terminal({
    onSubmit(text) {
      if (dialog.resolve) return void dialog.answer(true, text);
      if (agent.isExit(text)) return void agent.exit('prompt_input_exit');
      if (!busy) return void start(text);
      // claude reports a queued prompt at once (UserPromptSubmit), and runs it after the current turn
      if (agent.onQueued && agent.normalize(text)) void agent.onQueued(agent.normalize(text));
      queue.push(text);
    },
    onEscape(b) {
      const now = Date.now();
      if (dialog.resolve) dialog.answer(false);
      if (busy) {
        const { prompt, output, controller } = busy;
        controller.abort();
        busy = null;
        if (agent.putBack && !output) b.text = prompt;
        void agent.interrupted(prompt, output);
      } else if (b.text && now - lastEscape < 800) {
        b.text = '';
      }
      lastEscape = now;
    },
    onKey(key) {
      if (dialog.resolve && dialog.keys?.includes(key)) return dialog.answer(true, key), true;
      if (key === 'ctrl-c') void agent.exit('other');
      return key === 'ctrl-c';
    },
  });
  // the window killed: a hangup, and the terminal gone (end of input, EIO); the event loop would
  // drain and end the process before the SessionEnd hook ran, so keep it up until exit is done
  const gone = () => {
    process.on('uncaughtException', () => {});
    setInterval(() => {}, 1000);
    void agent.exit('other');
  };
  for (const signal of ['SIGHUP', 'SIGTERM']) process.on(signal, gone);
  process.stdin.on('end', gone);
  return { box, start };
}
