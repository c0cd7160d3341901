// Fake interactive Claude Code (the TUI, not -p): the flags agentctl uses, the first-run screens,
// hooks from the --settings file with the payloads, orders and fields recorded from 2.1.332
// (test/golden/interactive/claude/*.hooks.jsonl), turns against $ANTHROPIC_BASE_URL (the
// scripted model server), and a transcript in the real format.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appendLine, askUser, fireHooks, firstRunScreen, permissionDecision, restoreTerminal, runShell, runTui, say, sse } from './tui.mjs';

const VERSION = '2.1.332';
const DEFAULT_MODEL = 'claude-opus-5-5';
const MODES = ['acceptEdits', 'auto', 'bypassPermissions', 'default', 'manual', 'dontAsk', 'plan'];
const READ_ONLY = /^\s*(ls|cat|pwd|echo|head|tail|grep|wc|git (status|log|diff|show))(\s|$)/;
const EDITS = new Set(['Edit', 'MultiEdit', 'Write', 'NotebookEdit']);

function parseArgs(argv) {
  const o = { settings: null, sessionId: null, resume: null, model: null, mode: 'default', skip: false, append: [], mcp: [] };
  const value = (i, flag) => {
    if (i + 1 >= argv.length || argv[i + 1].startsWith('--')) fail(`error: option '${flag}' argument missing`);
    return argv[i + 1];
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--settings') o.settings = value(i++, a);
    else if (a === '--session-id') o.sessionId = value(i++, a);
    else if (a === '--resume' || a === '-r') o.resume = value(i++, a);
    else if (a === '--model') o.model = value(i++, a);
    else if (a === '--permission-mode') {
      o.mode = value(i++, a);
      if (!MODES.includes(o.mode)) fail(`error: option '--permission-mode <mode>' argument '${o.mode}' is invalid. Allowed choices are acceptEdits, auto, bypassPermissions, manual, dontAsk, plan.`);
    } else if (a === '--dangerously-skip-permissions') o.skip = true;
    else if (a === '--append-system-prompt') o.append.push(value(i++, a));
    else if (a === '--append-system-prompt-file') {
      const file = value(i++, a);
      if (!fs.existsSync(file)) fail(`Error: Append system prompt file not found: ${file}`);
      o.append.push(fs.readFileSync(file, 'utf8'));
    } else if (a === '--mcp-config') while (i + 1 < argv.length && !argv[i + 1].startsWith('--')) o.mcp.push(argv[++i]);
    else fail(a.startsWith('-') ? `error: unknown option '${a}'` : `error: the fake TUI takes no prompt argument ('${a}')`);
  }
  if (o.sessionId && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(o.sessionId)) fail('Error: Invalid session ID. Must be a valid UUID.');
  if (o.skip) o.mode = 'bypassPermissions';
  if (o.mode === 'manual') o.mode = 'default';
  return o;
}

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

const configDir = () => process.env.CLAUDE_CONFIG_DIR || path.join(process.env.HOME || os.homedir(), '.claude');
const stateFile = () => (process.env.CLAUDE_CONFIG_DIR ? path.join(process.env.CLAUDE_CONFIG_DIR, '.claude.json') : path.join(process.env.HOME || os.homedir(), '.claude.json'));
const projectKey = (cwd) => fs.realpathSync(cwd).replace(/[^A-Za-z0-9]/g, '-');

/** The screens a fresh home shows before the input box (docs/agent-clis.md, "Start and first-run state"). */
async function firstRun(cwd, settings, o) {
  let state = {};
  try {
    state = JSON.parse(fs.readFileSync(stateFile(), 'utf8'));
  } catch {
    // no state yet
  }
  // offline, the onboarding's connectivity check fails and the TUI ends
  if (!state.hasCompletedOnboarding) fail('Unable to connect to Anthropic services: the onboarding needs the network (fake claude)');
  const dirs = [];
  for (let d = fs.realpathSync(cwd); ; d = path.dirname(d)) {
    dirs.push(d);
    if (path.dirname(d) === d) break;
  }
  const trusted = process.env.CLAUDE_CODE_SANDBOXED === '1' || dirs.some((d) => state.projects?.[d]?.hasTrustDialogAccepted);
  if (!trusted) await firstRunScreen(['Do you trust the files in this folder?', '❯ 1. Yes, proceed', '  2. No, exit']);
  const key = process.env.ANTHROPIC_API_KEY;
  if (key && !(state.customApiKeyResponses?.approved ?? []).includes(key.slice(-20))) {
    await firstRunScreen(['Detected a custom API key in your environment', 'Do you want to use this API key?', '  1. Yes', '❯ 2. No (recommended)']);
  }
  if (o.mode === 'bypassPermissions') {
    if (process.getuid?.() === 0 && process.env.IS_SANDBOX !== '1') fail('--dangerously-skip-permissions cannot be used with root/sudo privileges for security reasons');
    if (!settings.skipDangerousModePermissionPrompt) await firstRunScreen(['WARNING: Claude Code running in Bypass Permissions mode', '❯ 1. No, exit', '  2. Yes, I accept']);
  }
}

/** The conversation so far, from a transcript: what a resumed session sends again. */
function loadHistory(file) {
  const messages = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const e = JSON.parse(line);
    if ((e.type !== 'user' && e.type !== 'assistant') || e.isApiErrorMessage) continue;
    const last = messages.at(-1);
    const content = typeof e.message.content === 'string' ? [{ type: 'text', text: e.message.content }] : e.message.content;
    if (last && last.role === e.message.role) last.content.push(...content);
    else messages.push({ role: e.message.role, content: [...content] });
  }
  return messages;
}

export async function main(argv) {
  const o = parseArgs(argv);
  const cwd = process.cwd();
  const settings = o.settings ? JSON.parse(fs.readFileSync(o.settings, 'utf8')) : {};
  const hooks = settings.hooks ?? {};
  const dir = path.join(configDir(), 'projects', projectKey(cwd));
  const sessionId = o.resume ?? o.sessionId ?? randomUUID();
  const transcript = path.join(dir, `${sessionId}.jsonl`);
  if (o.resume && !fs.existsSync(transcript)) fail(`No conversation found with session ID: ${o.resume}`);
  await firstRun(cwd, settings, o);
  const model = o.model ?? DEFAULT_MODEL;
  const messages = o.resume ? loadHistory(transcript) : [];
  const base = { session_id: sessionId, transcript_path: transcript, cwd };
  let promptId = null;
  let parent = null;
  const write = (entry) => {
    const uuid = randomUUID();
    appendLine(transcript, { parentUuid: parent, isSidechain: false, ...entry, uuid, timestamp: new Date().toISOString(), sessionId, cwd, version: VERSION });
    parent = uuid;
    return uuid;
  };
  const turnFields = () => ({ prompt_id: promptId, permission_mode: o.mode, effort: { level: 'medium' } });

  async function request(signal) {
    const system = [{ type: 'text', text: "You are Claude Code, Anthropic's official CLI for Claude." }, ...o.append.map((text) => ({ type: 'text', text }))];
    const tools = ['Bash', 'Edit', 'Write', 'Read'].map((name) => ({ name, description: name, input_schema: { type: 'object' } }));
    const url = `${(process.env.ANTHROPIC_BASE_URL || 'https://api.anthropic.com').replace(/\/$/, '')}/v1/messages?beta=true`;
    const res = await fetch(url, {
      method: 'POST',
      signal,
      headers: { 'content-type': 'application/json', 'x-api-key': process.env.ANTHROPIC_API_KEY ?? '', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model, max_tokens: 32000, system, messages, tools, stream: true }),
    });
    if (res.status >= 400) {
      const body = await res.json().catch(() => ({}));
      return { error: { status: res.status, message: body?.error?.message ?? res.statusText } };
    }
    const blocks = [];
    let id = null;
    let stop = null;
    for await (const [, ev] of sse(res)) {
      if (ev.type === 'message_start') id = ev.message.id;
      else if (ev.type === 'content_block_start') blocks[ev.index] = { ...ev.content_block, json: '' };
      else if (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta') blocks[ev.index].text += ev.delta.text;
      else if (ev.type === 'content_block_delta' && ev.delta.type === 'input_json_delta') blocks[ev.index].json += ev.delta.partial_json;
      else if (ev.type === 'message_delta') stop = ev.delta.stop_reason;
    }
    const content = blocks.map(({ json, ...b }) => (b.type === 'tool_use' ? { ...b, input: json ? JSON.parse(json) : {} } : b));
    return { id, content, stop };
  }

  async function useTool(block) {
    const fields = { ...base, ...turnFields() };
    await fireHooks(hooks.PreToolUse, { ...fields, hook_event_name: 'PreToolUse', tool_name: block.name, tool_input: block.input, tool_use_id: block.id });
    const asks = o.mode === 'bypassPermissions' ? false
      : block.name === 'Bash' ? !READ_ONLY.test(block.input?.command ?? '')
      : EDITS.has(block.name) ? o.mode !== 'acceptEdits' : false;
    if (asks) {
      const outs = await fireHooks(hooks.PermissionRequest, {
        ...fields, hook_event_name: 'PermissionRequest', tool_name: block.name, tool_input: block.input,
        permission_suggestions: [{ type: 'addDirectories', directories: [cwd], destination: 'session' }, { type: 'setMode', mode: 'acceptEdits', destination: 'session' }],
      });
      let decision = permissionDecision(outs);
      // no decision from the hooks: the dialog waits for a person (Enter = yes; Escape interrupts)
      if (!decision) decision = (await askUser(`Do you want to proceed? (${block.name})`)) ? { allow: true } : null;
      if (!decision) throw Object.assign(new Error('interrupted'), { name: 'AbortError' });
      if (!decision.allow) return { content: decision.message, is_error: true };
    }
    const started = Date.now();
    let response;
    let content;
    if (block.name === 'Bash') {
      const r = await runShell(block.input.command, cwd);
      response = { stdout: r.stdout.trimEnd(), stderr: r.stderr.trimEnd(), interrupted: false, isImage: false, noOutputExpected: !r.stdout };
      content = r.stdout.trimEnd() || '(Bash completed with no output)';
    } else if (block.name === 'Write') {
      fs.writeFileSync(path.resolve(cwd, block.input.file_path), block.input.content ?? '');
      response = { type: 'create', filePath: block.input.file_path };
      content = `File created successfully at: ${block.input.file_path}`;
    } else {
      response = {};
      content = `${block.name} is not simulated by the fake`;
    }
    await fireHooks(hooks.PostToolUse, { ...fields, hook_event_name: 'PostToolUse', tool_name: block.name, tool_input: block.input, tool_response: response, tool_use_id: block.id, duration_ms: Date.now() - started });
    return { content, is_error: false };
  }

  const announce = async (prompt) => {
    promptId = randomUUID();
    await fireHooks(hooks.UserPromptSubmit, { ...base, prompt_id: promptId, permission_mode: o.mode, hook_event_name: 'UserPromptSubmit', prompt });
  };

  async function turn(prompt, signal, sawOutput, announced) {
    const started = Date.now();
    if (!announced) promptId = randomUUID();
    write({ promptId, type: 'user', message: { role: 'user', content: prompt }, permissionMode: o.mode, origin: { kind: 'human' } });
    messages.push({ role: 'user', content: [{ type: 'text', text: prompt }] });
    if (!announced) await fireHooks(hooks.UserPromptSubmit, { ...base, prompt_id: promptId, permission_mode: o.mode, hook_event_name: 'UserPromptSubmit', prompt });
    say(`❯ ${prompt}`);
    for (;;) {
      let reply;
      try {
        reply = await request(signal);
      } catch (err) {
        if (err?.name === 'AbortError') throw err;
        reply = { error: { status: 0, message: 'Connection refused' } };
      }
      if (reply.error) {
        const host = new URL(process.env.ANTHROPIC_BASE_URL || 'https://api.anthropic.com').host;
        const text = reply.error.status >= 500
          ? `API Error: ${reply.error.status} ${reply.error.message}. This is a server-side issue, usually temporary — try again in a moment. If it persists, check your inference gateway (${host}).`
          : `API Error: ${reply.error.status || ''} ${reply.error.message}`.replace(/ +/g, ' ');
        const error = reply.error.status >= 500 ? 'server_error' : reply.error.status === 0 ? 'unknown' : 'invalid_request';
        write({ type: 'assistant', message: { id: randomUUID(), type: 'message', role: 'assistant', model: '<synthetic>', content: [{ type: 'text', text }], stop_reason: 'stop_sequence' }, error, isApiErrorMessage: true });
        messages.pop();
        say(`● ${text}`);
        await fireHooks(hooks.StopFailure, { ...base, prompt_id: promptId, effort: { level: 'medium' }, hook_event_name: 'StopFailure', error, last_assistant_message: text });
        return;
      }
      if (reply.content.some((b) => b.type === 'text' && b.text)) sawOutput();
      reply.content.forEach((block, i) => {
        const last = i === reply.content.length - 1;
        write({ type: 'assistant', message: { id: reply.id, type: 'message', role: 'assistant', model, content: [block], stop_reason: last ? reply.stop : null } });
      });
      messages.push({ role: 'assistant', content: reply.content });
      const calls = reply.content.filter((b) => b.type === 'tool_use');
      if (!calls.length) {
        const text = reply.content.filter((b) => b.type === 'text').map((b) => b.text).join('\n');
        say(`● ${text}`);
        await fireHooks(hooks.Stop, { ...base, ...turnFields(), hook_event_name: 'Stop', stop_hook_active: false, last_assistant_message: text, background_tasks: [], session_crons: [] });
        write({ type: 'system', subtype: 'turn_duration', durationMs: Date.now() - started, isMeta: false });
        return;
      }
      sawOutput();
      const results = [];
      for (const call of calls) {
        const r = await useTool(call);
        results.push({ type: 'tool_result', content: r.content, is_error: r.is_error, tool_use_id: call.id });
      }
      write({ type: 'user', message: { role: 'user', content: results } });
      messages.push({ role: 'user', content: results });
    }
  }

  let exiting = false;
  const tui = runTui({
    putBack: true,
    onQueued: announce,
    normalize: (text) => text.replace(/\t/g, '    ').replace(/\s+$/, ''),
    // the command is recognised after leading whitespace too (a leading space does not make it text)
    isExit: (text) => /^\s*\/(exit|quit)(\s|$)/.test(text),
    turn,
    async interrupted(prompt, hadOutput) {
      // no hook: the transcript says so when the model had begun; before that the prompt leaves the context
      if (hadOutput) write({ type: 'user', message: { role: 'user', content: [{ type: 'text', text: '[Request interrupted by user]' }] } });
      else if (messages.at(-1)?.role === 'user') messages.pop();
    },
    async exit(reason) {
      if (exiting) return;
      exiting = true;
      await fireHooks(hooks.SessionEnd, { ...base, ...(promptId ? { prompt_id: promptId } : {}), hook_event_name: 'SessionEnd', reason });
      restoreTerminal();
      process.exit(0);
    },
  });
  say(`Claude Code v${VERSION} (fake) · ${cwd}`);
  const start = o.resume
    ? { source: 'resume', seconds_since_last_response: Math.round((Date.now() - fs.statSync(transcript).mtimeMs) / 1000), context_tokens: Math.ceil(JSON.stringify(messages).length / 4), prompt_cache_likely_expired: false, estimated_cache_write_usd: 0 }
    : { source: 'startup', model };
  await fireHooks(hooks.SessionStart, { ...base, hook_event_name: 'SessionStart', ...start });
  say('❯ ');
  return tui;
}
