// Serving over Streamable HTTP. Every request is independent (state lives in the workspace on
// disk), so the SDK's transport runs stateless, nothing kept between requests. Loopback by
// default; a bearer token is required everywhere (see token.ts).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { AppError } from '../core/sys/errors.js';
import { keepServing, log, signalled } from './process.js';
import { createServer, type ServerContext, toolRegistrations } from './server.js';
import { configuredToken, tokenFilePath, workspaceToken } from './token.js';

export interface HttpOptions {
  listen: string;
  /** --token-file */
  tokenFile?: string;
  /** The workspace: where the token is kept when none is given. */
  home: string;
  env: NodeJS.ProcessEnv;
}

export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:(\[[0-9a-fA-F:.]+\]|[^:[\]]+):)?(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new AppError(`invalid --http ${JSON.stringify(text)}: give PORT or HOST:PORT, e.g. 8765, 127.0.0.1:8765 or 0.0.0.0:8765`);
  return { host: m[1] ? m[1].replace(/^\[|\]$/g, '') : '127.0.0.1', port };
}

export const isLoopback = (host: string): boolean => host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);

const digest = (s: string) => createHash('sha256').update(s).digest();

function reply(res: ServerResponse, code: number, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(code, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}

/** Host (and Origin) a loopback server answers: a web page that rebinds a name to 127.0.0.1 gets 403. */
function loopbackName(hostHeader: string | undefined): boolean {
  if (!hostHeader) return false;
  try {
    const name = new URL(`http://${hostHeader}`).hostname.replace(/^\[|\]$/g, '');
    return isLoopback(name);
  } catch {
    return false;
  }
}

/**
 * The bearer token clients must send: configured, else on loopback the workspace's, else one
 * generated; `say` tells the person starting the server where it is (or what it is).
 */
export function serverToken(o: Pick<HttpOptions, 'tokenFile' | 'home' | 'env'>, host: string, say: (line: string) => void): string {
  const token = configuredToken(o.tokenFile, o.env);
  if (token) return token;
  if (isLoopback(host)) {
    const kept = workspaceToken(o.home);
    say(`clients must send "Authorization: Bearer <token>"; the token is in ${tokenFilePath(o.home)} (only you can read it; set AGENTCTL_MCP_TOKEN or --token-file to choose one)`);
    return kept;
  }
  const made = randomBytes(32).toString('base64url');
  say(`${host} is not a loopback address, so clients must send "Authorization: Bearer <token>"; generated token (set AGENTCTL_MCP_TOKEN or --token-file to choose one): ${made}`);
  return made;
}

/** The Host and Origin a loopback server answers; anything goes off loopback. */
export function addressedHere(loopback: boolean, req: IncomingMessage): boolean {
  return !loopback || (loopbackName(req.headers.host) && (!req.headers.origin || loopbackOrigin(req.headers.origin)));
}

export const FORBIDDEN_HOST = 'forbidden: this server answers only requests addressed to localhost, 127.0.0.1 or [::1]';

/** Whether the request carries the token as "Authorization: Bearer <token>" (expected: its digest). */
export function bearerMatches(req: IncomingMessage, expected: Buffer): boolean {
  return timingSafeEqual(digest(/^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1] ?? ''), expected);
}
export { digest as tokenDigest };

/** Serves an authorised request to /mcp: JSON-RPC over POST, a server per request. */
export function mcpRequestHandler(ctx: Omit<ServerContext, 'shutdown'>, shutdown: AbortSignal): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const tools = toolRegistrations({ ...ctx, shutdown });
  return async (req, res) => {
    // stateless: no session to resume a stream on (GET) or to end (DELETE)
    if (req.method !== 'POST') return reply(res, 405, 'method not allowed: POST JSON-RPC requests to /mcp', { allow: 'POST' });
    // The SDK's stateless transport serves one request and refuses a second, and its server
    // connects to one transport at a time: so a server per request. The tool table (schemas,
    // handlers) was made once above; only the registration loop runs here.
    const server = createServer(tools);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res);
  };
}

/** The 401 an MCP client gets without the right token. */
export const unauthorized = (res: ServerResponse) =>
  reply(res, 401, 'unauthorized: send the server\'s token as "Authorization: Bearer <token>"', { 'www-authenticate': 'Bearer realm="agentctl"' });

export async function serveHttp(ctx: Omit<ServerContext, 'shutdown'>, o: HttpOptions): Promise<void> {
  const { host, port } = parseListen(o.listen);
  const loopback = isLoopback(host);
  const expected = digest(serverToken(o, host, log));
  keepServing();
  const stop = new AbortController();
  const mcp = mcpRequestHandler(ctx, stop.signal);

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== '/mcp') return reply(res, 404, 'not found: the MCP endpoint is /mcp');
    if (!addressedHere(loopback, req)) return reply(res, 403, FORBIDDEN_HOST);
    if (!bearerMatches(req, expected)) return unauthorized(res);
    await mcp(req, res);
  };

  const http = createHttpServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      log(`internal error: ${err.stack ?? String(err)}`);
      if (!res.headersSent) reply(res, 500, `internal error: ${err.message}`);
      else res.end();
    });
  });
  const bound = await listenOn(http, host, port);
  log(`serving Streamable HTTP on http://${host.includes(':') ? `[${host}]` : host}:${bound}/mcp (bearer token required)`);
  if (!loopback) log('plain HTTP: the token crosses the network in clear text; put TLS (a reverse proxy or an SSH tunnel) in front of it beyond a trusted network');

  await signalled();
  stop.abort();
  http.close();
  http.closeAllConnections();
}

/** Listens; returns the port bound (port 0 picks one). */
export async function listenOn(http: Server, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    http.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' || err.code === 'EACCES' || err.code === 'EADDRNOTAVAIL' ? new AppError(`cannot listen on ${host}:${port} (${err.code}): choose another --http address`) : err),
    );
    http.listen(port, host, () => resolve());
  });
  const addr = http.address();
  return typeof addr === 'object' && addr ? addr.port : port;
}

function loopbackOrigin(origin: string): boolean {
  try {
    return isLoopback(new URL(origin).hostname.replace(/^\[|\]$/g, ''));
  } catch {
    return false;
  }
}
