// Fake `codex exec` (codex-cli 0.171): argument rules, profiles, JSONL events, -o file, sessions
// and exit codes as described in docs/agent-clis.md ("Codex CLI"); the real CLI's output is in
// test/golden/codex/. Its stderr keeps two 0.169 lines ("Reading prompt from stdin...", the empty
// -o warning) that tests use as samples of an agent's stderr.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  applyWrites, appendJsonl, buildAnswer, die, echoPrompt, emit, exitAfterFlush, hangForever, listDir,
  parseDirectives, parseOptions, printAndExit, readJsonl, readStdin, setUpProcess, sleep, tokenCounts,
} from './common.mjs';
import { legacyProfileError } from './codex-config.mjs';

const VERSION = 'codex-cli 0.171.0';
const SANDBOXES = ['read-only', 'workspace-write', 'danger-full-access'];
const v = (key, extra = {}) => ({ key, value: true, ...extra });
const f = (key) => ({ key, value: false });

const SHARED = {
  '--json': f('json'), '--experimental-json': f('json'),
  '--output-schema': v('schema'), '-o': v('out'), '--output-last-message': v('out'),
  '-m': v('model'), '--model': v('model'), '--skip-git-repo-check': f('skipGit'),
  '-c': v('config', { multiple: true }), '--config': v('config', { multiple: true }),
  '-i': v('image', { multiple: true }), '--image': v('image', { multiple: true }),
};
const EXEC = {
  ...SHARED,
  '-C': v('cd'), '--cd': v('cd'), '-p': v('profile'), '--profile': v('profile'),
  '-s': v('sandbox', { choices: SANDBOXES }), '--sandbox': v('sandbox', { choices: SANDBOXES }),
  '--dangerously-bypass-approvals-and-sandbox': f('bypass'), '--full-auto': f('fullAuto'),
  '--ephemeral': f('ephemeral'), '--oss': f('oss'),
  '--color': v('color', { choices: ['always', 'never', 'auto'] }),
};
// `--sandbox`, `--color` (and the other exec-only flags) are rejected after `resume`.
const RESUME = { ...SHARED, '--last': f('last') };

function usageError(err, usage) {
  const text = err.kind === 'unknown' ? `error: unexpected argument '${err.arg}' found`
    : err.kind === 'missing' ? `error: a value is required for '${err.arg} <VALUE>' but none was supplied`
      : err.kind === 'choice' ? `error: invalid value '${err.value}' for '${err.arg}'\n  [possible values: ${err.choices.join(', ')}]`
        : `error: unexpected argument '${err.arg}' found`;
  return die(`${text}\n\nUsage: ${usage}\n\nFor more information, try '--help'.`, 2);
}

function parseArgs(argv) {
  const top = argv[0];
  if (top === '--version' || top === '-V') return { version: true };
  if (top !== 'exec' && top !== 'e') return { fatal: ['fake codex only implements `codex exec`', 2] };
  const exec = parseOptions(argv.slice(1), EXEC, ['resume']);
  if (exec.error) return { usage: [exec.error, 'codex exec [OPTIONS] [PROMPT] [COMMAND]'] };
  if (exec.positionals.length > 1) return { usage: [{ kind: 'extra', arg: exec.positionals[1] }, 'codex exec [OPTIONS] [PROMPT] [COMMAND]'] };
  const args = { ...exec.opts, prompt: exec.positionals[0] };
  if (args.profile !== undefined && !/^[A-Za-z0-9_-]+$/.test(args.profile)) {
    return { fatal: [`error: invalid value '${args.profile}' for '--profile <CONFIG_PROFILE_V2>': invalid --profile value \`${args.profile}\`; pass a plain name such as \`work\`\n\nFor more information, try '--help'.`, 2] };
  }
  if (exec.rest.length) {
    const resume = parseOptions(exec.rest.slice(1), RESUME);
    const usage = 'codex exec resume [OPTIONS] [SESSION_ID] [PROMPT]';
    if (resume.error) return { usage: [resume.error, usage] };
    const max = resume.opts.last ? 1 : 2;
    if (resume.positionals.length > max) return { usage: [{ kind: 'extra', arg: resume.positionals[max] }, usage] };
    Object.assign(args, mergeShared(args, resume.opts));
    args.resume = resume.opts.last ? { last: true } : { id: resume.positionals[0] };
    args.prompt = resume.opts.last ? resume.positionals[0] : resume.positionals[1];
    if (!args.resume.last && !args.resume.id) return { fatal: ['Error: `codex exec resume` needs a SESSION_ID or --last', 2] };
  }
  return { args };
}

function mergeShared(before, after) {
  const merged = { ...after };
  for (const key of ['config', 'image']) if (before[key] || after[key]) merged[key] = [...(before[key] ?? []), ...(after[key] ?? [])];
  return merged;
}

const codexHome = () => process.env.CODEX_HOME || path.join(os.homedir(), '.codex');
const sessionsDir = () => path.join(codexHome(), 'sessions');

function findSession(id) {
  let files = [];
  try {
    files = fs.readdirSync(sessionsDir(), { recursive: true }).map(String);
  } catch {
    return undefined;
  }
  const match = files.find((f) => f.endsWith(`-${id}.jsonl`));
  return match ? path.join(sessionsDir(), match) : undefined;
}

function lastSession(cwd) {
  let files = [];
  try {
    files = fs.readdirSync(sessionsDir(), { recursive: true }).map(String).filter((f) => f.endsWith('.jsonl'));
  } catch {
    return undefined;
  }
  return files.map((f) => path.join(sessionsDir(), f))
    .filter((f) => readJsonl(f)[0]?.payload?.cwd === cwd)
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
}

function newSessionFile(id) {
  const now = new Date();
  const day = now.toISOString().slice(0, 10).split('-');
  const stamp = now.toISOString().slice(0, 19).replace(/:/g, '-');
  return path.join(sessionsDir(), ...day, `rollout-${stamp}-${id}.jsonl`);
}

/** Mirrors the API's strict structured-output rules, which codex passes on unchecked. */
function strictSchemaProblem(schema, where = '()') {
  if (!schema || typeof schema !== 'object') return undefined;
  if (schema.type === 'object' || schema.properties) {
    if (schema.additionalProperties !== false) {
      return `In context=${where}, 'additionalProperties' is required to be supplied and to be false.`;
    }
    const props = Object.keys(schema.properties ?? {});
    const required = Array.isArray(schema.required) ? schema.required : [];
    const missing = props.find((p) => !required.includes(p));
    if (missing) return `In context=${where}, 'required' is required to be supplied and to be an array including every key in properties. Missing '${missing}'.`;
    for (const p of props) {
      const problem = strictSchemaProblem(schema.properties[p], `('properties', '${p}')`);
      if (problem) return problem;
    }
  }
  if (schema.items) return strictSchemaProblem(schema.items, `${where}, 'items'`);
  return undefined;
}

export async function main(argv) {
  const parsed = parseArgs(argv);
  if (parsed.version) return printAndExit(VERSION);
  if (parsed.fatal) return die(...parsed.fatal);
  if (parsed.usage) return usageError(...parsed.usage);
  const args = parsed.args;

  if (args.fullAuto) process.stderr.write('warning: --full-auto is deprecated; use --sandbox workspace-write instead.\n');
  for (const c of args.config ?? []) {
    if (!c.includes('=')) return die(`Error parsing -c overrides: Invalid override (missing '='): ${c}`, 1);
  }
  const cwd = path.resolve(args.cd ?? process.cwd());
  if (!fs.existsSync(cwd) || !fs.statSync(cwd).isDirectory()) return die(`Error: No such file or directory (os error 2): ${cwd}`, 1);
  // Since 0.134 a -p NAME profile lives in $CODEX_HOME/NAME.config.toml; a missing file is no error.
  const legacy = legacyProfileError(path.resolve(codexHome()), args.profile);
  if (legacy) return die(legacy, 1);
  if (!args.skipGit && !insideGitRepo(cwd)) {
    return die('Not inside a trusted directory and --skip-git-repo-check was not specified.', 1);
  }
  let schema;
  if (args.schema) {
    try {
      schema = JSON.parse(fs.readFileSync(args.schema, 'utf8'));
    } catch (err) {
      return die(`Error: failed to load output schema ${args.schema}: ${err.message}`, 1);
    }
  }

  const promptBytes = await readPrompt(args.prompt);
  if (promptBytes === null) return undefined;
  const prompt = promptBytes.toString('utf8');

  let sessionFile;
  let history = [];
  if (args.resume) {
    sessionFile = args.resume.last ? lastSession(cwd) : findSession(args.resume.id);
    if (!sessionFile) return die(`Error: no rollout found for thread id ${args.resume.id ?? '(last)'}`, 1);
    history = readJsonl(sessionFile);
  }
  const threadId = history[0]?.payload?.id ?? randomUUID();
  if (!sessionFile && !args.ephemeral) sessionFile = newSessionFile(threadId);
  const turns = history.filter((r) => r.type === 'turn');
  const turn = turns.length + 1;
  const priorUsage = turns.at(-1)?.payload?.usage ?? { input_tokens: 0, cached_input_tokens: 0, cache_write_input_tokens: 0, output_tokens: 0, reasoning_output_tokens: 0 };

  const pd = parseDirectives(prompt);
  if (pd.error) return die(`fake codex: ${pd.error}`, 1);
  const d = pd.directives;
  echoPrompt(d, promptBytes);
  setUpProcess(d);

  const out = args.json ? emit : humanEmitter();
  let item = 0;
  const nextId = () => `item_${item++}`;
  const save = (record) => {
    if (!sessionFile) return;
    const meta = history.length ? [] : [{ type: 'session_meta', payload: { id: threadId, cwd, timestamp: new Date().toISOString() } }];
    appendJsonl(sessionFile, [...meta, { type: 'turn', payload: { prompt, ...record } }]);
  };
  const failTurn = (message, code) => {
    out({ type: 'error', message });
    out({ type: 'turn.failed', error: { message } });
    writeLastMessage(args.out, '');
    save({ failed: message, usage: priorUsage });
    return exitAfterFlush(code);
  };

  out({ type: 'thread.started', thread_id: threadId });
  out({ type: 'turn.started' });
  const problem = schema ? strictSchemaProblem(schema) : undefined;
  if (problem) {
    return failTurn(`{"error":{"message":"Invalid schema for response_format 'codex_output_schema': ${problem}","type":"invalid_request_error","param":"text.format.schema","code":"invalid_json_schema"}}`, 1);
  }
  if (d.http500) {
    return failTurn('unexpected status 500 Internal Server Error: {"error":{"message":"The server had an error while processing your request.","type":"server_error"}}', 1);
  }
  out({ type: 'item.completed', item: { id: nextId(), type: 'reasoning', text: `**Planning turn ${turn}**\n\nReading the request and checking the workspace.` } });
  if (d.hang) return hangForever();
  if (d.exit !== undefined) return failTurn(`fake failure requested (exit ${d.exit})`, d.exit);

  const cmd = { id: nextId(), type: 'command_execution', command: "bash -lc 'ls'" };
  out({ type: 'item.started', item: { ...cmd, aggregated_output: '', exit_code: null, status: 'in_progress' } });
  if (d.sleep) await sleep(d.sleep);
  out({ type: 'item.completed', item: { ...cmd, aggregated_output: `${listDir(cwd)}\n`, exit_code: 0, status: 'completed' } });
  const writes = applyWrites(cwd, d.write);
  if (writes.length) {
    out({ type: 'item.completed', item: { id: nextId(), type: 'file_change', changes: writes.map((w) => ({ path: w.abs, kind: w.kind })), status: 'completed' } });
  }
  const answer = buildAnswer('codex', turn, d);
  out({ type: 'item.completed', item: { id: nextId(), type: 'agent_message', text: answer.text } });
  const t = tokenCounts(prompt, answer.text);
  const usage = {
    input_tokens: priorUsage.input_tokens + t.input,
    cached_input_tokens: priorUsage.input_tokens ? priorUsage.cached_input_tokens + priorUsage.input_tokens : 0,
    cache_write_input_tokens: priorUsage.cache_write_input_tokens + t.input,
    output_tokens: priorUsage.output_tokens + t.output,
    reasoning_output_tokens: priorUsage.reasoning_output_tokens + t.reasoning,
  };
  out({ type: 'turn.completed', usage });
  writeLastMessage(args.out, answer.text);
  save({ answer: answer.text, usage });
  if (!args.json) process.stdout.write(`${answer.text}\n`);
  return exitAfterFlush(0);
}

/** Without --json, codex prints progress to stderr and only the final message to stdout. */
function humanEmitter() {
  return (event) => {
    if (event.type === 'item.completed' && event.item.type !== 'agent_message') process.stderr.write(`${event.item.type}\n`);
    if (event.type === 'error') process.stderr.write(`ERROR: ${event.message}\n`);
  };
}

async function readPrompt(arg) {
  if (arg !== undefined && arg !== '-') {
    // Observed: with a prompt argument and a non-terminal stdin, codex still waits for EOF.
    await readStdin();
    return Buffer.from(arg);
  }
  if (arg === undefined && process.stdin.isTTY) {
    die('No prompt provided. Either specify one as an argument or pipe the prompt into stdin.', 1);
    return null;
  }
  process.stderr.write('Reading prompt from stdin...\n');
  const bytes = (await readStdin()) ?? Buffer.alloc(0);
  if (bytes.toString('utf8').trim() === '') {
    die('No prompt provided via stdin.', 1);
    return null;
  }
  return bytes;
}

/** -o gets the last agent message byte for byte; with none, an empty file and a warning. */
function writeLastMessage(file, text) {
  if (!file) return;
  if (text === '') process.stderr.write(`Warning: no last agent message; wrote empty content to ${file}\n`);
  try {
    fs.writeFileSync(file, text);
  } catch (err) {
    process.stderr.write(`Failed to write last message file ${file}: ${err.message}\n`);
  }
}

function insideGitRepo(dir) {
  for (let d = dir; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, '.git'))) return true;
    if (path.dirname(d) === d) return false;
  }
}
