// Fake `claude -p` (Claude Code 2.1.197): print-mode flags, stream-json events, --json-schema,
// per-cwd sessions and exit codes as described in docs/agent-clis.md ("Claude Code"); the real
// CLI's output is in test/golden/claude/.
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  applyWrites, appendJsonl, buildAnswer, die, echoPrompt, emit, exitAfterFlush, hangForever, listDir,
  parseDirectives, parseOptions, printAndExit, readJsonl, readStdin, setUpProcess, sleep, tokenCounts,
} from './common.mjs';

const VERSION = '2.1.197 (Claude Code)';
const PERMISSION_MODES = ['default', 'acceptEdits', 'plan', 'auto', 'dontAsk', 'bypassPermissions'];
const MODELS = { sonnet: 'claude-sonnet-4-5-20250929', opus: 'claude-opus-4-1-20250805', haiku: 'claude-haiku-4-5-20251001' };
const TOOLS = ['Task', 'Bash', 'Glob', 'Grep', 'Read', 'Edit', 'Write', 'NotebookEdit', 'WebFetch', 'TodoWrite', 'WebSearch'];
const v = (key, extra = {}) => ({ key, value: true, ...extra });
const f = (key) => ({ key, value: false });

const OPTIONS = {
  '-p': f('print'), '--print': f('print'), '--verbose': f('verbose'), '-d': f('debug'), '--debug': f('debug'),
  '--output-format': v('outputFormat', { choices: ['text', 'json', 'stream-json'] }),
  '--input-format': v('inputFormat', { choices: ['text'] }),
  '--model': v('model'), '--fallback-model': v('fallbackModel'),
  '--permission-mode': v('permissionMode', { choices: PERMISSION_MODES }),
  '--dangerously-skip-permissions': f('skipPermissions'),
  '--allowedTools': v('allowedTools', { multiple: true }), '--allowed-tools': v('allowedTools', { multiple: true }),
  '--disallowedTools': v('disallowedTools', { multiple: true }), '--disallowed-tools': v('disallowedTools', { multiple: true }),
  '--append-system-prompt': v('appendSystemPrompt'), '--system-prompt': v('systemPrompt'),
  '--max-turns': v('maxTurns'), '--max-budget-usd': v('maxBudget'), '--add-dir': v('addDir', { multiple: true }),
  '--mcp-config': v('mcpConfig', { multiple: true }), '--settings': v('settings'),
  '-r': v('resume'), '--resume': v('resume'), '-c': f('continue'), '--continue': f('continue'),
  '--session-id': v('sessionId'), '--fork-session': f('forkSession'), '--json-schema': v('jsonSchema'),
  '--include-partial-messages': f('partial'),
};

const configDir = () => process.env.CLAUDE_CONFIG_DIR || path.join(os.homedir(), '.claude');
// Sessions are stored per project directory, which is why --resume only works from the same cwd.
const projectDir = (cwd) => path.join(configDir(), 'projects', cwd.replace(/[^a-zA-Z0-9]/g, '-'));

export async function main(argv) {
  if (argv[0] === 'mcp') return mcp(argv.slice(1));
  if (argv.includes('--version') || argv.includes('-v')) return printAndExit(VERSION);
  const parsed = parseOptions(argv, OPTIONS);
  if (parsed.error) {
    const e = parsed.error;
    if (e.kind === 'choice') return die(`error: option '${e.arg} <value>' argument '${e.value}' is invalid. Allowed choices are ${e.choices.join(', ')}.`, 1);
    if (e.kind === 'missing') return die(`error: option '${e.arg} <value>' argument missing`, 1);
    return die(`error: unknown option '${e.arg}'`, 1);
  }
  const args = parsed.opts;
  if (parsed.positionals.length > 1) return die(`error: too many arguments. Expected 1 argument but got ${parsed.positionals.length}.`, 1);
  if (!args.print) return die('fake claude only implements print mode (-p)', 1);
  const format = args.outputFormat ?? 'text';
  if (format === 'stream-json' && !args.verbose) {
    return die('Error: When using --print, --output-format=stream-json requires --verbose', 1);
  }
  const bypass = args.skipPermissions || args.permissionMode === 'bypassPermissions';
  if (bypass && process.getuid?.() === 0 && process.env.IS_SANDBOX !== '1') {
    return die('--dangerously-skip-permissions cannot be used with root/sudo privileges for security reasons', 1);
  }
  let schema;
  if (args.jsonSchema !== undefined) {
    try {
      schema = JSON.parse(args.jsonSchema);
    } catch (err) {
      return die(`Error: --json-schema is not valid JSON: ${err.message}`, 1);
    }
  }

  const promptBytes = parsed.positionals.length ? Buffer.from(parsed.positionals[0]) : (await readStdin()) ?? Buffer.alloc(0);
  const prompt = promptBytes.toString('utf8');
  if (prompt.trim() === '') return die('Error: Input must be provided either through stdin or as a prompt argument when using --print', 1);

  const cwd = process.cwd();
  let sessionId = args.sessionId ?? randomUUID();
  let history = [];
  if (args.resume || args.continue) {
    const file = args.resume ? path.join(projectDir(cwd), `${args.resume}.jsonl`) : latestSession(cwd);
    if (!file || !fs.existsSync(file)) {
      return die(args.resume ? `No conversation found with session ID: ${args.resume}` : 'No conversation found to continue', 1);
    }
    history = readJsonl(file);
    if (!args.forkSession) sessionId = path.basename(file, '.jsonl');
  } else if (fs.existsSync(path.join(projectDir(cwd), `${sessionId}.jsonl`))) {
    return die(`Error: Session ID ${sessionId} is already in use.`, 1);
  }
  const turn = history.filter((r) => r.type === 'user' && typeof r.message?.content === 'string').length + 1;

  const pd = parseDirectives(prompt);
  if (pd.error) return die(`fake claude: ${pd.error}`, 1);
  const d = pd.directives;
  echoPrompt(d, promptBytes);
  setUpProcess(d, () => process.exit(143));

  const model = MODELS[args.model] ?? args.model ?? MODELS.sonnet;
  const sessionFile = path.join(projectDir(cwd), `${sessionId}.jsonl`);
  const record = (type, message) => ({ type, sessionId, cwd, timestamp: new Date().toISOString(), uuid: randomUUID(), message });
  appendJsonl(sessionFile, [record('user', { role: 'user', content: prompt })]);

  const events = [];
  const out = (event) => {
    const full = { ...event, session_id: sessionId, uuid: randomUUID() };
    events.push(full);
    if (format === 'stream-json') emit(full);
  };
  const assistant = (content, usage = { input_tokens: 8, output_tokens: 24 }) => out({ type: 'assistant', message: { model, id: `msg_${randomBytes(12).toString('hex')}`, type: 'message', role: 'assistant', content, stop_reason: null, stop_sequence: null, usage }, parent_tool_use_id: null });
  const toolResult = (id, content, isError = false) => out({ type: 'user', message: { role: 'user', content: [{ tool_use_id: id, type: 'tool_result', content, is_error: isError }] }, parent_tool_use_id: null });
  const tool = (name, input, result) => {
    const id = `toolu_${randomBytes(12).toString('hex')}`;
    assistant([{ type: 'tool_use', id, name, input }]);
    toolResult(id, result);
  };
  const started = Date.now();
  const finish = (result, code) => {
    const t = tokenCounts(prompt, result.result ?? '');
    t.input += 1000 * d.steps.count; // what the requests of @fake steps reported
    t.output += 50 * d.steps.count;
    const usage = { input_tokens: t.input, cache_creation_input_tokens: turn === 1 ? t.input : 0, cache_read_input_tokens: turn > 1 ? t.input : 0, output_tokens: t.output, server_tool_use: { web_search_requests: 0 }, service_tier: 'standard' };
    const cost = Math.round((t.input * 3 + t.output * 15) / 1000) / 1000;
    const full = { type: 'result', ...result, duration_ms: Date.now() - started + 850, duration_api_ms: Date.now() - started + 700, num_turns: 2 + d.write.length, session_id: sessionId, total_cost_usd: cost, usage, permission_denials: [], uuid: randomUUID() };
    if (format === 'stream-json') emit(full);
    else if (format === 'json') process.stdout.write(`${JSON.stringify(full)}\n`);
    else process.stdout.write(`${full.result ?? ''}\n`);
    appendJsonl(sessionFile, [record('assistant', { role: 'assistant', content: [{ type: 'text', text: full.result ?? '' }] })]);
    return exitAfterFlush(code);
  };

  out({ type: 'system', subtype: 'init', cwd, tools: TOOLS, mcp_servers: [], model, permissionMode: args.permissionMode ?? (args.skipPermissions ? 'bypassPermissions' : 'default'), slash_commands: ['compact', 'review'], apiKeySource: 'ANTHROPIC_API_KEY', claude_code_version: VERSION.split(' ')[0], output_style: 'default', agents: [], skills: [], plugins: [] });
  if (d.http500) {
    const body = 'API Error: 500 {"type":"error","error":{"type":"api_error","message":"Internal server error"}}';
    out({ type: 'system', subtype: 'api_retry', attempt: 1, max_retries: 10, retry_delay_ms: 600, error_status: 500, error: 'server_error' });
    assistant([{ type: 'text', text: body }]);
    return finish({ subtype: 'success', is_error: true, api_error_status: 500, result: body }, 1);
  }
  assistant([{ type: 'text', text: `Turn ${turn}: let me look at the project first.` }]);
  if (d.hang) return hangForever();
  if (d.exit !== undefined) {
    return finish({ subtype: 'error_during_execution', is_error: true, errors: [`fake failure requested (exit ${d.exit})`] }, d.exit);
  }
  tool('Bash', { command: 'ls', description: 'List files in the project' }, listDir(cwd));
  for (const w of applyWrites(cwd, d.write)) {
    tool('Write', { file_path: w.abs, content: w.content }, `File ${w.kind === 'add' ? 'created' : 'updated'} successfully at: ${w.abs}`);
  }
  for (let i = 1; i <= d.steps.count; i++) {
    assistant([{ type: 'text', text: `Step ${i} of ${d.steps.count}.` }], { input_tokens: 1000, cache_read_input_tokens: 0, output_tokens: 50 });
    if (d.steps.pause) await sleep(d.steps.pause);
  }
  if (d.sleep) await sleep(d.sleep);
  const answer = buildAnswer('claude', turn, d);
  if (schema && !d.plain) {
    // With --json-schema the model answers through a tool; the result text stays empty.
    tool('StructuredOutput', answer.value, 'Structured output provided successfully');
    return finish({ subtype: 'success', is_error: false, result: '', structured_output: answer.value }, 0);
  }
  assistant([{ type: 'text', text: answer.text }]);
  return finish({ subtype: 'success', is_error: false, result: answer.text }, 0);
}

function latestSession(cwd) {
  try {
    const dir = projectDir(cwd);
    return fs.readdirSync(dir).filter((n) => n.endsWith('.jsonl')).map((n) => path.join(dir, n))
      .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
  } catch {
    return undefined;
  }
}

// `claude mcp add [options] <name> <commandOrUrl> [args...]`: where the real CLI keeps each
// scope's servers. local: ~/.claude.json projects[cwd].mcpServers; user: ~/.claude.json
// mcpServers; project: .mcp.json in cwd. ~/.claude.json moves under CLAUDE_CONFIG_DIR when set.
const MCP_ADD_OPTIONS = {
  '-s': v('scope'), '--scope': v('scope'), '-t': v('transport', { choices: ['stdio', 'sse', 'http'] }),
  '--transport': v('transport', { choices: ['stdio', 'sse', 'http'] }),
  '-e': v('env', { multiple: true }), '--env': v('env', { multiple: true }),
  '-H': v('header', { multiple: true }), '--header': v('header', { multiple: true }),
};

function mcp(argv) {
  if (argv[0] !== 'add') return die(`fake claude implements only "claude mcp add", not "claude mcp ${argv[0] ?? ''}"`, 1);
  const parsed = parseOptions(argv.slice(1), MCP_ADD_OPTIONS);
  if (parsed.error) {
    const e = parsed.error;
    if (e.kind === 'choice') return die(`error: option '${e.arg} <transport>' argument '${e.value}' is invalid. Allowed choices are ${e.choices.join(', ')}.`, 1);
    if (e.kind === 'missing') return die(`error: option '${e.arg} <value>' argument missing`, 1);
    return die(`error: unknown option '${e.arg}'`, 1);
  }
  const { scope = 'local', transport = 'stdio', env = [], header = [] } = parsed.opts;
  if (!['local', 'user', 'project'].includes(scope)) return die(`Invalid scope: ${scope}. Must be one of: local, user, project`, 1);
  const [name, command, ...args] = parsed.positionals;
  if (!name) return die("error: missing required argument 'name'", 1);
  if (!command) return die("error: missing required argument 'commandOrUrl'", 1);
  const envObj = {};
  for (const kv of env) {
    const eq = kv.indexOf('=');
    if (eq <= 0) return die(`Invalid environment variable format: ${kv}, environment variables should be added as: -e KEY1=value1 -e KEY2=value2`, 1);
    envObj[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  const cwd = process.cwd();
  const file = scope === 'project' ? path.join(cwd, '.mcp.json') : path.join(process.env.CLAUDE_CONFIG_DIR || os.homedir(), '.claude.json');
  let config = {};
  try {
    config = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    config = {};
  }
  const holder = scope === 'local' ? (((config.projects ??= {})[cwd] ??= {})) : config;
  const servers = (holder.mcpServers ??= {});
  if (servers[name]) return die(`MCP server ${name} already exists in ${scope} config`, 1);
  // headers as given ("Name: value"), ${VAR} left for Claude Code to expand when it connects
  const headers = Object.fromEntries(header.map((h) => [h.slice(0, h.indexOf(':')).trim(), h.slice(h.indexOf(':') + 1).trim()]));
  servers[name] = transport === 'stdio' ? { type: 'stdio', command, args, env: envObj } : { type: transport, url: command, ...(header.length ? { headers } : {}) };
  fs.writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  return printAndExit(`Added ${transport} MCP server ${name} with command: ${[command, ...args].join(' ')} to ${scope} config\nFile modified: ${file}${scope === 'local' ? ` [project: ${cwd}]` : ''}`);
}
