// Serving over stdio: one client, the process that started us (Claude Code, say). stdout is
// the transport, so nothing but the protocol may reach it.
import { Writable } from 'node:stream';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { keepServing, signalled } from './process.js';
import { createServer, type ServerContext, toolRegistrations } from './server.js';

/**
 * stdout is the transport: only the protocol may reach it. Anything else that writes to
 * process.stdout (a library's console.log) is sent to stderr instead.
 */
function protocolStdout(): Writable {
  const write = process.stdout.write.bind(process.stdout) as (chunk: unknown, cb: (err?: Error | null) => void) => boolean;
  const out = new Writable({ write: (chunk, _enc, cb) => void write(chunk, cb) });
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => (process.stderr.write as (...a: unknown[]) => boolean)(chunk, ...rest)) as typeof process.stdout.write;
  return out;
}

export async function serveStdio(ctx: Omit<ServerContext, 'shutdown'>): Promise<void> {
  keepServing();
  const stop = new AbortController();
  const server = createServer(toolRegistrations({ ...ctx, shutdown: stop.signal }));
  await server.connect(new StdioServerTransport(process.stdin, protocolStdout()));
  // the client closing our stdin is how a stdio server is told to go
  await Promise.race([new Promise<void>((resolve) => process.stdin.once('end', resolve).once('close', resolve)), signalled()]);
  stop.abort();
  await server.close();
  // nothing can be reported to a client that has gone: do not linger on a stray handle
  setTimeout(() => process.exit(0), 2000).unref();
}
