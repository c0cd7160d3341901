// Adapters (argv, stream parsing, final-answer decisions) and the fake agent CLIs they are
// exercised against. The fakes run as real processes in temp dirs with HOME/CODEX_HOME isolated.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { extractJsonObject } from '../../src/agents/answer.js';
import { claude } from '../../src/agents/claude.js';
import { codex } from '../../src/agents/codex.js';
import { type AdapterDefinition, defineAdapter } from '../../src/agents/define.js';
import { gemini, geminiInstruction } from '../../src/agents/gemini.js';
import { getAdapter } from '../../src/agents/index.js';
import { shell } from '../../src/agents/shell.js';
import type { AgentName, AgentState, FinishInput, InvocationContext } from '../../src/agents/types.js';

const FAKES = fileURLToPath(new URL('../fakes', import.meta.url));
const SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['goal_met', 'summary', 'followup_prompt', 'notes'],
  properties: {
    goal_met: { type: 'boolean' },
    summary: { type: 'string' },
    followup_prompt: { type: 'string' },
    notes: { type: 'string' },
  },
};
const IS_ROOT = process.getuid?.() === 0;
const SLOW = { timeout: 30_000 };

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) fs.rmSync(root, { recursive: true, force: true });
});

interface Sandbox {
  root: string;
  home: string;
  project: string;
  runDir: string;
  schemaPath: string;
  env: Record<string, string>;
}

function sandbox(opts: { git?: boolean } = {}): Sandbox {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'agentctl-agents-'));
  roots.push(root);
  const [home, project, runDir] = ['home', 'project', 'run'].map((d) => path.join(root, d)) as [string, string, string];
  for (const dir of [home, project, runDir]) fs.mkdirSync(dir);
  if (opts.git) execFileSync('git', ['init', '-q'], { cwd: project });
  const schemaPath = path.join(runDir, 'schema.json');
  fs.writeFileSync(schemaPath, JSON.stringify(SCHEMA));
  // A clean environment: nothing from the developer's shell (IS_SANDBOX, trust vars) leaks in.
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, CODEX_HOME: path.join(home, '.codex') };
  return { root, home, project, runDir, schemaPath, env };
}

function ctxFor(sb: Sandbox, prompt: string, over: Partial<InvocationContext> = {}): InvocationContext {
  return {
    prompt,
    cwd: sb.project,
    runDir: sb.runDir,
    schema: SCHEMA,
    schemaPath: sb.schemaPath,
    profile: {},
    isGitRepo: fs.existsSync(path.join(sb.project, '.git')),
    ...over,
  };
}

interface Proc {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

function runProcess(file: string, args: string[], opts: { cwd: string; env: Record<string, string>; stdin: string | null }): Promise<Proc> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: opts.cwd, env: opts.env, stdio: [opts.stdin === null ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (exitCode, signal) => resolve({ exitCode, signal, stdout, stderr }));
    if (opts.stdin !== null) child.stdin?.end(opts.stdin);
  });
}

const fakePath = (file: string) => (['codex', 'claude', 'gemini'].includes(file) ? path.join(FAKES, file) : file);

function runFake(name: 'codex' | 'claude' | 'gemini', args: string[], sb: Sandbox, opts: { stdin?: string | null; env?: Record<string, string>; cwd?: string } = {}): Promise<Proc> {
  return runProcess(path.join(FAKES, name), args, { cwd: opts.cwd ?? sb.project, env: { ...sb.env, ...opts.env }, stdin: opts.stdin ?? null });
}

/** Does what the supervisor does: build, spawn (the fake stands in for the binary), stream, finish. */
async function runAgent(name: AgentName, sb: Sandbox, prompt: string, over: Partial<InvocationContext> = {}, env: Record<string, string> = {}) {
  const adapter = getAdapter(name);
  const ctx = ctxFor(sb, prompt, over);
  const reader = adapter.newReader();
  const inv = adapter.buildInvocation(ctx);
  if (inv.outputFile) fs.rmSync(inv.outputFile, { force: true });
  const proc = await runProcess(fakePath(inv.file), inv.args, { cwd: ctx.cwd, env: { ...sb.env, ...inv.env, ...env }, stdin: inv.stdin });
  const progress = proc.stdout.split('\n').filter((l) => l !== '').flatMap((l) => reader.onLine(l.replace(/\r$/, '')));
  const outputFileText = inv.outputFile && fs.existsSync(inv.outputFile) ? fs.readFileSync(inv.outputFile, 'utf8') : null;
  const answer = reader.finish({
    invocation: inv, exitCode: proc.exitCode, signal: proc.signal, outputFileText, stderrTail: proc.stderr.slice(-4096), stdoutTail: proc.stdout.slice(-4096),
  });
  return { inv, proc, state: reader.state, progress, answer, outputFileText };
}

const INVOCATION = { file: 'agent', args: [], stdin: null };

/** Straight through an adapter's own functions, without the safety net: a throw fails the test. */
function finishWith<S extends AgentState>(def: AdapterDefinition<S>, lines: string[], input: Partial<FinishInput> = {}) {
  const state = def.newState();
  for (const line of lines) def.onLine(line, state);
  return def.finish(state, { invocation: INVOCATION, exitCode: 0, signal: null, outputFileText: null, stderrTail: '', stdoutTail: '', ...input });
}

const json = (v: unknown) => JSON.stringify(v);
const kinds = (progress: { kind: string }[]) => new Set(progress.map((p) => p.kind));

describe('extractJsonObject', () => {
  it('parses plain JSON, fenced JSON and an object inside prose', () => {
    expect(extractJsonObject(' {"a":1} \n')).toEqual({ value: { a: 1 } });
    expect(extractJsonObject('Here you go:\n```json\n{"a": {"b": [1]}}\n```\nDone.')).toEqual({ value: { a: { b: [1] } } });
    expect(extractJsonObject('Result: {"s": "use {x} and \\"}\\"", "n": {"m": 2}} -- end')).toEqual({ value: { s: 'use {x} and "}"', n: { m: 2 } } });
    expect(extractJsonObject('Not this {draft} but {"ok": true}')).toEqual({ value: { ok: true } });
  });

  it('explains what is wrong when there is no object', () => {
    expect(extractJsonObject('')).toEqual({ parseError: 'the answer is empty' });
    expect(extractJsonObject('[1, 2]')).toEqual({ parseError: expect.stringContaining('not an object (array)') });
    expect(extractJsonObject('I fixed the bug.')).toEqual({ parseError: expect.stringContaining('no JSON object found') });
    expect(extractJsonObject('{"a": 1,')).toHaveProperty('parseError');
  });

  it('stays fast on prose full of unbalanced braces', () => {
    const started = Date.now();
    expect(extractJsonObject('{'.repeat(50_000))).toHaveProperty('parseError');
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('argv building', () => {
  const sb = { project: '/p', runDir: '/r', schemaPath: '/r/schema.json' } as Sandbox;

  it('codex: fresh run in a git repo, prompt on stdin, -o in the run dir', () => {
    const inv = getAdapter('codex').buildInvocation(ctxFor(sb, 'do it', { isGitRepo: true }));
    expect(inv).toEqual({
      file: 'codex',
      args: ['exec', '--json', '--output-schema', '/r/schema.json', '-o', '/r/answer.codex.txt', '-C', '/p', '-'],
      stdin: 'do it',
      outputFile: '/r/answer.codex.txt',
    });
  });

  it('codex: profile, model, sandbox, extra args; --skip-git-repo-check only outside git', () => {
    const ctx = ctxFor(sb, 'x', { isGitRepo: false, model: 'gpt-5', profile: { codex_profile: 'spark', sandbox: 'read-only', extra_args: ['-c', 'k=v'] } });
    expect(getAdapter('codex').buildInvocation(ctx).args).toEqual([
      'exec', '--json', '--output-schema', '/r/schema.json', '-o', '/r/answer.codex.txt', '-C', '/p',
      '-p', 'spark', '-m', 'gpt-5', '-s', 'read-only', '--skip-git-repo-check', '-c', 'k=v', '-',
    ]);
  });

  it('codex: resume keeps every flag before `resume <id> -` and never uses --last', () => {
    const ctx = ctxFor(sb, 'again', { isGitRepo: false, resumeSessionId: 'T1', profile: { sandbox: 'workspace-write' } });
    const args = getAdapter('codex').buildInvocation(ctx).args;
    expect(args.slice(-3)).toEqual(['resume', 'T1', '-']);
    expect(args.indexOf('-s')).toBeLessThan(args.indexOf('resume'));
    expect(args.indexOf('--skip-git-repo-check')).toBeLessThan(args.indexOf('resume'));
    expect(args).not.toContain('--last');
  });

  it('claude: stream-json with --verbose, schema inline, prompt on stdin', () => {
    const ctx = ctxFor(sb, 'hi', { model: 'opus', resumeSessionId: 'S1', profile: { permission_mode: 'acceptEdits', extra_args: ['--max-turns', '5'] } });
    const inv = getAdapter('claude').buildInvocation(ctx);
    expect(inv).toEqual({
      file: 'claude',
      args: ['-p', '--output-format', 'stream-json', '--verbose', '--json-schema', json(SCHEMA), '--model', 'opus',
        '--permission-mode', 'acceptEdits', '--resume', 'S1', '--max-turns', '5'],
      stdin: 'hi',
    });
  });

  it('gemini: prompt on stdin, schema instruction joined to --prompt=, workspace trusted by env', () => {
    const inv = getAdapter('gemini').buildInvocation(ctxFor(sb, 'task\n', { model: 'm', resumeSessionId: 'G1', profile: { approval_mode: 'auto_edit' } }));
    expect(inv.args).toEqual([`--prompt=${geminiInstruction(SCHEMA)}`, '-o', 'stream-json', '-m', 'm', '--approval-mode', 'auto_edit', '--resume', 'G1']);
    expect(inv.args[0]).toMatch(/^--prompt=---\nWhen you are done, reply with ONLY a JSON object[\s\S]*"required":\["goal_met","summary","followup_prompt","notes"\]/);
    expect(inv.args[0]).not.toContain('task');
    expect(inv.stdin).toBe('task\n');
    expect(inv.env).toEqual({ GEMINI_CLI_TRUST_WORKSPACE: 'true' });
  });

  it('shell: command split into file and args, result file in the run dir', () => {
    const adapter = getAdapter('shell');
    expect(adapter.resumable).toBe(false);
    expect(adapter.buildInvocation(ctxFor(sb, '', { command: ['npm', 'test', '--', '-x'] }))).toEqual({
      file: 'npm',
      args: ['test', '--', '-x'],
      stdin: null,
      env: { AGENTCTL_RESULT_FILE: '/r/result.shell.json', AGENTCTL_RUN_DIR: '/r' },
      outputFile: '/r/result.shell.json',
    });
    expect(adapter.buildInvocation(ctxFor(sb, 'context', { command: ['make'] })).stdin).toBe('context');
    expect(() => adapter.buildInvocation(ctxFor(sb, '', { command: [] }))).toThrow(/needs a command/);
  });

  it('shell: finish names the command of the invocation it is given, not the last one built', () => {
    const adapter = getAdapter('shell');
    const first = adapter.buildInvocation(ctxFor(sb, '', { command: ['make', 'first'] }));
    adapter.buildInvocation(ctxFor(sb, '', { command: ['make', 'second'] }));
    const answer = adapter.newReader().finish({ invocation: first, exitCode: 0, signal: null, outputFileText: null, stderrTail: '', stdoutTail: '' });
    expect(answer.value).toMatchObject({ goal_met: true, summary: '`make first` exited with code 0' });
  });

  it('resumable and binaries', () => {
    expect(['codex', 'claude', 'gemini', 'shell'].map((n) => getAdapter(n as AgentName).resumable)).toEqual([true, true, true, false]);
    expect(getAdapter('gemini').binary).toBe('gemini');
  });
});

describe('malformed input never throws', () => {
  const junk = [
    '', 'not json', '{', '[]', 'null', '42', '{"type":null}', '{"type":"item.completed","item":null}',
    '{"type":"item.completed","item":{"type":"file_change","changes":"nope"}}', '{"type":"turn.completed","usage":"x"}',
    '{"type":"item.completed","item":{"type":"file_change","changes":[null,{"path":7}]}}',
    '{"type":"item.completed","item":{"type":"todo_list","items":[null,3]}}', '{"type":"item.completed","item":{"type":"mcp_tool_call","error":{"message":1}}}',
    '{"type":"turn.failed"}', '{"type":"assistant","message":{"content":"text"}}', '{"type":"assistant","message":{"content":[null,1,{"type":"tool_use"}]}}',
    '{"type":"assistant","message":{"content":[{"type":"tool_use","name":"Write","input":{"file_path":{}}}]}}',
    '{"type":"user","message":{"content":[{"type":"tool_result","is_error":true,"content":[{"type":"text"}]}]}}',
    '{"type":"result","usage":[],"errors":"x","is_error":"yes"}', '{"type":"result","errors":[null,{}],"subtype":5,"duration_ms":"1"}',
    '{"type":"message","role":"assistant","content":7}', '{"type":"tool_use","tool_name":[],"parameters":"x"}',
    '{"type":"tool_result","tool_id":{},"status":"error","error":5}', '{"type":"tool_result","tool_id":"__proto__"}',
    '{"type":"result","status":"error","stats":null}', '{"type":"result","status":[],"stats":{"cached":"x"}}',
    '{"type":"system","subtype":"api_retry"}', '{"type":"init","session_id":5}', '{"type":"error"}', '{"type":"unknown.future.event","x":1}',
  ];
  const inputs: Partial<FinishInput>[] = [
    { exitCode: null, signal: null, outputFileText: '\u0000' },
    { exitCode: 0, outputFileText: '{'.repeat(10_000) },
    { exitCode: 255, signal: 'SIGKILL', stderrTail: '\n\n', stdoutTail: '\r' },
  ];
  // The adapters' own functions, not the readers: the readers' safety net would hide a throw.
  function survivesJunk<S extends AgentState>(def: AdapterDefinition<S>) {
    it(def.name, () => {
      const state = def.newState();
      for (const line of junk) expect(Array.isArray(def.onLine(line, state))).toBe(true);
      for (const input of inputs) expect(finishWith(def, junk, input)).toHaveProperty('rawText');
    });
  }
  survivesJunk(codex);
  survivesJunk(claude);
  survivesJunk(gemini);
  survivesJunk(shell);

  it('a parser that throws anyway costs an error line and a clear agent error, not the run', () => {
    const broken = defineAdapter({
      ...shell,
      onLine: () => { throw new Error('boom'); },
      finish: () => { throw new Error('bang'); },
    });
    const reader = broken.newReader();
    expect(reader.onLine('x')).toEqual([{ kind: 'error', text: 'shell event not understood: Error: boom' }]);
    const input = { invocation: INVOCATION, exitCode: 0, signal: null, outputFileText: null, stderrTail: '', stdoutTail: '' };
    expect(reader.finish(input)).toEqual({ rawText: null, value: undefined, agentError: 'shell answer handling failed: Error: bang' });
  });
});

describe('final-answer decisions from streams', () => {
  const agentMessage = (text: string) => json({ type: 'item.completed', item: { id: 'i', type: 'agent_message', text } });

  it('codex: the -o file wins; an empty -o file falls back to the last agent message', () => {
    expect(finishWith(codex, [agentMessage('{"a":1}')], { outputFileText: '{"a":2}' }).value).toEqual({ a: 2 });
    const fallback = finishWith(codex, [agentMessage('{"a":1}'), agentMessage('{"a":3}')], { outputFileText: '' });
    expect(fallback).toEqual({ rawText: '{"a":3}', value: { a: 3 } });
  });

  it('codex: a failed turn is an agent error even with exit 0; exit codes and signals too', () => {
    const failed = finishWith(codex, [json({ type: 'error', message: 'boom' }), json({ type: 'turn.failed', error: { message: 'model overloaded' } })]);
    expect(failed.agentError).toBe('codex turn failed: model overloaded');
    expect(finishWith(codex, [], { exitCode: 1, stderrTail: 'Error: thing\n' }).agentError).toBe('codex exited with code 1: Error: thing');
    expect(finishWith(codex, [agentMessage('{}')], { exitCode: null, signal: 'SIGKILL' }).agentError).toMatch(/killed by signal SIGKILL/);
    // A retry notice alone does not fail a turn that completed.
    expect(finishWith(codex, [json({ type: 'error', message: 'Reconnecting... 1/5' }), agentMessage('{}')]).agentError).toBeUndefined();
  });

  it('claude: is_error with subtype success, error subtypes and a missing result are errors', () => {
    const apiError = json({ type: 'result', subtype: 'success', is_error: true, api_error_status: 500, result: 'API Error: 500 oops' });
    expect(finishWith(claude, [apiError]).agentError).toBe('claude reported an error: API error 500: API Error: 500 oops');
    const maxTurns = json({ type: 'result', subtype: 'error_max_turns', is_error: false, errors: ['too many turns'] });
    expect(finishWith(claude, [maxTurns]).agentError).toMatch(/error_max_turns: too many turns/);
    expect(finishWith(claude, []).agentError).toBe('claude ended without a result event');
  });

  it('claude: structured_output wins; otherwise the result text is parsed (fenced JSON too)', () => {
    const structured = finishWith(claude, [json({ type: 'result', subtype: 'success', is_error: false, result: '', structured_output: { a: 1 } })]);
    expect(structured).toEqual({ rawText: '{"a":1}', value: { a: 1 } });
    const fenced = finishWith(claude, [json({ type: 'result', subtype: 'success', is_error: false, result: 'Sure:\n```json\n{"a":2}\n```' })]);
    expect(fenced.value).toEqual({ a: 2 });
    expect(fenced.rawText).toContain('```json');
  });

  it('gemini: only the last assistant turn is the answer; status error and exit codes are errors', () => {
    const msg = (content: string) => json({ type: 'message', role: 'assistant', content, delta: true });
    const ok = json({ type: 'result', status: 'success', stats: { total_tokens: 3, input_tokens: 2, output_tokens: 1 } });
    const lines = [msg('Let me look '), msg('{"draft":1}'), json({ type: 'tool_use', tool_name: 'ls', tool_id: 't' }), msg('{"fin'), msg('al":2}'), ok];
    expect(finishWith(gemini, lines)).toEqual({ rawText: '{"final":2}', value: { final: 2 } });
    const statusError = json({ type: 'result', status: 'error', error: { message: 'quota' } });
    expect(finishWith(gemini, [statusError]).agentError).toBe('gemini reported an error: quota');
    expect(finishWith(gemini, [], { exitCode: 53 }).agentError).toBe('gemini exited with code 53 (turn limit reached)');
    expect(finishWith(gemini, [], { exitCode: 41, stderrTail: 'Please log in\n' }).agentError).toBe('gemini exited with code 41 (authentication failed): Please log in');
  });
});

describe('codex adapter against the fake', SLOW, () => {
  it('answers in a git repo: session, progress, usage, -o byte for byte', async () => {
    const sb = sandbox({ git: true });
    fs.writeFileSync(path.join(sb.project, 'README.md'), 'x');
    const run = await runAgent('codex', sb, 'Fix the parser\n@fake followup=run the tests\n@fake write=src/a.ts:line1\\nline2\n');
    expect(run.proc.exitCode).toBe(0);
    expect(run.answer.agentError).toBeUndefined();
    expect(run.answer.value).toEqual({ goal_met: true, summary: 'codex turn 1: Fix the parser', followup_prompt: 'run the tests', notes: '' });
    expect(run.outputFileText).toBe(run.answer.rawText);
    expect(run.outputFileText?.endsWith('}')).toBe(true);
    expect(run.state.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(run.state.usage?.input_tokens).toBeGreaterThan(0);
    expect(kinds(run.progress)).toEqual(new Set(['session', 'reasoning', 'command', 'file', 'message', 'usage']));
    expect(run.progress).toContainEqual({ kind: 'file', text: `add ${path.join(sb.project, 'src/a.ts')}` });
    expect(run.progress).toContainEqual({ kind: 'command', text: "$ bash -lc 'ls' (exit 0)" });
    expect(fs.readFileSync(path.join(sb.project, 'src/a.ts'), 'utf8')).toBe('line1\nline2');
  });

  it('resumes by id, from another directory, with a running usage total', async () => {
    const sb = sandbox();
    const first = await runAgent('codex', sb, 'first task');
    expect(first.answer.agentError).toBeUndefined();
    const elsewhere = fs.mkdtempSync(path.join(sb.root, 'other-'));
    const second = await runAgent('codex', sb, 'second task', { cwd: elsewhere, isGitRepo: false, resumeSessionId: first.state.sessionId });
    expect(second.proc.exitCode).toBe(0);
    expect(second.state.sessionId).toBe(first.state.sessionId);
    expect(second.answer.value).toMatchObject({ summary: 'codex turn 2: second task' });
    expect(second.state.usage!.input_tokens!).toBeGreaterThan(first.state.usage!.input_tokens!);
    expect(second.state.usage!.output_tokens!).toBeGreaterThan(first.state.usage!.output_tokens!);
    const sessionFiles = fs.readdirSync(path.join(sb.home, '.codex', 'sessions'), { recursive: true }).map(String).filter((f) => f.endsWith('.jsonl'));
    expect(sessionFiles).toHaveLength(1);
  });

  it('http500: error + turn.failed, exit 1, -o created empty with a warning', async () => {
    const run = await runAgent('codex', sandbox(), 'go\n@fake http500');
    expect(run.proc.exitCode).toBe(1);
    expect(run.outputFileText).toBe('');
    expect(run.proc.stderr).toMatch(/Warning: no last agent message; wrote empty content to .*answer\.codex\.txt/);
    expect(run.answer.rawText).toBeNull();
    expect(run.answer.agentError).toMatch(/^codex exited with code 1: unexpected status 500/);
  });

  it('exit=N fails the turn with that code; plain and badjson answers reach the core as such', async () => {
    const sb = sandbox();
    const failed = await runAgent('codex', sb, '@fake exit=3\ngo');
    expect(failed.proc.exitCode).toBe(3);
    expect(failed.answer.agentError).toBe('codex exited with code 3: fake failure requested (exit 3)');
    const plain = await runAgent('codex', sb, 'go\n@fake plain');
    expect(plain.answer.value).toBeUndefined();
    expect(plain.answer.parseError).toMatch(/no JSON object/);
    const bad = await runAgent('codex', sb, 'go\n@fake badjson\n@fake goal_met=false');
    expect(bad.answer.value).toEqual({ goal_met: 'no', followup_prompt: '', notes: '' });
  });
});

describe('claude adapter against the fake', SLOW, () => {
  it('answers through structured_output with cost and usage', async () => {
    const sb = sandbox();
    const run = await runAgent('claude', sb, 'Review the diff\n@fake goal_met=false\n@fake notes=two issues', { model: 'opus' });
    expect(run.proc.exitCode).toBe(0);
    expect(run.answer).toEqual({
      rawText: json({ goal_met: false, summary: 'claude turn 1: Review the diff', followup_prompt: '', notes: 'two issues' }),
      value: { goal_met: false, summary: 'claude turn 1: Review the diff', followup_prompt: '', notes: 'two issues' },
    });
    expect(run.state.model).toBe('claude-opus-4-1-20250805');
    expect(run.state.costUsd).toBeGreaterThan(0);
    expect(run.state.usage?.output_tokens).toBeGreaterThan(0);
    expect(kinds(run.progress)).toEqual(new Set(['session', 'message', 'command', 'tool', 'result']));
  });

  it('resumes only from the same directory', async () => {
    const sb = sandbox();
    const first = await runAgent('claude', sb, 'first');
    const id = first.state.sessionId!;
    const second = await runAgent('claude', sb, 'second', { resumeSessionId: id });
    expect(second.state.sessionId).toBe(id);
    expect(second.answer.value).toMatchObject({ summary: 'claude turn 2: second' });
    const elsewhere = fs.mkdtempSync(path.join(sb.root, 'other-'));
    const lost = await runAgent('claude', sb, 'third', { cwd: elsewhere, resumeSessionId: id });
    expect(lost.proc.exitCode).toBe(1);
    expect(lost.answer.agentError).toBe(`claude exited with code 1: No conversation found with session ID: ${id}`);
  });

  it('http500: result subtype success with is_error, exit 1', async () => {
    const run = await runAgent('claude', sandbox(), 'go\n@fake http500');
    expect(run.proc.exitCode).toBe(1);
    const result = run.proc.stdout.trim().split('\n').map((l) => JSON.parse(l)).at(-1);
    expect(result).toMatchObject({ type: 'result', subtype: 'success', is_error: true, api_error_status: 500 });
    expect(run.answer.agentError).toMatch(/^claude exited with code 1: API error 500: API Error: 500/);
    expect(run.progress).toContainEqual({ kind: 'error', text: 'API retry 1/10 after HTTP 500' });
  });

  it('plain answers fall back to the result text; exit=N is error_during_execution', async () => {
    const sb = sandbox();
    const plain = await runAgent('claude', sb, 'go\n@fake plain');
    expect(plain.answer.rawText).toMatch(/^I went through the task/);
    expect(plain.answer.parseError).toBeDefined();
    const failed = await runAgent('claude', sb, 'go\n@fake exit=7');
    expect(failed.proc.exitCode).toBe(7);
    expect(failed.answer.agentError).toBe('claude exited with code 7: error_during_execution: fake failure requested (exit 7)');
  });
});

describe('gemini adapter against the fake', SLOW, () => {
  it('answers with fenced JSON in the last assistant turn', async () => {
    const sb = sandbox();
    const run = await runAgent('gemini', sb, 'Summarise the repo\n@fake summary=all good');
    expect(run.proc.exitCode).toBe(0);
    expect(run.answer.rawText).toMatch(/^```json\n\{/);
    expect(run.answer.value).toEqual({ goal_met: true, summary: 'all good', followup_prompt: '', notes: '' });
    expect(run.state.usage?.total_tokens).toBe(run.state.usage!.input_tokens! + run.state.usage!.output_tokens!);
    expect(run.state.model).toBe('auto');
    expect(run.progress).toContainEqual({ kind: 'message', text: "Turn 1: I'll check the project files first." });
    expect(run.progress).toContainEqual({ kind: 'tool', text: 'list_directory .' });
  });

  it('resumes a session; a session whose first turn failed cannot be resumed (42)', async () => {
    const sb = sandbox();
    const first = await runAgent('gemini', sb, 'one');
    const second = await runAgent('gemini', sb, 'two', { resumeSessionId: first.state.sessionId });
    expect(second.state.sessionId).toBe(first.state.sessionId);
    expect(second.answer.value).toMatchObject({ summary: 'gemini turn 2: two' });

    const broken = await runAgent('gemini', sb, 'go\n@fake http500');
    expect(broken.proc.exitCode).toBe(244);
    expect(broken.answer.agentError).toMatch(/^gemini exited with code 244: \[API Error: \{"error":\{"code":500/);
    const retry = await runAgent('gemini', sb, 'again', { resumeSessionId: broken.state.sessionId });
    expect(retry.proc.exitCode).toBe(42);
    expect(retry.answer.agentError).toMatch(/^gemini exited with code 42 \(bad input\): Error resuming session/);
  });

  it('maps documented exit codes', async () => {
    const run = await runAgent('gemini', sandbox(), 'go\n@fake exit=54');
    expect(run.proc.exitCode).toBe(54);
    expect(run.answer.agentError).toBe('gemini exited with code 54 (tool error): fake failure requested (exit 54)');
  });
});

describe('shell adapter', SLOW, () => {
  it('synthesises a passing answer from the exit code and output', async () => {
    const run = await runAgent('shell', sandbox(), '', { command: ['sh', '-c', 'echo building; echo all 12 passed'] });
    expect(run.progress).toEqual([{ kind: 'output', text: 'building' }, { kind: 'output', text: 'all 12 passed' }]);
    expect(run.answer.agentError).toBeUndefined();
    expect(run.answer.value).toEqual({
      goal_met: true,
      summary: "`sh -c 'echo building; echo all 12 passed'` exited with code 0: all 12 passed",
      followup_prompt: '',
      notes: 'stdout (last lines):\nbuilding\nall 12 passed',
    });
    expect(JSON.parse(run.answer.rawText!)).toEqual(run.answer.value);
  });

  it('a failing command is "goal not met", not an agent error', async () => {
    const run = await runAgent('shell', sandbox(), '', { command: ['sh', '-c', 'echo step1; echo boom >&2; exit 3'] });
    expect(run.answer.agentError).toBeUndefined();
    expect(run.answer.value).toMatchObject({ goal_met: false, summary: "`sh -c 'echo step1; echo boom >&2; exit 3'` exited with code 3: step1" });
    const value = run.answer.value as { followup_prompt: string; notes: string };
    expect(value.followup_prompt).toMatch(/exited with code 3\. Look at its failing output/);
    expect(value.notes).toContain('stderr (last lines):\nboom');
  });

  it('the result file is the answer; a broken one is a parse error', async () => {
    const sb = sandbox();
    const answer = { goal_met: true, summary: 'from script', followup_prompt: '', notes: '' };
    const good = await runAgent('shell', sb, '', { command: ['sh', '-c', `printf '%s' '${json(answer)}' > "$AGENTCTL_RESULT_FILE"; exit 1`] });
    expect(good.answer).toEqual({ rawText: json(answer), value: answer });
    const bad = await runAgent('shell', sb, '', { command: ['sh', '-c', 'echo not json > "$AGENTCTL_RESULT_FILE"'] });
    expect(bad.answer.rawText).toBe('not json\n');
    expect(bad.answer.parseError).toMatch(/no JSON object/);
  });

  it('gets the prompt on stdin and the run dir in its environment', async () => {
    const sb = sandbox();
    const run = await runAgent('shell', sb, 'context ✓\n', { command: ['sh', '-c', 'cat > "$AGENTCTL_RUN_DIR/got.txt"'] });
    expect(run.answer.value).toMatchObject({ goal_met: true });
    expect(fs.readFileSync(path.join(sb.runDir, 'got.txt'), 'utf8')).toBe('context ✓\n');
  });

  it('killed by a signal is an agent error', async () => {
    const run = await runAgent('shell', sandbox(), '', { command: ['sh', '-c', 'echo started; kill -TERM $$'] });
    expect(run.proc.signal).toBe('SIGTERM');
    expect(run.answer.agentError).toBe("`sh -c 'echo started; kill -TERM $$'` was killed by signal SIGTERM");
    expect(run.answer.value).toMatchObject({ goal_met: false });
  });
});

describe('fake CLIs: contract quirks', SLOW, () => {
  it('print their versions', async () => {
    const sb = sandbox();
    expect((await runFake('codex', ['--version'], sb)).stdout).toBe('codex-cli 0.171.0\n');
    expect((await runFake('claude', ['--version'], sb)).stdout).toBe('2.1.197 (Claude Code)\n');
    expect((await runFake('gemini', ['--version'], sb)).stdout).toBe('0.61.0\n');
  });

  it('reject unknown flags with each CLI\'s bad-argument exit code', async () => {
    const sb = sandbox({ git: true });
    const codex = await runFake('codex', ['exec', '--json', '--bogus', '-'], sb, { stdin: 'x' });
    expect([codex.exitCode, codex.stderr]).toEqual([2, expect.stringContaining("unexpected argument '--bogus' found")]);
    const claude = await runFake('claude', ['-p', '--bogus'], sb, { stdin: 'x' });
    expect([claude.exitCode, claude.stderr]).toEqual([1, "error: unknown option '--bogus'\n"]);
    const gemini = await runFake('gemini', ['-p', 'x', '--bogus'], sb, { env: { GEMINI_CLI_TRUST_WORKSPACE: 'true' } });
    expect([gemini.exitCode, gemini.stderr]).toEqual([1, expect.stringMatching(/^Unknown argument: bogus\nUsage: gemini /)]);
    const sandboxValue = await runFake('codex', ['exec', '-s', 'yolo', '-'], sb, { stdin: 'x' });
    expect(sandboxValue.exitCode).toBe(2);
  });

  it('codex needs a git repo unless --skip-git-repo-check', async () => {
    const sb = sandbox();
    const refused = await runFake('codex', ['exec', '--json', '-'], sb, { stdin: 'hi' });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('Not inside a trusted directory and --skip-git-repo-check was not specified.');
    expect(refused.stdout).toBe('');
    expect((await runFake('codex', ['exec', '--json', '--skip-git-repo-check', '-'], sb, { stdin: 'hi' })).exitCode).toBe(0);
    fs.mkdirSync(path.join(sb.project, 'sub'));
    execFileSync('git', ['init', '-q'], { cwd: sb.project });
    expect((await runFake('codex', ['exec', '--json', '-C', path.join(sb.project, 'sub'), '-'], sb, { stdin: 'hi' })).exitCode).toBe(0);
  });

  it('codex rejects -s after resume but takes it before, and repeats thread.started', async () => {
    const sb = sandbox();
    const first = await runFake('codex', ['exec', '--json', '--skip-git-repo-check', '-'], sb, { stdin: 'hi' });
    const id = JSON.parse(first.stdout.split('\n')[0]!).thread_id as string;
    const after = await runFake('codex', ['exec', '--json', '--skip-git-repo-check', 'resume', id, '-s', 'read-only', '-'], sb, { stdin: 'again' });
    expect(after.exitCode).toBe(2);
    expect(after.stderr).toContain("unexpected argument '-s' found");
    const before = await runFake('codex', ['exec', '--json', '-s', 'read-only', '--skip-git-repo-check', 'resume', id, '-'], sb, { stdin: 'again' });
    expect(before.exitCode).toBe(0);
    expect(JSON.parse(before.stdout.split('\n')[0]!)).toEqual({ type: 'thread.started', thread_id: id });
    const unknown = await runFake('codex', ['exec', '--json', '--skip-git-repo-check', 'resume', 'no-such-id', '-'], sb, { stdin: 'x' });
    expect(unknown.exitCode).toBe(1);
  });

  it('codex fails the turn when the output schema is not strict', async () => {
    const sb = sandbox();
    const loose = path.join(sb.runDir, 'loose.json');
    fs.writeFileSync(loose, json({ type: 'object', properties: { a: { type: 'string' } } }));
    const out = path.join(sb.runDir, 'o.txt');
    const run = await runFake('codex', ['exec', '--json', '--skip-git-repo-check', '--output-schema', loose, '-o', out, '-'], sb, { stdin: 'x' });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('"type":"turn.failed"');
    expect(run.stdout).toContain('additionalProperties');
    expect(fs.readFileSync(out, 'utf8')).toBe('');
  });

  it('claude stream-json needs --verbose', async () => {
    const run = await runFake('claude', ['-p', '--output-format', 'stream-json'], sandbox(), { stdin: 'hi' });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toBe('Error: When using --print, --output-format=stream-json requires --verbose\n');
    expect(run.stdout).toBe('');
  });

  it('claude emits system/init first and a result last', async () => {
    const run = await runFake('claude', ['-p', '--output-format', 'stream-json', '--verbose', 'positional prompt'], sandbox());
    const events = run.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(events[0]).toMatchObject({ type: 'system', subtype: 'init' });
    expect(events.at(-1)).toMatchObject({ type: 'result', subtype: 'success', is_error: false, result: expect.stringContaining('claude turn 1: positional prompt') });
    expect(events.some((e) => e.type === 'user' && e.message.content[0].type === 'tool_result')).toBe(true);
  });

  it.runIf(IS_ROOT)('claude refuses --dangerously-skip-permissions as root unless IS_SANDBOX=1', async () => {
    const sb = sandbox();
    const refused = await runFake('claude', ['-p', '--dangerously-skip-permissions'], sb, { stdin: 'hi' });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/cannot be used with root\/sudo privileges/);
    const allowed = await runFake('claude', ['-p', '--dangerously-skip-permissions'], sb, { stdin: 'hi', env: { IS_SANDBOX: '1' } });
    expect(allowed.exitCode).toBe(0);
  });

  it('gemini is fatal in an untrusted folder unless --skip-trust or GEMINI_CLI_TRUST_WORKSPACE=true', async () => {
    const sb = sandbox();
    const args = ['-p', 'hi', '-o', 'stream-json'];
    const refused = await runFake('gemini', args, sb);
    expect(refused.exitCode).toBe(55);
    expect(refused.stderr).toMatch(/not running in a trusted directory/);
    expect((await runFake('gemini', [...args, '--skip-trust'], sb)).exitCode).toBe(0);
    expect((await runFake('gemini', args, sb, { env: { GEMINI_CLI_TRUST_WORKSPACE: 'true' } })).exitCode).toBe(0);
    fs.mkdirSync(path.join(sb.home, '.gemini'), { recursive: true });
    fs.writeFileSync(path.join(sb.home, '.gemini', 'trustedFolders.json'), json({ [sb.project]: 'TRUST_FOLDER' }));
    expect((await runFake('gemini', args, sb)).exitCode).toBe(0);
  });

  it('gemini takes a separate value starting with - for an option, so such a prompt needs --prompt=', async () => {
    const sb = sandbox();
    const env = { GEMINI_CLI_TRUST_WORKSPACE: 'true' };
    const starved = await runFake('gemini', ['-p', '---\nrules', '-o', 'stream-json'], sb, { env });
    expect([starved.exitCode, starved.stderr, starved.stdout]).toEqual([1, expect.stringMatching(/^Not enough arguments following: p\nUsage: gemini /), '']);
    const joined = await runFake('gemini', ['--prompt=---\nrules', '-o', 'stream-json'], sb, { env });
    expect(joined.exitCode).toBe(0);
  });

  it('gemini events carry ISO timestamps; piped stdin comes before the -p text', async () => {
    const sb = sandbox();
    const echo = path.join(sb.runDir, 'echo.txt');
    const run = await runFake('gemini', ['-p', 'from flag', '-o', 'stream-json', '--skip-trust'], sb, { stdin: `from stdin\n@fake echo-prompt=${echo}` });
    expect(run.exitCode).toBe(0);
    for (const line of run.stdout.trim().split('\n')) {
      const event = JSON.parse(line);
      expect(new Date(event.timestamp).toISOString()).toBe(event.timestamp);
    }
    expect(fs.readFileSync(echo, 'utf8')).toBe(`from stdin\n@fake echo-prompt=${echo}\n\nfrom flag`);
  });

  it('claude exits 143 on SIGTERM', async () => {
    const sb = sandbox();
    const child = spawn(path.join(FAKES, 'claude'), ['-p', '--output-format', 'stream-json', '--verbose'], { cwd: sb.project, env: sb.env });
    child.stdin.end('wait\n@fake hang');
    await firstLine(child.stdout);
    child.kill('SIGTERM');
    const [code, signal] = await exited(child);
    expect([code, signal]).toEqual([143, null]);
  });

  it('a process tree ignoring SIGTERM needs SIGKILL to the group, which takes the grandchild too', async () => {
    for (const name of ['codex', 'claude', 'gemini'] as const) {
      const sb = sandbox();
      const pidFile = path.join(sb.runDir, 'child.pid');
      const prompt = `hold on\n@fake hang\n@fake ignore-sigterm\n@fake child-pid=${pidFile}`;
      const args = { codex: ['exec', '--json', '--skip-git-repo-check', '-'], claude: ['-p', '--output-format', 'stream-json', '--verbose'], gemini: ['-p', prompt, '-o', 'stream-json', '--skip-trust'] }[name];
      const child = spawn(path.join(FAKES, name), args, { cwd: sb.project, env: sb.env, detached: true });
      child.stdin.end(name === 'gemini' ? '' : prompt);
      await firstLine(child.stdout);
      const grandchild = Number(fs.readFileSync(pidFile, 'utf8'));
      expect(alive(grandchild)).toBe(true);
      process.kill(-child.pid!, 'SIGTERM');
      await new Promise((r) => setTimeout(r, 300));
      expect(child.exitCode).toBeNull();
      expect(child.signalCode).toBeNull();
      process.kill(-child.pid!, 'SIGKILL');
      expect(await exited(child)).toEqual([null, 'SIGKILL']);
      await waitUntil(() => !alive(grandchild));
    }
  });
});

describe('fake directives', SLOW, () => {
  it('echo-prompt writes the prompt bytes exactly as received', async () => {
    const sb = sandbox();
    for (const name of ['codex', 'claude', 'gemini'] as const) {
      const echo = path.join(sb.runDir, `${name}.echo`);
      const prompt = `  Ünïcødé ✓ first line  \n@fake echo-prompt=${echo}\r\n\ttabs and trailing newlines\n\n`;
      const run = await runAgent(name, sb, prompt);
      expect(run.answer.agentError).toBeUndefined();
      // gemini puts piped stdin before the -p text, as the real CLI does
      const expected = name === 'gemini' ? `${prompt}\n\n${geminiInstruction(SCHEMA)}` : prompt;
      expect(fs.readFileSync(echo)).toEqual(Buffer.from(expected));
      expect(run.answer.value).toMatchObject({ summary: `${name} turn 1: Ünïcødé ✓ first line` });
    }
  });

  it('default summary uses the first non-directive line, cut to 60 characters', async () => {
    const long = 'A'.repeat(50) + ' and then some more words';
    const run = await runAgent('codex', sandbox(), `@fake notes=n\n\n${long}\nsecond line`);
    expect(run.answer.value).toEqual({ goal_met: true, summary: `codex turn 1: ${long.slice(0, 60)}`, followup_prompt: '', notes: 'n' });
  });

  it('env=VAR appends the variable as the agent saw it', async () => {
    const run = await runAgent('claude', sandbox(), 'x\n@fake summary=s\n@fake env=FOO\n@fake env=MISSING_VAR', {}, { FOO: 'bar baz' });
    expect(run.answer.value).toMatchObject({ summary: 's env:FOO=bar baz env:MISSING_VAR=(unset)' });
  });

  it('sleep delays the answer after some progress', async () => {
    const started = Date.now();
    const run = await runAgent('gemini', sandbox(), 'x\n@fake sleep=0.4');
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(run.answer.value).toMatchObject({ goal_met: true });
  });

  it('an unknown or malformed directive fails loudly', async () => {
    const sb = sandbox();
    const typo = await runAgent('codex', sb, 'x\n@fake goal-met=false');
    expect(typo.proc.exitCode).toBe(1);
    expect(typo.proc.stderr).toContain('unknown directive @fake goal-met');
    const bad = await runAgent('claude', sb, 'x\n@fake goal_met=nope');
    expect(bad.proc.stderr).toContain('goal_met must be true or false');
  });
});

function firstLine(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (chunk: Buffer) => {
      buf += chunk.toString();
      const nl = buf.indexOf('\n');
      if (nl !== -1) {
        stream.off('data', onData);
        resolve(buf.slice(0, nl));
      }
    };
    stream.on('data', onData);
    stream.once('end', () => reject(new Error(`stream ended before a line: ${buf}`)));
  });
}

function exited(child: ReturnType<typeof spawn>): Promise<[number | null, string | null]> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve([child.exitCode, child.signalCode]);
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve([code, signal])));
}

/** Alive and not a zombie (an orphan may wait for a reaper that a container's init never runs). */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function waitUntil(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}
