// `agentctl serve`: one HTTP port for the dashboard (/), the MCP endpoint (/mcp, the handler
// `agentctl mcp --http` runs), /health, /ready and /metrics. Requests are checked in this
// order: the Host (on loopback), public routes, /mcp (bearer token only, as before), sign-in,
// then everything else needs the bearer token or the session cookie.
import { mkdirSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { ServeOptions } from '../cli/server-port.js';
import type { McpServerSettings } from '../cli/mcp-port.js';
import { addressedHere, FORBIDDEN_HOST, isLoopback, listenOn, mcpRequestHandler, parseListen, serverToken, unauthorized } from '../mcp/http.js';
import { keepServing, signalled } from '../mcp/process.js';
import { APP_CSS, APP_JS } from './assets.js';
import { Auth } from './auth.js';
import { Health } from './health.js';
import { Live } from './live.js';
import { buildInfo, Metrics, runFamilies } from './metrics.js';
import { send, sendJson } from './respond.js';
import { Router } from './router.js';
import { SOURCES } from './sources/index.js';
import { RunStats } from './stats.js';

export async function serve(settings: McpServerSettings, o: ServeOptions): Promise<void> {
  const say = (line: string) => o.log.write(`agentctl serve: ${line}\n`);
  const { host, port } = parseListen(o.listen);
  const loopback = isLoopback(host);
  const token = serverToken(o, host, say);
  const ctx = settings.context();
  // the watch on runs/ must exist before the first run does
  mkdirSync(ctx.ws.runs, { recursive: true, mode: 0o700 });
  keepServing();
  const stop = new AbortController();

  const stats = new RunStats();
  const live = new Live(settings.context, SOURCES.flatMap((s) => s.watchPaths(ctx)), () => {
    stats.invalidate();
    metrics.invalidate();
  });
  const metrics = new Metrics(async () => {
    const c = settings.context();
    const more = await Promise.all(SOURCES.map((s) => s.metrics?.(c) ?? Promise.resolve([])));
    return [
      ...runFamilies(c, stats),
      live.waitLatency.family('agentctl_wait_latency_seconds', "Delay from a run's recorded end to this server seeing it through fs.watch, the way wait and wait_runs see it; measured only for runs that end while this server runs (waits in other processes are not seen)."),
      ...more.flat(),
      buildInfo(),
    ];
  });
  const mcp = mcpRequestHandler(settings, stop.signal);
  let router: Router | null = null;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (!addressedHere(loopback, req)) return sendJson(res, 403, { error: FORBIDDEN_HOST });
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/mcp') {
      if (!router!.auth.bearer(req)) return unauthorized(res);
      return mcp(req, res);
    }
    return router!.handle(req, res, path);
  };

  const http = createHttpServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      say(`internal error: ${err.stack ?? String(err)}`);
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', `internal error: ${err.message}\n`);
      else res.end();
    });
  });
  const bound = await listenOn(http, host, port);
  // the cookie's name carries the port: browsers keep cookies per host, not per port
  router = new Router({ auth: new Auth(token, bound), sources: SOURCES, context: settings.context, live, stats, metrics, health: new Health(), assets: { 'app.css': APP_CSS, 'app.js': APP_JS } });
  const base = `http://${host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host}:${bound}`;
  say(`serving the dashboard on ${base}/, MCP on ${base}/mcp, and /health, /ready, /metrics (token required)`);
  // the sign-in link holds the token: shown to the person at the terminal, never put in a log file
  if (o.log.isTTY) say(`sign in: ${base}/login?token=${encodeURIComponent(token)}`);
  else say(`sign in: ${base}/login with the token (a terminal is shown the whole link)`);
  if (!loopback) say('plain HTTP: the token crosses the network in clear text; put TLS (a reverse proxy or an SSH tunnel) in front of it beyond a trusted network');

  await signalled();
  stop.abort();
  await live.close();
  http.close();
  http.closeAllConnections();
}
