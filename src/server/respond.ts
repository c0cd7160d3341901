// Writing responses: every one carries headers that keep a page from being framed, sniffed,
// or from leaking its address (a /login?token= one) to another site; pages may load only what
// this server serves.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Html } from './html.js';

const BASE_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  // not no-referrer: with it a browser sends "Origin: null" on a form's POST, which the checks refuse
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

export function send(res: ServerResponse, code: number, type: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(code, { ...BASE_HEADERS, 'content-type': type, ...headers });
  res.end(body);
}

export const sendHtml = (res: ServerResponse, code: number, body: Html, headers: Record<string, string> = {}) => send(res, code, 'text/html; charset=utf-8', body.text, headers);

export const sendJson = (res: ServerResponse, code: number, value: unknown, headers: Record<string, string> = {}) => send(res, code, 'application/json', `${JSON.stringify(value)}\n`, headers);

export function redirect(res: ServerResponse, location: string, headers: Record<string, string> = {}): void {
  res.writeHead(303, { ...BASE_HEADERS, location, ...headers });
  res.end();
}

/** A browser (a page or a form) rather than a program: it gets HTML and redirects. */
export const wantsHtml = (req: IncomingMessage): boolean => /text\/html/.test(String(req.headers.accept ?? ''));

const FORM_MAX_BYTES = 64 * 1024;

/** An urlencoded body (a form), bounded; null when it is something else or too big. */
export async function readForm(req: IncomingMessage): Promise<URLSearchParams | null> {
  const type = String(req.headers['content-type'] ?? '');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > FORM_MAX_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  if (!size) return new URLSearchParams();
  if (!type.startsWith('application/x-www-form-urlencoded')) return null;
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
