// `agentctl serve`: /health and /ready (private details only with the token), /metrics read by
// a Prometheus text-format parser, the token required on every private route, the browser's
// sign-in cookie, actions refused without the page's CSRF token and Origin, and /mcp on the
// same port.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, type TestEnv, suiteEnv, waitFor } from '../helpers/harness.js';
import { type Served, startServe } from '../helpers/serve.js';

let t: TestEnv;
let s: Served;
suiteEnv((env) => (t = env));
beforeAll(async () => {
  s = await startServe(t);
});
afterAll(async () => {
  await s?.stop();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${s.base}${path}`, { headers, redirect: 'manual' });
const bearer = () => ({ authorization: `Bearer ${s.token}` });

/** A finished run's record written straight to disk, as an agent that reports usage and cost leaves it. */
function recordRun(id: string, fields: Record<string, unknown>): void {
  const template = t.meta(readdirRuns()[0]!);
  mkdirSync(join(t.home, 'runs', id));
  writeFileSync(join(t.home, 'runs', id, 'meta.json'), JSON.stringify({ ...template, run_id: id, ...fields }));
}
const readdirRuns = () => (readFileSync(join(t.home, 'runs', '.index'), 'utf8').trim().split('\n').map((l) => l.split('\t')[1]!));

describe('health and readiness', () => {
  it('/health says only ok or not without the token; with it: version, uptime, workspace, tmux, each agent CLI with its version', async () => {
    const anon = await get('/health');
    expect(anon.status).toBe(200);
    expect(await anon.json()).toEqual({ status: 'ok' });

    const r = await get('/health', bearer());
    const h = (await r.json()) as any;
    expect(h).toMatchObject({ status: 'ok', version: JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version, workspace: { path: t.home, writable: true, initialised: true }, tmux: { reachable: true } });
    expect(h.uptime_s).toBeGreaterThanOrEqual(0);
    expect(h.tmux.version).toMatch(/^tmux \d/);
    // the fake CLIs are first on PATH
    expect(h.agents.codex).toMatchObject({ found: true, version: 'codex-cli 0.171.0' });
    expect(h.agents.claude).toMatchObject({ found: true, version: '2.1.197 (Claude Code)' });
    expect(h.agents.gemini).toMatchObject({ found: true, version: '0.61.0' });
  });

  it('/ready is 200 when work can start, and 503 with why for a workspace that is not set up', async () => {
    const ok = await get('/ready');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ready: true });

    const bare = join(t.root, 'bare-ws');
    mkdirSync(bare);
    const other = await startServe(t, { home: bare, env: { AGENTCTL_MCP_TOKEN: 'another-token-for-this-test' } });
    try {
      const r = await fetch(`${other.base}/ready`);
      expect(r.status).toBe(503);
      expect(await r.json()).toEqual({ ready: false, why: ['the workspace is not set up, or its config.json is broken (agentctl doctor)'] });
      // and /health without a token still says nothing of the workspace
      expect(JSON.stringify(await (await fetch(`${other.base}/health`)).json())).not.toContain(bare);
    } finally {
      await other.stop();
    }
  });
});

describe('/metrics', () => {
  it('is Prometheus text that a parser reads: runs by outcome, durations, active runs, tokens, cost, wait latency', async () => {
    const good = await t.start(['--agent', 'shell', '--title', 'ok', '--', 'sh', '-c', 'echo fine']);
    const bad = await t.start(['--agent', 'shell', '--title', 'fails', '--', 'sh', '-c', 'exit 3']);
    await t.run(['wait', good, bad]);
    recordRun('20250101-000000-codexa', { agent: 'codex', profile: 'spark', outcome: 'goal_met', status: 'finished', usage: { input_tokens: 1000, cached_input_tokens: 200, output_tokens: 50 }, cost_usd: 0.25, timings: { queued_ms: 0, duration_ms: 42_000 } });

    const r = await get('/metrics', bearer());
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await r.text();
    const families = new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f]));
    const family = (name: string) => {
      const f = families.get(name);
      if (!f) throw new Error(`no ${name} in:\n${text}`);
      expect(f.help.length).toBeGreaterThan(10);
      return f;
    };
    const value = (name: string, labels: Record<string, string>) => Number(family(name).metrics.find((m) => JSON.stringify(m.labels ?? {}) === JSON.stringify(labels))?.value);

    expect(family('agentctl_runs_total').type).toBe('COUNTER');
    expect(value('agentctl_runs_total', { agent: 'shell', profile: 'shell', outcome: 'goal_met' })).toBe(1);
    const failed = t.meta(bad).outcome as string;
    expect(failed).not.toBe('goal_met');
    expect(value('agentctl_runs_total', { agent: 'shell', profile: 'shell', outcome: failed })).toBe(1);
    expect(value('agentctl_runs_total', { agent: 'codex', profile: 'spark', outcome: 'goal_met' })).toBe(1);
    const durations = family('agentctl_run_duration_seconds');
    expect(durations.type).toBe('HISTOGRAM');
    // the parser folds a histogram's label sets into one (it keeps only the buckets): the
    // labelled lines are checked as text
    expect(text).toContain('agentctl_run_duration_seconds_count{agent="codex"} 1\n');
    expect(text).toContain('agentctl_run_duration_seconds_sum{agent="codex"} 42\n');
    expect(text).toContain('agentctl_run_duration_seconds_bucket{agent="codex",le="30"} 0\n');
    expect(text).toContain('agentctl_run_duration_seconds_bucket{agent="codex",le="60"} 1\n');
    expect(text).toContain('agentctl_run_duration_seconds_bucket{agent="codex",le="+Inf"} 1\n');
    expect(family('agentctl_runs_active').type).toBe('GAUGE');
    expect(value('agentctl_runs_active', {})).toBe(0);
    expect(value('agentctl_tokens_total', { agent: 'codex', kind: 'input' })).toBe(1000);
    expect(value('agentctl_tokens_total', { agent: 'codex', kind: 'cached_input' })).toBe(200);
    expect(value('agentctl_tokens_total', { agent: 'codex', kind: 'output' })).toBe(50);
    expect(value('agentctl_cost_usd_total', { agent: 'codex' })).toBe(0.25);
    expect(family('agentctl_instances').type).toBe('GAUGE'); // no instance in this workspace: no samples
    // both shell runs ended while the server watched
    const wait = family('agentctl_wait_latency_seconds');
    expect(wait.type).toBe('HISTOGRAM');
    expect(Number(wait.metrics[0]!.count)).toBe(2);
    expect(Number(wait.metrics[0]!.buckets!['+Inf'])).toBe(2);

    // a run going now counts as active, and the cached text follows the change
    const slow = await t.start(['--agent', 'shell', '--title', 'slow', '--', 'sleep', '30']);
    await waitFor(async () => /^agentctl_runs_active 1$/m.test(await (await get('/metrics', bearer())).text()), 10_000, 'runs_active 1');
    await t.run(['cancel', slow]);
    await waitFor(async () => /^agentctl_runs_active 0$/m.test(await (await get('/metrics', bearer())).text()), 10_000, 'runs_active 0');
  });
});

describe('authentication', () => {
  const PRIVATE = ['/', '/cost', '/metrics', '/events', '/runs/whatever'];

  it('every private route answers 401 without the token or with a wrong one; /mcp too', async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer wrong' }, { cookie: `agentctl_session_${s.port}=forged` }];
    for (const headers of attempts) {
      for (const path of PRIVATE) expect([path, (await get(path, headers)).status]).toEqual([path, 401]);
      const post = await fetch(`${s.base}/runs/x/cancel`, { method: 'POST', headers: { ...headers, origin: s.base } });
      expect(post.status).toBe(401);
      const mcp = await fetch(`${s.base}/mcp`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{}' });
      expect(mcp.status).toBe(401);
    }
    // a browser is shown the sign-in form, not a page of data
    const page = await get('/', { accept: 'text/html' });
    expect(page.status).toBe(401);
    expect(await page.text()).toContain('<form method="post" action="/login">');
  });

  it('a loopback server refuses a request addressed to another name (DNS rebinding), token or not', async () => {
    const r = await new Promise<number>((resolve, reject) => {
      import('node:http').then(({ request }) => {
        const req = request({ host: '127.0.0.1', port: s.port, path: '/metrics', headers: { host: `evil.example:${s.port}`, ...bearer() } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      }, reject);
    });
    expect(r).toBe(403);
  });

  it('signs a browser in with the token from the link: an HttpOnly, SameSite=Strict cookie, the token dropped from the address', async () => {
    const wrong = await get('/login?token=wrong');
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();

    const r = await get(`/login?token=${encodeURIComponent(s.token)}`);
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/');
    expect(r.headers.get('referrer-policy')).toBe('same-origin'); // the address with the token goes to no other site
    const cookie = r.headers.get('set-cookie')!;
    expect(cookie).toMatch(new RegExp(`^agentctl_session_${s.port}=[\\w-]+; `));
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).not.toContain(s.token);
    const session = cookie.split(';')[0]!;
    const page = await get('/', { cookie: session });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");

    // the form on the sign-in page works as well, from this server's own page only
    const form = (origin: string) => fetch(`${s.base}/login`, { method: 'POST', redirect: 'manual', headers: { origin, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: s.token }).toString() });
    expect((await form(s.base)).headers.get('set-cookie')).toBe(cookie);
    expect((await form('http://evil.example')).status).toBe(403);
  });

  it('an action by cookie needs the page\'s CSRF token and this server as Origin; with both, the run is cancelled', async () => {
    const id = await t.start(['--agent', 'shell', '--title', 'to cancel', '--', 'sleep', '60']);
    const session = (await get(`/login?token=${encodeURIComponent(s.token)}`)).headers.get('set-cookie')!.split(';')[0]!;
    const page = await (await get(`/runs/${id}`, { cookie: session })).text();
    const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(page)![1]!;
    expect(page).toContain(`action="/runs/${id}/cancel"`);
    const cancel = (headers: Record<string, string>, body: Record<string, string>) =>
      fetch(`${s.base}/runs/${id}/cancel`, { method: 'POST', redirect: 'manual', headers: { cookie: session, 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(body).toString() });

    expect((await cancel({ origin: s.base }, {})).status).toBe(403); // no CSRF token
    expect((await cancel({ origin: s.base }, { csrf: 'forged' })).status).toBe(403);
    expect((await cancel({ origin: 'http://evil.example' }, { csrf })).status).toBe(403);
    expect((await cancel({}, { csrf })).status).toBe(403); // no Origin, no Referer
    expect(t.meta(id).ended_at).toBeNull();

    const ok = await cancel({ origin: s.base, accept: 'text/html' }, { csrf });
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe(`/runs/${id}`);
    expect(t.meta(id)).toMatchObject({ status: 'finished', outcome: 'cancelled' });
    // again: the run has ended, and the page says so
    const again = await cancel({ origin: s.base }, { csrf });
    expect(again.status).toBe(409);
  });
});

describe('/mcp on the same port', () => {
  it('serves the MCP tools to a client with the token', async () => {
    const client = new Client({ name: 'serve-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${s.base}/mcp`), { requestInit: { headers: bearer() } }));
    try {
      const tools = (await client.listTools()).tools.map((x) => x.name);
      expect(tools).toContain('start_run');
      const r = await client.callTool({ name: 'list_runs', arguments: { limit: 1 } });
      expect(r.isError).toBeFalsy();
    } finally {
      await client.close();
    }
  });
});
