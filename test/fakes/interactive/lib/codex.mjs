// Fake interactive Codex CLI (the TUI, not exec): the flags agentctl uses, `-c` overrides parsed
// as TOML, hooks (skipped unless trusted or --dangerously-bypass-hook-trust) and notify with the
// payloads and orders recorded from 0.171.0 (test/golden/interactive/codex/*.hooks.jsonl), the
// folder-trust and model-migration screens, turns against the provider's base_url in
// $CODEX_HOME/config.toml (the scripted model server), and a rollout in the real format.
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'smol-toml';
import { appendLine, askUser, fireHooks, firstRunScreen, permissionDecision, restoreTerminal, runShell, runTui, say, sse } from './tui.mjs';

const VERSION = '0.171.0';
const NEWER = { 'gpt-5.5': 'gpt-6-sol' };

function fail(message, code = 1) {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

function parseArgs(argv) {
  const o = { resume: null, daemon: true, trustHooks: false, model: null, approval: null, sandbox: null, bypass: false, overrides: [], prompt: null, cd: null };
  let i = 0;
  if (argv[0] === 'resume') {
    if (!argv[1] || argv[1].startsWith('-')) fail('error: the fake needs `resume SESSION_ID` (no picker)', 2);
    o.resume = argv[1];
    i = 2;
  }
  const value = (flag) => {
    if (i + 1 >= argv.length) fail(`error: a value is required for '${flag} <VALUE>' but none was supplied`, 2);
    return argv[++i];
  };
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      o.prompt = argv.slice(i + 1).join(' ');
      break;
    } else if (a === '--no-daemon') o.daemon = false;
    else if (a === '--dangerously-bypass-hook-trust') o.trustHooks = true;
    else if (a === '--dangerously-bypass-approvals-and-sandbox') o.bypass = true;
    else if (a === '-m' || a === '--model') o.model = value(a);
    else if (a === '-a' || a === '--ask-for-approval') o.approval = value(a);
    else if (a === '-s' || a === '--sandbox') o.sandbox = value(a);
    else if (a === '-C' || a === '--cd') o.cd = value(a);
    else if (a === '-c' || a === '--config') o.overrides.push(value(a));
    else if (a.startsWith('-')) fail(`error: unexpected argument '${a}' found`, 2);
    else o.prompt = a;
  }
  if (o.approval && !['on-request', 'never', 'untrusted', 'on-failure'].includes(o.approval)) fail(`error: invalid value '${o.approval}' for '--ask-for-approval <APPROVAL_POLICY>'`, 2);
  if (o.sandbox && !['read-only', 'workspace-write', 'danger-full-access'].includes(o.sandbox)) fail(`error: invalid value '${o.sandbox}' for '--sandbox <SANDBOX_MODE>'`, 2);
  return o;
}

/** `-c a.b=VALUE`: VALUE as TOML, else the raw text as a string (as codex does). */
function applyOverride(config, override) {
  const eq = override.indexOf('=');
  if (eq <= 0) fail(`Error parsing -c overrides: Invalid override (missing '='): ${override}`);
  const key = override.slice(0, eq).trim();
  const raw = override.slice(eq + 1);
  let value;
  try {
    value = parse(`v = ${raw}`).v;
  } catch {
    value = raw;
  }
  const parts = key.split('.');
  let obj = config;
  for (const p of parts.slice(0, -1)) obj = obj[p] = obj[p] && typeof obj[p] === 'object' ? obj[p] : {};
  obj[parts.at(-1)] = value;
}

const codexHome = () => process.env.CODEX_HOME || path.join(process.env.HOME || os.homedir(), '.codex');

function gitRoot(dir) {
  for (let d = fs.realpathSync(dir); ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, '.git'))) return d;
    if (path.dirname(d) === d) return null;
  }
}

function findRollout(id) {
  const sessions = path.join(codexHome(), 'sessions');
  const walk = (dir) => {
    for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
      const p = path.join(dir, name);
      if (fs.statSync(p).isDirectory()) {
        const hit = walk(p);
        if (hit) return hit;
      } else if (name.endsWith(`-${id}.jsonl`)) return p;
    }
    return null;
  };
  return walk(sessions);
}

/** The model input so far, from a rollout: what a resumed session sends again. */
function loadHistory(file) {
  const input = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const e = JSON.parse(line);
    if (e.type === 'response_item' && e.payload.type !== 'reasoning') input.push(e.payload);
  }
  return input;
}

export async function main(argv) {
  const o = parseArgs(argv);
  if (o.cd) process.chdir(o.cd);
  const cwd = process.cwd();
  let config = {};
  const configFile = path.join(codexHome(), 'config.toml');
  if (fs.existsSync(configFile)) {
    try {
      config = parse(fs.readFileSync(configFile, 'utf8'));
    } catch (err) {
      fail(`Error loading config.toml: ${err.message}`);
    }
  }
  const fileConfig = structuredClone(config);
  for (const override of o.overrides) applyOverride(config, override);
  const model = o.model ?? config.model ?? 'gpt-5.5';
  const provider = config.model_providers?.[config.model_provider];
  if (!provider?.base_url) fail('fake codex: no model provider with a base_url in config.toml (tests point it at the scripted model server)');
  const approval = o.bypass ? 'never' : o.approval ?? config.approval_policy ?? 'on-request';
  const permissionMode = o.bypass ? 'bypassPermissions' : 'default';
  let rollout = o.resume ? findRollout(o.resume) : null;
  if (o.resume && !rollout) fail(`Error: no rollout found for thread id ${o.resume}`);
  const sessionId = o.resume ?? randomUUID();
  if (!rollout) {
    const now = new Date();
    const stamp = now.toISOString().slice(0, 19).replace(/:/g, '-');
    rollout = path.join(codexHome(), 'sessions', stamp.slice(0, 4), stamp.slice(5, 7), stamp.slice(8, 10), `rollout-${stamp}-${sessionId}.jsonl`);
  }

  // first-run screens: the folder's trust (from config.toml only, never from -c) and the model notice
  const root = gitRoot(cwd);
  if (root && fileConfig.projects?.[root]?.trust_level === undefined) {
    await firstRunScreen(['Do you trust the contents of this directory?', '› 1. Yes, continue', '  2. No, quit']);
  }
  if (NEWER[model] && config.notice?.model_migrations?.[model] === undefined) {
    await firstRunScreen(['Meet GPT-6 Sol', '› 1. Try new model', '  2. Use existing model']);
  }
  const hooks = o.trustHooks ? config.hooks ?? {} : {};
  if (!o.trustHooks && config.hooks) say('⚠ hooks are not trusted: review them in /hooks (skipped)');

  const input = o.resume ? loadHistory(rollout) : [];
  const base = { session_id: sessionId };
  const where = { transcript_path: rollout, cwd };
  const agentFields = { model, permission_mode: permissionMode };
  let started = false;
  let turnId = null;
  const log = (type, payload) => appendLine(rollout, { timestamp: new Date().toISOString(), type, payload });
  if (!o.resume) log('session_meta', { id: sessionId, cwd, originator: 'codex-tui', cli_version: VERSION, source: 'cli', model_provider: config.model_provider });
  const notify = (payload) => {
    const argv = Array.isArray(config.notify) ? config.notify : null;
    if (!argv?.length) return;
    const child = spawn(argv[0], [...argv.slice(1), JSON.stringify(payload)], { stdio: 'ignore', detached: true });
    child.on('error', () => {});
    child.unref();
  };

  async function request(signal) {
    const developer = config.developer_instructions ? [{ type: 'message', role: 'developer', content: [{ type: 'input_text', text: config.developer_instructions }] }] : [];
    const tools = [{ type: 'function', name: 'exec_command', parameters: { type: 'object', properties: { cmd: { type: 'string' }, sandbox_permissions: { type: 'string' }, justification: { type: 'string' } } } }];
    const res = await fetch(`${provider.base_url.replace(/\/$/, '')}/responses`, {
      method: 'POST',
      signal,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${process.env[provider.env_key] ?? ''}` },
      body: JSON.stringify({ model, instructions: 'You are Codex, a coding agent.', input: [...developer, ...input], tools, stream: true }),
    });
    if (res.status >= 400) {
      const text = await res.text();
      return { error: res.status >= 500 ? "We're currently experiencing high demand, which may cause temporary errors." : text };
    }
    const items = [];
    for await (const [, ev] of sse(res)) if (ev.type === 'response.output_item.done') items.push(ev.item);
    return { items };
  }

  async function exec(call) {
    const args = JSON.parse(call.arguments || '{}');
    const fields = { ...base, turn_id: turnId, ...where, hook_event_name: '', ...agentFields };
    await fireHooks(hooks.PreToolUse, { ...fields, hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: args.cmd }, tool_use_id: call.call_id });
    // with approvals off there is nobody to escalate to: 0.171 drops the call (PreToolUse, no PostToolUse)
    if (approval === 'never' && args.sandbox_permissions === 'require_escalated') return 'rejected: escalation needs approval, and the approval policy is never';
    if (approval === 'on-request' && args.sandbox_permissions === 'require_escalated') {
      const outs = await fireHooks(hooks.PermissionRequest, { ...fields, hook_event_name: 'PermissionRequest', tool_name: 'Bash', tool_input: { command: args.cmd, description: args.justification } });
      let decision = permissionDecision(outs);
      // no decision from the hooks: only now does codex show its dialog (y = yes; Escape or n interrupts)
      if (!decision) decision = (await askUser(`Would you like to run the following command? ${args.cmd}`, ['y', 'n'])) === 'y' ? { allow: true } : null;
      if (!decision) throw Object.assign(new Error('interrupted'), { name: 'AbortError' });
      if (!decision.allow) return `The user denied this command: ${decision.message}`;
    }
    const r = await runShell(args.cmd, cwd);
    await fireHooks(hooks.PostToolUse, { ...fields, hook_event_name: 'PostToolUse', tool_name: 'Bash', tool_input: { command: args.cmd }, tool_response: r.stdout, tool_use_id: call.call_id });
    return r.stdout || `exit code ${r.code}`;
  }

  async function turn(prompt, signal) {
    if (!started) {
      started = true;
      await fireHooks(hooks.SessionStart, { ...base, ...where, hook_event_name: 'SessionStart', ...agentFields, source: o.resume ? 'resume' : 'startup' });
    }
    turnId = randomUUID();
    const id = turnId;
    log('event_msg', { type: 'task_started', turn_id: id });
    const user = { type: 'message', role: 'user', content: [{ type: 'input_text', text: prompt }] };
    log('response_item', user);
    log('event_msg', { type: 'item_completed', thread_id: sessionId, turn_id: id, item: { type: 'UserMessage', id: randomUUID(), content: [{ type: 'text', text: prompt, text_elements: [] }] } });
    input.push(user);
    await fireHooks(hooks.UserPromptSubmit, { ...base, turn_id: id, ...where, hook_event_name: 'UserPromptSubmit', ...agentFields, prompt });
    say(`› ${prompt}`);
    let last = null;
    for (;;) {
      const reply = await request(signal).catch((err) => {
        if (err?.name === 'AbortError') throw err;
        return { error: `stream disconnected before completion: ${err.message}` };
      });
      if (reply.error) {
        // no hook for a failed turn: the rollout is the only place it shows
        log('event_msg', { type: 'error', message: reply.error });
        log('event_msg', { type: 'task_complete', turn_id: id, last_agent_message: null, error: { message: reply.error, codex_error_info: 'internal_server_error' } });
        say(`■ ${reply.error}`);
        return;
      }
      const calls = [];
      for (const item of reply.items) {
        log('response_item', item);
        input.push(item);
        if (item.type === 'message') {
          last = item.content.map((c) => c.text ?? '').join('');
          log('event_msg', { type: 'item_completed', thread_id: sessionId, turn_id: id, item: { type: 'AgentMessage', id: item.id, content: [{ type: 'Text', text: last }] } });
          say(`• ${last}`);
        } else if (item.type === 'function_call') calls.push(item);
      }
      if (!calls.length) break;
      for (const call of calls) {
        const output = call.name === 'exec_command' ? await exec(call) : `unsupported call: ${call.name}`;
        const item = { type: 'function_call_output', call_id: call.call_id, output };
        log('response_item', item);
        input.push(item);
      }
    }
    await fireHooks(hooks.Stop, { ...base, turn_id: id, ...where, hook_event_name: 'Stop', ...agentFields, stop_hook_active: false, last_assistant_message: last });
    log('event_msg', { type: 'task_complete', turn_id: id, last_agent_message: last });
    notify({ type: 'agent-turn-complete', 'thread-id': sessionId, 'turn-id': id, cwd, client: 'codex-tui', 'input-messages': [prompt], 'last-assistant-message': last });
  }

  let exiting = false;
  const tui = runTui({
    putBack: false,
    normalize: (text) => text.trim(),
    // only at the very start: a leading space makes it text
    isExit: (text) => /^\/(exit|quit)(\s|$)/.test(text),
    turn,
    async interrupted() {
      log('event_msg', { type: 'turn_aborted', turn_id: turnId, reason: 'interrupted' });
      input.push({ type: 'message', role: 'user', content: [{ type: 'input_text', text: '<turn_aborted>\nThe user interrupted the previous turn.\n</turn_aborted>' }] });
      await fireHooks(hooks.Interrupt, { ...base, turn_id: turnId, ...where, hook_event_name: 'Interrupt', ...agentFields });
    },
    async exit(reason) {
      if (exiting) return;
      exiting = true;
      // /exit reports SessionEnd(other); a killed window reports nothing
      if (reason === 'prompt_input_exit') await fireHooks(hooks.SessionEnd, { ...base, ...where, hook_event_name: 'SessionEnd', reason: 'other' });
      restoreTerminal();
      process.exit(0);
    },
  });
  say(`>_ OpenAI Codex (v${VERSION}, fake) · ${cwd}`);
  if (o.prompt) tui.start(o.prompt);
  return tui;
}
