// Shared by the fake agent CLIs (test/fakes/codex, claude, gemini): the @fake directives that
// steer a run from inside the prompt, stdin handling, and the small side effects tests check.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const DIRECTIVE = /^[ \t]*@fake[ \t]+([a-z0-9_-]+)(?:=(.*?))?[ \t]*$/;
const FLAGS = new Set(['http500', 'hang', 'ignore-sigterm', 'plain', 'badjson']);
const VALUED = new Set(['goal_met', 'summary', 'followup', 'exit', 'sleep', 'child-pid', 'echo-prompt', 'argv', 'env', 'write', 'notes', 'steps', 'answers']);

/**
 * Reads `@fake key[=value]` lines anywhere in the prompt. Returns { directives } or { error }:
 * a typo must fail loudly rather than silently run the default path.
 */
export function parseDirectives(prompt) {
  const d = {
    goalMet: true, summary: undefined, followup: '', notes: '', exit: undefined, sleep: undefined,
    http500: false, hang: false, ignoreSigterm: false, plain: false, badjson: false,
    childPid: undefined, echoPrompt: undefined, argv: undefined, env: [], write: [], firstLine: '', answers: undefined,
    steps: { count: 0, pause: 0 },
  };
  for (const rawLine of prompt.split('\n')) {
    const line = rawLine.replace(/\r$/, '');
    const m = DIRECTIVE.exec(line);
    if (!m) {
      if (!d.firstLine && line.trim()) d.firstLine = line.trim();
      continue;
    }
    const [, key, value] = m;
    if (FLAGS.has(key)) {
      if (value !== undefined) return { error: `@fake ${key} takes no value` };
    } else if (!VALUED.has(key)) {
      return { error: `unknown directive @fake ${key}` };
    } else if (value === undefined) {
      return { error: `@fake ${key} needs =VALUE` };
    }
    switch (key) {
      case 'goal_met':
        if (value !== 'true' && value !== 'false') return { error: `@fake goal_met must be true or false` };
        d.goalMet = value === 'true';
        break;
      case 'exit':
        if (!/^\d+$/.test(value)) return { error: `@fake exit needs an integer` };
        d.exit = Number(value);
        break;
      case 'sleep':
        if (!(Number(value) >= 0)) return { error: `@fake sleep needs a number of seconds` };
        d.sleep = Number(value);
        break;
      case 'steps': {
        // COUNT[:SECONDS]: that many model requests, each reporting 1000 input and 50 output
        // tokens, with a pause after each (claude reports usage per request, so a budget sees it)
        const m = /^(\d+)(?::(\d+(?:\.\d+)?))?$/.exec(value);
        if (!m) return { error: '@fake steps needs COUNT[:SECONDS]' };
        d.steps = { count: Number(m[1]), pause: Number(m[2] ?? 0) };
        break;
      }
      case 'summary': d.summary = value; break;
      case 'followup': d.followup = value; break;
      case 'notes': d.notes = value; break;
      case 'answers': d.answers = value; break;
      case 'child-pid': d.childPid = value; break;
      case 'echo-prompt': d.echoPrompt = value; break;
      case 'argv': d.argv = value; break;
      case 'env': d.env.push(value); break;
      case 'write': {
        const colon = value.indexOf(':');
        if (colon <= 0) return { error: `@fake write needs RELPATH:CONTENT` };
        d.write.push({ rel: value.slice(0, colon), content: decodeEscapes(value.slice(colon + 1)) });
        break;
      }
      case 'http500': d.http500 = true; break;
      case 'hang': d.hang = true; break;
      case 'ignore-sigterm': d.ignoreSigterm = true; break;
      case 'plain': d.plain = true; break;
      case 'badjson': d.badjson = true; break;
    }
  }
  return { directives: d };
}

function decodeEscapes(text) {
  return text.replace(/\\([nt\\])/g, (_, c) => (c === 'n' ? '\n' : c === 't' ? '\t' : '\\'));
}

/** The answer object and its text as the model would produce it. */
export function buildAnswer(agent, turn, d) {
  const scripted = d.answers ? nextScriptedAnswer(d.answers, agent) : null;
  if (scripted) return { value: scripted, text: JSON.stringify(scripted) };
  let summary = d.summary ?? `${agent} turn ${turn}: ${d.firstLine.slice(0, 60)}`;
  for (const name of d.env) summary += ` env:${name}=${process.env[name] ?? '(unset)'}`;
  if (d.plain) {
    return { value: undefined, text: `I went through the task. ${summary}. Nothing else needs attention.` };
  }
  if (d.badjson) {
    const value = { goal_met: d.goalMet ? 'yes' : 'no', followup_prompt: d.followup, notes: d.notes };
    return { value, text: JSON.stringify(value) };
  }
  const value = { goal_met: d.goalMet, summary, followup_prompt: d.followup, notes: d.notes };
  return { value, text: JSON.stringify(value) };
}

/**
 * `@fake answers=DIR`: the answer is the JSON of the first file (by name) in DIR/<agent>/, which
 * is used up (renamed to .used-NAME), so a test scripts what each run of that agent answers in
 * turn (a reviewer whose findings shrink from one run to the next). None left: the usual answer.
 */
function nextScriptedAnswer(dir, agent) {
  const own = path.join(dir, agent);
  let names;
  try {
    names = fs.readdirSync(own).filter((n) => !n.startsWith('.')).sort();
  } catch {
    return null;
  }
  for (const name of names) {
    const file = path.join(own, name);
    try {
      fs.renameSync(file, path.join(own, `.used-${name}`));
    } catch {
      continue; // another run took it first
    }
    return JSON.parse(fs.readFileSync(path.join(own, `.used-${name}`), 'utf8'));
  }
  return null;
}

/**
 * Reads all of stdin as bytes; null when stdin is a terminal. With firstByteTimeoutMs, gives up
 * when nothing arrives in time (gemini does this so an idle open pipe cannot hang it).
 */
export function readStdin(firstByteTimeoutMs) {
  if (process.stdin.isTTY) return Promise.resolve(null);
  return new Promise((resolve) => {
    const chunks = [];
    let timer;
    const done = () => {
      clearTimeout(timer);
      process.stdin.removeAllListeners('data');
      process.stdin.destroy();
      resolve(Buffer.concat(chunks));
    };
    if (firstByteTimeoutMs) timer = setTimeout(done, firstByteTimeoutMs);
    process.stdin.on('data', (chunk) => {
      clearTimeout(timer);
      chunks.push(chunk);
    });
    process.stdin.once('end', done);
    process.stdin.once('error', done);
  });
}

/**
 * Side effects that must happen before the first event: the record of the arguments the fake was
 * given (JSON, for tests of the argv agentctl builds), signal handling and the grandchild.
 */
export function setUpProcess(d, onSigterm) {
  if (d.argv !== undefined) writeAtomic(d.argv, `${JSON.stringify(process.argv.slice(2))}\n`);
  if (d.ignoreSigterm) process.on('SIGTERM', () => {});
  else if (onSigterm) process.on('SIGTERM', onSigterm);
  if (d.childPid !== undefined) {
    // Same process group and no inherited pipes: only a whole-tree kill reaches it, and it does
    // not hold the caller's stdout open.
    const child = spawn('sleep', ['1000'], { stdio: 'ignore' });
    child.unref();
    writeAtomic(d.childPid, `${child.pid}\n`);
  }
}

export function echoPrompt(d, bytes) {
  if (d.echoPrompt !== undefined) writeAtomic(d.echoPrompt, bytes);
}

/** Applies `@fake write=` edits under cwd; returns what changed, as agents report it. */
export function applyWrites(cwd, writes) {
  return writes.map(({ rel, content }) => {
    const abs = path.resolve(cwd, rel);
    const kind = fs.existsSync(abs) ? 'update' : 'add';
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, content);
    return { abs, rel, kind, content };
  });
}

export function writeAtomic(file, data) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

export const sleep = (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

/** Never resolves; the interval keeps the process alive until it is killed. */
export function hangForever() {
  setInterval(() => {}, 1 << 30);
  return new Promise(() => {});
}

export function emit(event) {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

/** Prints to stdout and exits (--version, --help). */
export function printAndExit(text, code = 0) {
  process.stdout.write(`${text}\n`);
  return exitAfterFlush(code);
}

/** Prints to stderr and exits, after stdout has drained. */
export function die(message, code) {
  process.stderr.write(message.endsWith('\n') ? message : `${message}\n`);
  exitAfterFlush(code);
}

export function exitAfterFlush(code) {
  process.exitCode = code;
  process.stdout.write('', () => process.exit(code));
  return hangForever();
}

/** A short, real directory listing so tool output in the stream reflects the cwd. */
export function listDir(dir) {
  try {
    return fs.readdirSync(dir).sort().join('\n');
  } catch {
    return '';
  }
}

/** Token counts that depend on the input so usage numbers differ between runs and turns. */
export function tokenCounts(promptText, answerText) {
  return {
    input: 1200 + Math.ceil(Buffer.byteLength(promptText) / 4),
    output: 40 + Math.ceil(Buffer.byteLength(answerText) / 4),
    reasoning: 64,
  };
}

export function readJsonl(file) {
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

export function appendJsonl(file, records) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.appendFileSync(file, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
}

/**
 * Minimal option parser in the style of the real CLIs: `--name value`, `--name=value`, `-x value`.
 * spec maps each accepted spelling to { key, value: boolean, multiple?, choices? }.
 * Returns { opts, positionals, rest } or { error: { kind, arg } }; parsing stops at a positional
 * listed in stopAt (a subcommand) and returns the remaining argv in rest.
 */
export function parseOptions(argv, spec, stopAt = []) {
  const opts = {};
  const positionals = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-' || !arg.startsWith('-')) {
      if (positionals.length === 0 && stopAt.includes(arg)) return { opts, positionals, rest: argv.slice(i) };
      positionals.push(arg);
      continue;
    }
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq === -1 ? arg : arg.slice(0, eq);
    const def = spec[name];
    if (!def) return { error: { kind: 'unknown', arg: name } };
    let value = true;
    if (def.value) {
      if (eq !== -1) value = arg.slice(eq + 1);
      else if (i + 1 < argv.length) value = argv[++i];
      else return { error: { kind: 'missing', arg: name } };
      if (def.choices && !def.choices.includes(value)) return { error: { kind: 'choice', arg: name, value, choices: def.choices } };
    }
    if (def.multiple) (opts[def.key] ??= []).push(value);
    else opts[def.key] = value;
  }
  return { opts, positionals, rest: [] };
}
