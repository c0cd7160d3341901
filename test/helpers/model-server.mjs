// A scripted model server on 127.0.0.1 that real agent CLIs can finish turns against, offline.
// It speaks the three wire formats the CLIs use (docs/agent-clis.md, "Running the real CLIs
// offline"): OpenAI Responses (codex), Anthropic Messages (claude) and the Gemini API (gemini),
// each streamed as server-sent events. Replies are scripted per request with rules; every request
// is recorded, and so is any attempt to go through it as a proxy (CONNECT or an absolute URL), so a
// CLI that tries to reach the outside shows up in `proxyAttempts` instead of hanging.
// Plain JavaScript so the golden-file recorder runs it with node alone; types in model-server.d.ts.
import { randomBytes } from 'node:crypto';
import http from 'node:http';

/**
 * Starts the server. rules: see addRules. Resolves once it listens on 127.0.0.1 (port 0 picks a
 * free port).
 */
export async function startModelServer({ rules = [], port = 0 } = {}) {
  const state = { rules: [], requests: [], unmatched: [], proxyAttempts: [] };
  const server = http.createServer((req, res) => {
    handle(state, req, res).catch((err) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`model server failed: ${err && err.stack ? err.stack : err}`);
    });
  });
  server.on('connect', (req, socket) => {
    state.proxyAttempts.push({ method: 'CONNECT', target: req.url ?? '' });
    socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n');
  });
  // Streaming responses keep sockets open; close() must not wait for clients' keep-alive.
  const sockets = new Set();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const actual = server.address().port;
  const api = {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    requests: state.requests,
    unmatched: state.unmatched,
    proxyAttempts: state.proxyAttempts,
    addRules(...more) {
      for (const rule of more.flat()) state.rules.push({ times: 1, ...rule, used: 0 });
    },
    /** Rules not used up yet (a rule with `times: Infinity` never is): replies the CLI never asked for. */
    pendingRules() {
      return state.rules.filter((r) => r.times !== Infinity && r.used < r.times);
    },
    /** Model requests (not token counts or unknown paths) of one API, in arrival order. */
    modelRequests(which) {
      return state.requests.filter((r) => r.kind === 'model' && (!which || r.api === which));
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  api.addRules(rules);
  return api;
}

async function handle(state, req, res) {
  if (/^[a-z]+:\/\//i.test(req.url ?? '')) {
    state.proxyAttempts.push({ method: req.method ?? '', target: req.url ?? '' });
    res.writeHead(403, { 'content-length': '0' });
    return res.end();
  }
  const raw = await readBody(req);
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  let body;
  try {
    body = raw.length ? JSON.parse(raw) : undefined;
  } catch {
    body = raw;
  }
  const route = routeOf(req.method ?? 'GET', url.pathname);
  const record = {
    api: route.api,
    kind: route.kind,
    method: req.method ?? 'GET',
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: req.headers,
    body,
    model: route.model ?? (typeof body?.model === 'string' ? body.model : undefined),
    stream: route.api === 'gemini' ? route.stream : body?.stream === true,
    prompt: route.api ? lastUserText(route.api, body) : '',
    at: Date.now(),
  };
  state.requests.push(record);

  if (route.kind === 'count') return countTokens(route.api, record, res);
  if (route.kind !== 'model') return sendJson(res, 404, { error: { message: `model server: no route for ${record.method} ${record.path}` } });

  const rule = state.rules.find((r) => r.used < r.times && (!r.api || r.api === record.api) && (!r.when || r.when(record)));
  if (!rule) {
    state.unmatched.push(record);
    return sendJson(res, 500, errorBody(record.api, 500, `model server: no scripted reply for request ${state.requests.length} (${record.api})`));
  }
  rule.used++;
  const reply = typeof rule.reply === 'function' ? await rule.reply(record) : rule.reply;
  record.reply = reply;
  if (reply.status !== undefined && reply.status >= 400) {
    return sendJson(res, reply.status, reply.errorBody ?? errorBody(record.api, reply.status, reply.error ?? 'scripted failure'));
  }
  const model = reply.model ?? record.model ?? 'scripted-model';
  const rendered = WIRE[record.api];
  if (!record.stream) return sendJson(res, 200, rendered.whole(reply, model, record));
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  for (const [event, data] of rendered.events(reply, model, record)) {
    res.write(record.api === 'gemini' ? `data: ${JSON.stringify(data)}\r\n\r\n` : `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }
  res.end();
}

function routeOf(method, pathname) {
  if (method !== 'POST') return { kind: 'other' };
  if (/\/messages\/count_tokens$/.test(pathname)) return { api: 'anthropic', kind: 'count' };
  if (/\/messages$/.test(pathname)) return { api: 'anthropic', kind: 'model' };
  if (/\/responses$/.test(pathname)) return { api: 'openai', kind: 'model' };
  const gemini = /\/models\/([^/:]+):(streamGenerateContent|generateContent|countTokens)$/.exec(pathname);
  if (gemini) {
    const kind = gemini[2] === 'countTokens' ? 'count' : 'model';
    return { api: 'gemini', kind, model: decodeURIComponent(gemini[1]), stream: gemini[2] === 'streamGenerateContent' };
  }
  return { kind: 'other' };
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function errorBody(api, status, message) {
  if (api === 'anthropic') return { type: 'error', error: { type: status >= 500 ? 'api_error' : 'invalid_request_error', message } };
  if (api === 'gemini') return { error: { code: status, message, status: status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT' } };
  return { error: { message, type: status >= 500 ? 'server_error' : 'invalid_request_error', param: null, code: null } };
}

function countTokens(api, record, res) {
  const tokens = estimateTokens(JSON.stringify(record.body ?? ''));
  return sendJson(res, 200, api === 'gemini' ? { totalTokens: tokens } : { input_tokens: tokens });
}

const estimateTokens = (text) => Math.max(1, Math.ceil(text.length / 4));
const id = (prefix) => `${prefix}_${randomBytes(8).toString('hex')}`;

/** Token counts: the scripted ones, else estimates from the request and the reply text. */
function usageOf(reply, record) {
  const u = reply.usage ?? {};
  return {
    input: u.input ?? estimateTokens(JSON.stringify(record.body ?? '')),
    output: u.output ?? estimateTokens(`${reply.text ?? ''}${JSON.stringify(reply.toolCalls ?? [])}`),
    cached: u.cached ?? 0,
    reasoning: u.reasoning ?? 0,
  };
}

/** The text of the last user turn of a request, whatever its API: handy for rules' `when`. */
export function lastUserText(api, body) {
  const flatten = (content) => {
    if (typeof content === 'string') return content;
    if (!Array.isArray(content)) return '';
    return content.map((p) => (typeof p === 'string' ? p : p?.text ?? (typeof p?.content === 'string' ? p.content : ''))).join('');
  };
  if (api === 'anthropic') {
    const user = (body?.messages ?? []).filter((m) => m.role === 'user').at(-1);
    return flatten(user?.content);
  }
  if (api === 'openai') {
    const input = body?.input;
    if (typeof input === 'string') return input;
    const user = (Array.isArray(input) ? input : []).filter((m) => m.role === 'user').at(-1);
    return flatten(user?.content);
  }
  if (api === 'gemini') {
    const user = (body?.contents ?? []).filter((c) => c.role === 'user').at(-1);
    return (user?.parts ?? []).map((p) => p.text ?? '').join('');
  }
  return '';
}

// One renderer per wire format: events(reply) for a streamed request, whole(reply) otherwise.
const WIRE = {
  openai: {
    events(reply, model, record) {
      const resp = { id: id('resp'), object: 'response', created_at: Math.floor(Date.now() / 1000), model, status: 'in_progress', output: [] };
      const events = [['response.created', { type: 'response.created', response: resp }]];
      const output = [];
      const add = (item, deltas) => {
        const index = output.length;
        events.push(['response.output_item.added', { type: 'response.output_item.added', output_index: index, item: { ...item, status: 'in_progress' } }]);
        events.push(...deltas(index));
        output.push(item);
        events.push(['response.output_item.done', { type: 'response.output_item.done', output_index: index, item }]);
      };
      if (reply.text !== undefined) {
        const text = reply.text;
        const item = { id: id('msg'), type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text, annotations: [] }] };
        add(item, (index) => [
          ['response.content_part.added', { type: 'response.content_part.added', item_id: item.id, output_index: index, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } }],
          ...chunk(text).map((delta) => ['response.output_text.delta', { type: 'response.output_text.delta', item_id: item.id, output_index: index, content_index: 0, delta }]),
          ['response.output_text.done', { type: 'response.output_text.done', item_id: item.id, output_index: index, content_index: 0, text }],
          ['response.content_part.done', { type: 'response.content_part.done', item_id: item.id, output_index: index, content_index: 0, part: item.content[0] }],
        ]);
      }
      for (const call of reply.toolCalls ?? []) {
        const args = JSON.stringify(call.arguments ?? {});
        const item = { id: id('fc'), type: 'function_call', status: 'completed', call_id: call.id ?? id('call'), name: call.name, arguments: args };
        add(item, (index) => [
          ['response.function_call_arguments.delta', { type: 'response.function_call_arguments.delta', item_id: item.id, output_index: index, delta: args }],
          ['response.function_call_arguments.done', { type: 'response.function_call_arguments.done', item_id: item.id, output_index: index, arguments: args }],
        ]);
      }
      events.push(['response.completed', { type: 'response.completed', response: { ...resp, status: 'completed', output, usage: openaiUsage(usageOf(reply, record)) } }]);
      return events;
    },
    whole(reply, model, record) {
      const done = this.events(reply, model, record).at(-1);
      return done[1].response;
    },
  },
  anthropic: {
    events(reply, model, record) {
      const u = usageOf(reply, record);
      const message = anthropicMessage(reply, model, u);
      const events = [['message_start', { type: 'message_start', message: { ...message, content: [], stop_reason: null, usage: { ...message.usage, output_tokens: 1 } } }]];
      message.content.forEach((block, index) => {
        const start = block.type === 'text' ? { type: 'text', text: '' } : { ...block, input: {} };
        events.push(['content_block_start', { type: 'content_block_start', index, content_block: start }]);
        const deltas = block.type === 'text'
          ? chunk(block.text).map((text) => ({ type: 'text_delta', text }))
          : chunk(JSON.stringify(block.input)).map((partial_json) => ({ type: 'input_json_delta', partial_json }));
        for (const delta of deltas) events.push(['content_block_delta', { type: 'content_block_delta', index, delta }]);
        events.push(['content_block_stop', { type: 'content_block_stop', index }]);
      });
      events.push(['message_delta', { type: 'message_delta', delta: { stop_reason: message.stop_reason, stop_sequence: null }, usage: { output_tokens: u.output } }]);
      events.push(['message_stop', { type: 'message_stop' }]);
      return events;
    },
    whole(reply, model, record) {
      return anthropicMessage(reply, model, usageOf(reply, record));
    },
  },
  gemini: {
    events(reply, model, record) {
      const whole = this.whole(reply, model, record);
      const parts = whole.candidates[0].content.parts;
      const text = parts.filter((p) => p.text !== undefined).map((p) => p.text).join('');
      const calls = parts.filter((p) => p.functionCall);
      const pieces = text ? chunk(text) : [];
      const events = pieces.slice(0, -1).map((piece) => ['', { candidates: [{ content: { role: 'model', parts: [{ text: piece }] }, index: 0 }], modelVersion: model }]);
      const lastParts = [...(pieces.length ? [{ text: pieces.at(-1) }] : []), ...calls];
      events.push(['', { ...whole, candidates: [{ ...whole.candidates[0], content: { role: 'model', parts: lastParts } }] }]);
      return events;
    },
    whole(reply, model, record) {
      const u = usageOf(reply, record);
      const parts = [
        ...(reply.text !== undefined ? [{ text: reply.text }] : []),
        ...(reply.toolCalls ?? []).map((c) => ({ functionCall: { name: c.name, args: c.arguments ?? {} } })),
      ];
      return {
        candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP', index: 0 }],
        usageMetadata: { promptTokenCount: u.input, candidatesTokenCount: u.output, totalTokenCount: u.input + u.output, cachedContentTokenCount: u.cached || undefined, thoughtsTokenCount: u.reasoning || undefined },
        modelVersion: model,
        responseId: id('resp'),
      };
    },
  },
};

function openaiUsage(u) {
  return {
    input_tokens: u.input,
    input_tokens_details: { cached_tokens: u.cached },
    output_tokens: u.output,
    output_tokens_details: { reasoning_tokens: u.reasoning },
    total_tokens: u.input + u.output,
  };
}

function anthropicMessage(reply, model, u) {
  const content = [
    ...(reply.text !== undefined ? [{ type: 'text', text: reply.text }] : []),
    ...(reply.toolCalls ?? []).map((c) => ({ type: 'tool_use', id: c.id ?? id('toolu'), name: c.name, input: c.arguments ?? {} })),
  ];
  return {
    id: id('msg'),
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: reply.toolCalls?.length ? 'tool_use' : 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: u.input, cache_creation_input_tokens: 0, cache_read_input_tokens: u.cached, output_tokens: u.output },
  };
}

/** Splits text in a few pieces so clients see real deltas. */
function chunk(text, count = 3) {
  if (text === '') return [''];
  const size = Math.ceil(text.length / count);
  const parts = [];
  for (let i = 0; i < text.length; i += size) parts.push(text.slice(i, i + size));
  return parts;
}

/**
 * A codex config.toml that sends codex to this server (Responses API at `url`/v1, key from
 * $SCRIPTED_API_KEY) and switches off everything that would reach beyond loopback
 * (docs/agent-clis.md, "Running the real CLIs offline").
 */
export function offlineCodexConfig(url) {
  return [
    'model = "gpt-5.5"', 'model_provider = "scripted"', 'check_for_update_on_startup = false',
    '[model_providers.scripted]', 'name = "scripted"', `base_url = "${url}/v1"`, 'wire_api = "responses"',
    'env_key = "SCRIPTED_API_KEY"', 'request_max_retries = 0', 'stream_max_retries = 0',
    '[analytics]', 'enabled = false', '[feedback]', 'enabled = false',
    '[otel]', 'exporter = "none"', 'trace_exporter = "none"', 'metrics_exporter = "none"',
    '[features]', 'plugins = false', 'remote_plugin = false', 'apps = false', '',
  ].join('\n');
}
