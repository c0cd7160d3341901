// The scripted model server the real agent CLIs are recorded against (test/golden/record.mjs) and
// that tests of interactive agents reuse: each wire format as a client reads it, rule matching,
// and the records a test checks afterwards.
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type ModelServer, type Reply, startModelServer } from '../helpers/model-server.mjs';

let server: ModelServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(...rules: Parameters<ModelServer['addRules']>) {
  server = await startModelServer();
  server.addRules(...rules);
  return server;
}

async function post(path: string, body: unknown) {
  const res = await fetch(`${server!.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

/** Server-sent events as [event name, parsed data]; Gemini's have no name. */
function sse(text: string): [string, any][] {
  return text.split(/\r?\n\r?\n/).filter((block) => block.trim() !== '').map((block) => {
    const event = /^event: (.*)$/m.exec(block)?.[1] ?? '';
    const data = /^data: (.*)$/m.exec(block)?.[1] ?? 'null';
    return [event, JSON.parse(data)];
  });
}

const REPLY: Reply = { text: 'Hello there, world', toolCalls: [{ name: 'run', arguments: { cmd: 'ls -la' } }], usage: { input: 10, output: 5, cached: 4, reasoning: 2 } };

describe('model server: wire formats', () => {
  it('OpenAI Responses: output items, text deltas that add up, usage in response.completed', async () => {
    await serve({ reply: REPLY });
    const res = await post('/v1/responses', { model: 'gpt-5.5', stream: true, input: [{ role: 'user', content: [{ type: 'input_text', text: 'hi' }] }] });
    expect([res.status, res.type]).toEqual([200, 'text/event-stream']);
    const events = sse(res.text);
    expect(events.every(([name, data]) => name === data.type)).toBe(true);
    expect(events[0]![0]).toBe('response.created');
    const text = events.filter(([n]) => n === 'response.output_text.delta').map(([, d]) => d.delta).join('');
    expect(text).toBe('Hello there, world');
    const completed = events.at(-1)![1];
    expect(completed.type).toBe('response.completed');
    expect(completed.response.output.map((i: any) => i.type)).toEqual(['message', 'function_call']);
    expect(JSON.parse(completed.response.output[1].arguments)).toEqual({ cmd: 'ls -la' });
    expect(completed.response.usage).toEqual({
      input_tokens: 10, input_tokens_details: { cached_tokens: 4 }, output_tokens: 5, output_tokens_details: { reasoning_tokens: 2 }, total_tokens: 15,
    });
    expect(server!.requests[0]).toMatchObject({ api: 'openai', kind: 'model', model: 'gpt-5.5', stream: true, prompt: 'hi', reply: REPLY });
  });

  it('Anthropic Messages: content blocks whose deltas rebuild the text and the tool input', async () => {
    await serve({ reply: REPLY }, { reply: { text: 'plain' } });
    const res = await post('/v1/messages?beta=true', { model: 'claude-x', stream: true, messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'a' }, { role: 'user', content: [{ type: 'text', text: 'again' }] }] });
    const events = sse(res.text);
    expect(events.map(([n]) => n)).toEqual([
      'message_start', 'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_delta', 'content_block_stop',
      'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop',
    ]);
    const deltas = (index: number, key: string) => events.filter(([n, d]) => n === 'content_block_delta' && d.index === index).map(([, d]) => d.delta[key]).join('');
    expect(deltas(0, 'text')).toBe('Hello there, world');
    expect(JSON.parse(deltas(1, 'partial_json'))).toEqual({ cmd: 'ls -la' });
    expect(events[6]![1].content_block).toMatchObject({ type: 'tool_use', name: 'run', input: {} });
    expect(events.at(-2)![1]).toMatchObject({ delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 5 } });
    expect(server!.requests[0]!.query).toEqual({ beta: 'true' });
    expect(server!.requests[0]!.prompt).toBe('again');

    const whole = JSON.parse((await post('/v1/messages', { model: 'claude-x', messages: [{ role: 'user', content: 'x' }] })).text);
    expect(whole).toMatchObject({ type: 'message', role: 'assistant', content: [{ type: 'text', text: 'plain' }], stop_reason: 'end_turn' });
  });

  it('Gemini: streamed chunks whose parts rebuild the text, a function call, usage metadata', async () => {
    await serve({ reply: REPLY }, { reply: { text: '{"a":1}' } });
    const res = await post('/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse', { contents: [{ role: 'user', parts: [{ text: 'one ' }, { text: 'two' }] }] });
    const chunks = sse(res.text).map(([, d]) => d);
    const parts = chunks.flatMap((c) => c.candidates[0].content.parts);
    expect(parts.filter((p) => p.text !== undefined).map((p) => p.text).join('')).toBe('Hello there, world');
    expect(parts.filter((p) => p.functionCall)).toEqual([{ functionCall: { name: 'run', args: { cmd: 'ls -la' } } }]);
    expect(chunks.at(-1)).toMatchObject({ candidates: [{ finishReason: 'STOP' }], usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15 }, modelVersion: 'gemini-2.5-pro' });
    expect(server!.requests[0]).toMatchObject({ api: 'gemini', model: 'gemini-2.5-pro', stream: true, prompt: 'one two' });

    const whole = JSON.parse((await post('/v1beta/models/gemini-flash:generateContent', { contents: [] })).text);
    expect(whole.candidates[0].content.parts).toEqual([{ text: '{"a":1}' }]);
  });

  it('HTTP errors in each API\'s own error shape; token counting needs no rule', async () => {
    await serve({ times: 3, reply: { status: 500, error: 'down' } });
    const openai = await post('/v1/responses', { stream: true });
    expect([openai.status, JSON.parse(openai.text)]).toEqual([500, { error: { message: 'down', type: 'server_error', param: null, code: null } }]);
    expect(JSON.parse((await post('/v1/messages', {})).text)).toEqual({ type: 'error', error: { type: 'api_error', message: 'down' } });
    expect(JSON.parse((await post('/v1beta/models/m:generateContent', {})).text)).toEqual({ error: { code: 500, message: 'down', status: 'INTERNAL' } });
    expect(JSON.parse((await post('/v1/messages/count_tokens', { messages: [] })).text)).toEqual({ input_tokens: expect.any(Number) });
    expect(JSON.parse((await post('/v1beta/models/m:countTokens', {})).text)).toEqual({ totalTokens: expect.any(Number) });
    expect(server!.pendingRules()).toEqual([]);
  });
});

describe('model server: rules and records', () => {
  it('answers with the first matching rule that is not used up, in order, per API and predicate', async () => {
    await serve(
      { api: 'anthropic', when: (r) => r.prompt.includes('title'), times: Infinity, reply: { text: 'A title' } },
      { api: 'anthropic', reply: { text: 'first' } },
      { reply: (r) => ({ text: `echo ${r.prompt}` }) },
    );
    const say = async (text: string) => JSON.parse((await post('/v1/messages', { messages: [{ role: 'user', content: text }] })).text).content[0].text;
    expect(await say('make a title')).toBe('A title');
    expect(await say('task')).toBe('first');
    expect(await say('make a title')).toBe('A title');
    expect(await say('more')).toBe('echo more');
    expect(server!.pendingRules()).toEqual([]);
    const unmatched = await post('/v1/messages', { messages: [{ role: 'user', content: 'one too many' }] });
    expect(unmatched.status).toBe(500);
    expect(unmatched.text).toContain('no scripted reply for request 5');
    expect(server!.unmatched.map((r) => r.prompt)).toEqual(['one too many']);
    expect(server!.modelRequests('anthropic')).toHaveLength(5);
    expect(server!.modelRequests('openai')).toHaveLength(0);
  });

  it('holds a reply for as long as the test wants (a promise)', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await serve({ reply: async () => { await held; return { text: 'late' }; } });
    let done = false;
    const pending = post('/v1/responses', {}).then((r) => { done = true; return r; });
    await waitFor(() => server!.requests.length === 1);
    expect(done).toBe(false);
    release();
    expect(JSON.parse((await pending).text).output[0].content[0].text).toBe('late');
  });

  it('records unknown paths and refuses to be a proxy, so an escape attempt is visible', async () => {
    await serve();
    expect((await fetch(`${server!.url}/v1/models`)).status).toBe(404);
    expect(server!.requests[0]).toMatchObject({ kind: 'other', path: '/v1/models', api: undefined });

    const connect = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(server!.port, '127.0.0.1', () => socket.write('CONNECT example.com:443 HTTP/1.1\r\nhost: example.com:443\r\n\r\n'));
      let got = '';
      socket.on('data', (c) => (got += c.toString()));
      socket.on('close', () => resolve(got));
      socket.on('error', reject);
    });
    expect(connect).toMatch(/^HTTP\/1\.1 403/);
    const absolute = await new Promise<number>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: server!.port, path: 'http://example.com/x' }, (res) => { res.resume(); resolve(res.statusCode!); }).on('error', reject);
    });
    expect(absolute).toBe(403);
    expect(server!.proxyAttempts).toEqual([{ method: 'CONNECT', target: 'example.com:443' }, { method: 'GET', target: 'http://example.com/x' }]);
  });
});

async function waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
