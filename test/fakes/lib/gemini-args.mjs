// Fake gemini's command line, parsed the way the real one's yargs does (checked against Gemini CLI
// 0.61.0): a separate value that starts with `-` is an option, not a value (except a negative
// number); `--name=value` and `-x=value` join a value; short flags group (`-yd`); an unknown
// option takes the next plain word as its value. Errors go to stderr followed by the usage text,
// in yargs' order of precedence: a missing value, then unknown options, then a bad choice.
import fs from 'node:fs';

const FORMATS = ['text', 'json', 'stream-json'];
const APPROVAL_MODES = ['default', 'auto_edit', 'yolo', 'plan'];

/** [long name, short name, type, choices], as `gemini --help` lists them. */
const OPTIONS = [
  ['debug', 'd', 'boolean'], ['model', 'm', 'string'], ['prompt', 'p', 'string'],
  ['prompt-interactive', 'i', 'string'], ['skip-trust', null, 'boolean'], ['worktree', 'w', 'string'],
  ['sandbox', 's', 'boolean'], ['yolo', 'y', 'boolean'], ['approval-mode', null, 'string', APPROVAL_MODES],
  ['policy', null, 'array'], ['admin-policy', null, 'array'], ['acp', null, 'boolean'],
  ['experimental-acp', null, 'boolean'], ['allowed-mcp-server-names', null, 'array'], ['allowed-tools', null, 'array'],
  ['extensions', 'e', 'array'], ['list-extensions', 'l', 'boolean'], ['resume', 'r', 'string'],
  ['session-file', null, 'string'], ['session-id', null, 'string'], ['list-sessions', null, 'boolean'],
  ['delete-session', null, 'string'], ['include-directories', null, 'array'], ['screen-reader', null, 'boolean'],
  ['output-format', 'o', 'string', FORMATS], ['raw-output', null, 'boolean'], ['accept-raw-output-risk', null, 'boolean'],
  ['version', 'v', 'boolean'], ['help', 'h', 'boolean'],
];
const BY_NAME = new Map();
for (const [long, short, type, choices] of OPTIONS) {
  const def = { long, type, choices };
  BY_NAME.set(long, def);
  if (short) BY_NAME.set(short, def);
}

export const USAGE = fs.readFileSync(new URL('./gemini-usage.txt', import.meta.url), 'utf8');

/** A separate argument yargs takes as an option rather than as the previous option's value. */
const looksLikeOption = (arg) => arg.startsWith('-') && arg !== '-' && !/^-\d/.test(arg);

/**
 * Returns { opts, positionals } with opts keyed by long name, or { error } holding the stderr
 * text yargs prints (the usage text included). --version and --help win over any error.
 */
export function parseGeminiArgs(argv) {
  const opts = {};
  const positionals = [];
  const missing = [];
  const unknown = [];
  const set = (def, value) => {
    if (def.type === 'array') (opts[def.long] ??= []).push(...value);
    else opts[def.long] = value;
  };
  // The value of option `name` (as written) when none was joined to it.
  const takeValue = (def, name, i) => {
    if (def.type === 'boolean') return [true, i];
    if (def.type === 'array') {
      const values = [];
      while (i + 1 < argv.length && !looksLikeOption(argv[i + 1])) values.push(argv[++i]);
      return [values, i];
    }
    if (i + 1 < argv.length && !looksLikeOption(argv[i + 1])) return [argv[i + 1], i + 1];
    missing.push(name);
    return [undefined, i];
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!looksLikeOption(arg)) {
      positionals.push(arg);
      continue;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq === -1 ? undefined : eq);
      const def = BY_NAME.get(name) ?? (name.startsWith('no-') ? BY_NAME.get(name.slice(3)) : undefined);
      if (!def || def.long !== name && def.type !== 'boolean') {
        unknown.push(name);
        if (eq === -1 && i + 1 < argv.length && !looksLikeOption(argv[i + 1])) i++;
        continue;
      }
      if (def.long !== name) set(def, false);
      else if (eq !== -1) set(def, def.type === 'array' ? [arg.slice(eq + 1)] : def.type === 'boolean' ? arg.slice(eq + 1) !== 'false' : arg.slice(eq + 1));
      else {
        const [value, next] = takeValue(def, name, i);
        if (value !== undefined) set(def, value);
        i = next;
      }
      continue;
    }
    // -x, -x=value, -xVALUE (a value that does not start with a letter), -xyz (grouped flags)
    const letters = arg.slice(1);
    for (let j = 0; j < letters.length; j++) {
      const name = letters[j];
      const def = BY_NAME.get(name);
      const rest = letters.slice(j + 1);
      const joined = rest.startsWith('=') ? rest.slice(1) : rest && !/^[A-Za-z]/.test(rest) ? rest : undefined;
      if (!def) {
        unknown.push(name);
      } else if (joined !== undefined && def.type !== 'boolean') {
        set(def, def.type === 'array' ? [joined] : joined);
      } else if (j === letters.length - 1) {
        const [value, next] = takeValue(def, name, i);
        if (value !== undefined) set(def, value);
        i = next;
      } else {
        set(def, def.type === 'boolean' ? true : def.type === 'array' ? [] : '');
      }
      if (joined !== undefined) break;
    }
  }
  if (opts.version || opts.help) return { opts, positionals };
  const fail = (message) => ({ error: `${message}\n${USAGE}` });
  if (missing.length) return fail(`Not enough arguments following: ${missing[0]}`);
  if (unknown.length) return fail(`Unknown argument${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`);
  for (const def of new Set(BY_NAME.values())) {
    const value = opts[def.long];
    if (def.choices && value !== undefined && !def.choices.includes(value)) {
      return fail(`Invalid values:\n  Argument: ${def.long}, Given: "${value}", Choices: ${def.choices.map((c) => `"${c}"`).join(', ')}`);
    }
  }
  if (opts.prompt !== undefined && positionals.length) {
    return fail('Cannot use both a positional prompt and the --prompt (-p) flag together');
  }
  return { opts, positionals };
}
