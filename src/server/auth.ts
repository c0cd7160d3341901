// Who may see and do what. Programs send the token as "Authorization: Bearer <token>" (as for
// /mcp); a browser signs in once with it (/login) and then holds a session cookie, HttpOnly
// and SameSite=Strict. The cookie's value and the pages' CSRF token are derived from the token
// (HMAC), so they survive a restart of the server and die with a change of token. A POST that
// rests on the cookie must also come from our own page: its Origin names this server and it
// carries the CSRF token.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { bearerMatches, tokenDigest } from '../mcp/http.js';

const derive = (token: string, purpose: string) => createHmac('sha256', token).update(`agentctl dashboard ${purpose}`).digest('base64url');
const same = (a: string, b: string) => timingSafeEqual(tokenDigest(a), tokenDigest(b));

export class Auth {
  private readonly expected: Buffer;
  private readonly session: string;
  readonly csrf: string;
  /** Cookies are not kept apart by port: each server's has its own name. */
  readonly cookieName: string;

  constructor(
    private readonly token: string,
    port: number,
  ) {
    this.expected = tokenDigest(token);
    this.session = derive(token, 'session');
    this.csrf = derive(token, 'csrf');
    this.cookieName = `agentctl_session_${port}`;
  }

  tokenMatches(given: string): boolean {
    return same(given, this.token);
  }

  bearer(req: IncomingMessage): boolean {
    return bearerMatches(req, this.expected);
  }

  cookie(req: IncomingMessage): boolean {
    const v = cookies(req.headers.cookie).get(this.cookieName);
    return v !== undefined && same(v, this.session);
  }

  /** The Set-Cookie value after a sign-in; Secure when the browser came over HTTPS (a TLS proxy in front). */
  setCookie(req: IncomingMessage): string {
    const secure = req.headers['x-forwarded-proto'] === 'https' ? '; Secure' : '';
    return `${this.cookieName}=${this.session}; Path=/; HttpOnly; SameSite=Strict${secure}`;
  }

  /**
   * A cookie-authorised POST comes from our page: Origin (else Referer) names the host the
   * request was sent to, and the CSRF token is in the form or the X-CSRF-Token header.
   */
  sameSite(req: IncomingMessage, form: URLSearchParams | null): boolean {
    const given = String(req.headers['x-csrf-token'] ?? form?.get('csrf') ?? '');
    return sameOrigin(req) && same(given, this.csrf);
  }
}

/** Origin (else Referer) names the host the request was sent to: it came from one of our pages. */
export function sameOrigin(req: IncomingMessage): boolean {
  const from = req.headers.origin ?? req.headers.referer;
  if (!from || !req.headers.host) return false;
  try {
    return new URL(from).host === req.headers.host;
  } catch {
    return false;
  }
}

function cookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}
