// Fake `gemini -p` (Gemini CLI 0.61): headless flags (parsed as yargs does, in gemini-args.mjs),
// stream-json events with ISO timestamps, folder trust, per-project sessions and exit codes as
// described in docs/agent-clis.md ("Gemini CLI"); the real CLI's output is in test/golden/gemini/.
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  applyWrites, buildAnswer, die, echoPrompt, emit, exitAfterFlush, hangForever, listDir,
  parseDirectives, printAndExit, readStdin, setUpProcess, sleep, tokenCounts, writeAtomic,
} from './common.mjs';
import { parseGeminiArgs, USAGE } from './gemini-args.mjs';

const VERSION = '0.61.0';

const EXIT = { input: 42, untrusted: 55 };

const geminiDir = () => path.join(os.homedir(), '.gemini');
const chatsDir = (cwd) => path.join(geminiDir(), 'tmp', createHash('sha256').update(cwd).digest('hex'), 'chats');
const now = () => new Date().toISOString();

export async function main(argv) {
  const parsed = parseGeminiArgs(argv);
  if (parsed.error) return die(parsed.error, 1);
  const args = parsed.opts;
  if (args.version) return printAndExit(VERSION);
  if (args.help) return printAndExit(USAGE.trimEnd());
  const cwd = process.cwd();
  if (!args['skip-trust'] && process.env.GEMINI_CLI_TRUST_WORKSPACE !== 'true' && !isTrusted(cwd)) {
    return die('Gemini CLI is not running in a trusted directory. To proceed, either use `--skip-trust`, set the '
      + '`GEMINI_CLI_TRUST_WORKSPACE=true` environment variable, or trust this directory in interactive mode.', EXIT.untrusted);
  }

  // Piped stdin is prepended to the -p text; an idle pipe is given up on rather than waited for.
  const stdin = await readStdin(500);
  const flagPrompt = args.prompt ?? (parsed.positionals.length ? parsed.positionals.join(' ') : undefined);
  const stdinText = stdin && stdin.length ? stdin.toString('utf8') : '';
  const prompt = flagPrompt === undefined ? stdinText : stdinText ? `${stdinText}\n\n${flagPrompt}` : flagPrompt;
  if (prompt.trim() === '') {
    return die('No input provided via stdin. Input can be provided by piping data into gemini or using the --prompt option.', EXIT.input);
  }

  let session;
  if (args.resume !== undefined) {
    session = findSession(cwd, args.resume);
    if (!session) {
      return die(`Error resuming session: Invalid session identifier "${args.resume}". Use --list-sessions to see available sessions.`, EXIT.input);
    }
  }
  const sessionId = session?.data.sessionId ?? randomUUID();
  const messages = session?.data.messages ?? [];
  const turn = messages.filter((m) => m.type === 'user').length + 1;

  const pd = parseDirectives(prompt);
  if (pd.error) return die(`fake gemini: ${pd.error}`, 1);
  const d = pd.directives;
  echoPrompt(d, Buffer.from(prompt));
  setUpProcess(d);

  const format = args['output-format'] ?? 'text';
  const model = args.model ?? 'auto';
  const out = (event) => {
    if (format === 'stream-json') emit({ type: event.type, timestamp: now(), ...event });
  };
  const started = Date.now();
  let toolCalls = 0;
  // A session file appears only once a turn has succeeded, so a failed first turn is not resumable.
  const save = (answerText) => {
    if (!session && answerText === undefined) return;
    const file = session?.file ?? path.join(chatsDir(cwd), `session-${now().slice(0, 16).replace(/:/g, '-')}-${sessionId.slice(0, 8)}.json`);
    const added = [{ type: 'user', content: prompt, timestamp: now() }];
    if (answerText !== undefined) added.push({ type: 'gemini', content: answerText, timestamp: now(), model });
    const data = { sessionId, projectHash: path.basename(path.dirname(chatsDir(cwd))), startTime: session?.data.startTime ?? now(), lastUpdated: now(), messages: [...messages, ...added] };
    writeAtomic(file, JSON.stringify(data, null, 2));
  };
  const stats = (answerText) => {
    const t = answerText === undefined ? { input: 0, output: 0 } : tokenCounts(prompt, answerText);
    const counts = { total_tokens: t.input + t.output, input_tokens: t.input, output_tokens: t.output, cached: turn > 1 && t.input ? 1024 : 0, input: t.input };
    return { ...counts, duration_ms: answerText === undefined ? 0 : Date.now() - started + 1900, tool_calls: toolCalls, models: { [model]: counts } };
  };
  // A fatal error ends the stream with a result event only (no `error` event), as the real CLI does.
  const fail = (type, message, code) => {
    out({ type: 'result', status: 'error', error: { type, message }, stats: stats(undefined) });
    if (format !== 'stream-json') process.stderr.write(`${message}\n`);
    save(undefined);
    return exitAfterFlush(code);
  };
  const tool = (name, parameters, output) => {
    const id = `${name}__${name}_${Date.now()}_${toolCalls++}`;
    out({ type: 'tool_use', tool_name: name, tool_id: id, parameters });
    out({ type: 'tool_result', tool_id: id, status: 'success', output });
  };

  out({ type: 'init', session_id: sessionId, model });
  out({ type: 'message', role: 'user', content: prompt });
  if (d.http500) {
    // gemini exits with the HTTP status itself, which the system cuts to 8 bits: 500 -> 244
    const body = '{"error":{"code":500,"message":"Internal error encountered.","status":"INTERNAL"}}';
    process.stderr.write(`Attempt 1 failed: ${body}. Max attempts reached\n`);
    return fail('unknown', `[API Error: ${body}]`, 500 & 0xff);
  }
  out({ type: 'message', role: 'assistant', content: `Turn ${turn}: I'll check the project files `, delta: true });
  out({ type: 'message', role: 'assistant', content: 'first.', delta: true });
  if (d.hang) return hangForever();
  if (d.exit !== undefined) return fail('FatalError', `fake failure requested (exit ${d.exit})`, d.exit);
  const listing = listDir(cwd);
  tool('list_directory', { dir_path: '.' }, `Listed ${listing ? listing.split('\n').length : 0} item(s).`);
  for (const w of applyWrites(cwd, d.write)) {
    tool('write_file', { file_path: w.abs, content: w.content }, `Successfully ${w.kind === 'add' ? 'created and wrote to new file' : 'overwrote file'}: ${w.abs}.`);
  }
  if (d.sleep) await sleep(d.sleep);
  const answer = buildAnswer('gemini', turn, d);
  // Gemini tends to fence JSON even when told not to; the adapter has to cope with that.
  const text = d.plain ? answer.text : `\`\`\`json\n${answer.text}\n\`\`\``;
  for (const chunk of chunks(text, 3)) out({ type: 'message', role: 'assistant', content: chunk, delta: true });
  const s = stats(text);
  out({ type: 'result', status: 'success', stats: s });
  if (format === 'json') process.stdout.write(`${JSON.stringify({ session_id: sessionId, response: text, stats: s }, null, 2)}\n`);
  if (format === 'text') process.stdout.write(`${text}\n`);
  save(text);
  return exitAfterFlush(0);
}

function chunks(text, count) {
  const size = Math.ceil(text.length / count);
  const parts = [];
  for (let i = 0; i < text.length; i += size) parts.push(text.slice(i, i + size));
  return parts;
}

function isTrusted(cwd) {
  let rules = {};
  try {
    rules = JSON.parse(fs.readFileSync(path.join(geminiDir(), 'trustedFolders.json'), 'utf8'));
  } catch {
    return false;
  }
  return Object.entries(rules).some(([dir, level]) => {
    const root = level === 'TRUST_PARENT' ? path.dirname(dir) : dir;
    const rel = path.relative(root, cwd);
    return level !== 'DO_NOT_TRUST' && !rel.startsWith('..') && !path.isAbsolute(rel);
  });
}

/** --resume takes "latest", a 1-based index (oldest first) or a session id, within this project. */
function findSession(cwd, ref) {
  let sessions = [];
  try {
    const dir = chatsDir(cwd);
    sessions = fs.readdirSync(dir).filter((n) => n.endsWith('.json')).map((n) => {
      const file = path.join(dir, n);
      return { file, data: JSON.parse(fs.readFileSync(file, 'utf8')) };
    });
  } catch {
    return undefined;
  }
  sessions.sort((a, b) => a.data.startTime.localeCompare(b.data.startTime));
  if (ref === 'latest') return sessions.at(-1);
  if (/^\d+$/.test(ref)) return sessions[Number(ref) - 1];
  return sessions.find((s) => s.data.sessionId === ref);
}
