// The adapters against recordings of the REAL agent CLIs (test/golden/<agent>/<case>.jsonl, made
// offline by test/golden/record.mjs): session ids, answers, usage and cost, and failures, read
// exactly as the supervisor reads them. Also: every field of every recorded event replaced by a
// value of the wrong type must not make a parser throw.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { claude } from '../../src/agents/claude.js';
import { codex } from '../../src/agents/codex.js';
import type { AdapterDefinition } from '../../src/agents/define.js';
import { gemini } from '../../src/agents/gemini.js';
import { getAdapter } from '../../src/agents/index.js';
import type { AgentState, InvocationContext } from '../../src/agents/types.js';

const GOLDEN = fileURLToPath(new URL('../golden', import.meta.url));
const DOC = fileURLToPath(new URL('../../docs/agent-clis.md', import.meta.url));
const ANSWER = { goal_met: true, summary: 'The project holds README.md only.', followup_prompt: '', notes: 'recorded offline' };
const SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['goal_met', 'summary', 'followup_prompt', 'notes'],
  properties: { goal_met: { type: 'boolean' }, summary: { type: 'string' }, followup_prompt: { type: 'string' }, notes: { type: 'string' } },
};

type Agent = 'codex' | 'claude' | 'gemini';

interface Meta {
  agent: Agent;
  version: string;
  case: string;
  argv: string[];
  stdin: string | null;
  env: string[];
  resumed?: string;
  exitCode: number | null;
  signal: string | null;
  outputFile: string | null;
  stderr: string;
}

function cases(): { agent: Agent; name: string }[] {
  return (['codex', 'claude', 'gemini'] as const).flatMap((agent) => fs.readdirSync(path.join(GOLDEN, agent))
    .filter((f) => f.endsWith('.jsonl')).sort().map((f) => ({ agent, name: f.slice(0, -'.jsonl'.length) })));
}

function load(agent: Agent, name: string) {
  const stdout = fs.readFileSync(path.join(GOLDEN, agent, `${name}.jsonl`), 'utf8');
  const meta = JSON.parse(fs.readFileSync(path.join(GOLDEN, agent, `${name}.meta.json`), 'utf8')) as Meta;
  const events = stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>);
  return { stdout, meta, events };
}

/** The context record.mjs builds its invocations from, with its placeholders for paths. */
function contextOf(meta: Meta): InvocationContext {
  const model = meta.argv.includes('-m') ? meta.argv[meta.argv.indexOf('-m') + 1] : undefined;
  return {
    prompt: meta.stdin ?? '', cwd: '<project>', runDir: '<run>', schema: SCHEMA, schemaPath: '<run>/schema.json',
    model, profile: {}, isGitRepo: true, resumeSessionId: meta.resumed,
  };
}

/** What the supervisor does with a finished agent's output. */
function replay(agent: Agent, name: string) {
  const { stdout, meta, events } = load(agent, name);
  const adapter = getAdapter(agent);
  const invocation = adapter.buildInvocation(contextOf(meta));
  const reader = adapter.newReader();
  const progress = stdout.split('\n').filter(Boolean).flatMap((line) => reader.onLine(line));
  const answer = reader.finish({
    invocation, exitCode: meta.exitCode, signal: meta.signal, outputFileText: meta.outputFile,
    stderrTail: meta.stderr, stdoutTail: stdout.slice(-4096),
  });
  return { meta, events, state: reader.state, progress, answer, invocation };
}

describe('golden recordings: what they are', () => {
  it('cover the cases the adapters must handle', () => {
    expect(cases().map((c) => `${c.agent}/${c.name}`)).toEqual([
      'codex/answer', 'codex/http-500', 'codex/resume',
      'claude/answer', 'claude/api-error-500', 'claude/schema-ignored',
      'gemini/answer', 'gemini/api-error-500',
    ]);
  });

  it.each(cases())('$agent/$name was recorded with the argv, stdin and environment the adapter builds today', ({ agent, name }) => {
    const { meta, invocation } = replay(agent, name);
    expect(meta.argv).toEqual(invocation.args);
    expect(meta.stdin).toBe(invocation.stdin);
    expect(meta.env).toEqual(Object.keys(invocation.env ?? {}));
  });

  it('name one version per CLI, stated in docs/agent-clis.md and in the directory README', () => {
    const doc = fs.readFileSync(DOC, 'utf8');
    for (const agent of ['codex', 'claude', 'gemini'] as const) {
      const versions = new Set(cases().filter((c) => c.agent === agent).map((c) => load(agent, c.name).meta.version));
      expect(versions.size).toBe(1);
      const [version] = [...versions] as [string];
      expect(doc).toContain(version);
      expect(fs.readFileSync(path.join(GOLDEN, agent, 'README.md'), 'utf8')).toContain(version);
    }
  });
});

describe('golden recordings: codex exec --json', () => {
  it('answer: session, command progress, the -o file as the answer, usage', () => {
    const run = replay('codex', 'answer');
    expect(run.state.sessionId).toBe(run.events[0]!.thread_id);
    expect(run.answer).toEqual({ rawText: run.meta.outputFile, value: ANSWER });
    expect(run.state.usage).toEqual(run.events.at(-1)!.usage);
    expect(run.state.usage).toMatchObject({ input_tokens: 3900, cached_input_tokens: 1800, output_tokens: 52, reasoning_output_tokens: 16 });
    expect(run.progress).toContainEqual({ kind: 'command', text: '$ /bin/bash -lc ls (exit 0)' });
    expect(run.progress).toContainEqual({ kind: 'usage', text: 'tokens: 3900 in (1800 cached), 52 out' });
  });

  it('answer: without the -o file, the last agent_message is the same answer', () => {
    const { meta, stdout } = load('codex', 'answer');
    const state = codex.newState();
    for (const line of stdout.split('\n')) codex.onLine(line, state);
    const input = { invocation: { file: 'codex', args: meta.argv, stdin: meta.stdin }, exitCode: 0, signal: null, outputFileText: null, stderrTail: '', stdoutTail: '' };
    expect(codex.finish(state, input).value).toEqual(ANSWER);
  });

  it('resume: the same thread id comes back and usage is the thread\'s running total', () => {
    const run = replay('codex', 'resume');
    expect(run.state.sessionId).toBe(run.meta.resumed);
    expect(run.answer.value).toEqual({ ...ANSWER, summary: 'second turn' });
    expect(run.state.usage).toMatchObject({ input_tokens: 1500 + 1700, output_tokens: 30 + 35 });
  });

  it('http-500: turn.failed and exit 1 make an agent error; the empty -o file is no answer', () => {
    const run = replay('codex', 'http-500');
    expect(run.meta.outputFile).toBe('');
    expect(run.state.sessionId).toBe(run.events[0]!.thread_id);
    expect(run.answer.rawText).toBeNull();
    expect(run.answer.agentError).toBe(`codex exited with code 1: ${run.events.at(-1)!.error.message}`);
    expect(run.progress.filter((p) => p.kind === 'error')).toHaveLength(2);
  });
});

describe('golden recordings: claude -p stream-json', () => {
  it('answer: structured_output is the answer; session, model, cost and usage from the stream', () => {
    const run = replay('claude', 'answer');
    const result = run.events.at(-1)!;
    expect(run.state.sessionId).toBe(run.events[0]!.session_id);
    expect(run.state.model).toBe(run.events[0]!.model);
    expect(run.answer).toEqual({ rawText: JSON.stringify(ANSWER), value: ANSWER });
    expect(run.state.costUsd).toBe(result.total_cost_usd);
    expect(run.state.costUsd).toBeGreaterThan(0);
    expect(run.state.usage).toEqual({ input_tokens: 5000, cached_input_tokens: 2400, cache_write_input_tokens: 0, output_tokens: 65 });
    expect(run.progress).toContainEqual({ kind: 'command', text: '$ ls' });
    expect(run.progress.at(-1)).toMatchObject({ kind: 'result', text: expect.stringMatching(/^done \(success\) .*3 turns, \$0\.0218$/) });
  });

  it('schema-ignored: no structured_output, so the JSON in the result text is the answer', () => {
    const run = replay('claude', 'schema-ignored');
    expect(run.events.at(-1)).not.toHaveProperty('structured_output');
    expect(run.answer).toEqual({ rawText: JSON.stringify(ANSWER), value: ANSWER });
  });

  it('api-error-500: subtype success with is_error and exit 1 is an agent error naming the status', () => {
    const run = replay('claude', 'api-error-500');
    expect(run.events.at(-1)).toMatchObject({ type: 'result', subtype: 'success', is_error: true, api_error_status: 500 });
    expect(run.answer.agentError).toMatch(/^claude exited with code 1: API error 500: API Error: 500 Internal server error\./);
    expect(run.answer.value).toBeUndefined();
    expect(run.state.sessionId).toBe(run.events[0]!.session_id);
  });
});

describe('golden recordings: gemini -p stream-json', () => {
  it('answer: the fenced JSON of the last assistant turn, tool progress, usage', () => {
    const run = replay('gemini', 'answer');
    expect(run.state.sessionId).toBe(run.events[0]!.session_id);
    expect(run.state.model).toBe('gemini-2.5-pro');
    expect(run.answer.rawText).toMatch(/^```json\n/);
    expect(run.answer.value).toEqual(ANSWER);
    expect(run.state.usage).toEqual({ total_tokens: 15852, input_tokens: 15800, output_tokens: 52, cached_input_tokens: 7800 });
    expect(run.progress).toContainEqual({ kind: 'tool', text: 'list_directory .' });
    // the instruction travels after the user's prompt, in the same user message
    expect(run.events[1]).toMatchObject({ type: 'message', role: 'user', content: expect.stringMatching(/^List the files[\s\S]*\n---\nWhen you are done/) });
  });

  it('api-error-500: exit 244 (the HTTP status mod 256) and the result error make an agent error', () => {
    const run = replay('gemini', 'api-error-500');
    expect(run.meta.exitCode).toBe(244);
    expect(run.answer.agentError).toBe(`gemini exited with code 244: ${run.events.at(-1)!.error.message}`);
    expect(run.answer.agentError).toContain('"code":500');
  });
});

describe('golden recordings: a field of the wrong type never makes a parser throw', () => {
  const WRONG: unknown[] = [null, 0, -1, '', 'x', true, [], [null], {}, { type: 7 }];

  function mutants(event: Record<string, unknown>): unknown[] {
    const out: unknown[] = [];
    const walk = (node: unknown, replace: (v: unknown) => unknown) => {
      if (node === null || typeof node !== 'object') return;
      for (const key of Object.keys(node)) {
        const child = (node as Record<string, unknown>)[key];
        for (const wrong of WRONG) out.push(replace(Array.isArray(node) ? node.map((v, i) => (String(i) === key ? wrong : v)) : { ...node, [key]: wrong }));
        walk(child, (v) => replace(Array.isArray(node) ? node.map((c, i) => (String(i) === key ? v : c)) : { ...node, [key]: v }));
      }
    };
    walk(event, (v) => v);
    return out;
  }

  function survives<S extends AgentState>(agent: Agent, def: AdapterDefinition<S>) {
    it(agent, () => {
      for (const c of cases().filter((x) => x.agent === agent)) {
        const { events, meta } = load(agent, c.name);
        const invocation = { file: agent, args: meta.argv, stdin: meta.stdin };
        for (const event of events) {
          const state = def.newState();
          for (const mutant of mutants(event)) def.onLine(JSON.stringify(mutant), state);
          def.finish(state, { invocation, exitCode: meta.exitCode, signal: null, outputFileText: null, stderrTail: '', stdoutTail: '' });
        }
      }
    });
  }
  survives('codex', codex);
  survives('claude', claude);
  survives('gemini', gemini);
});
