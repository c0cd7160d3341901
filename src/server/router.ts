// The routes behind the Host check: public ones (/health and /ready say only ok or not
// without the token, /login, the assets), then everything that needs the token or the session
// cookie: pages, their live fragments, the event stream, /metrics, and actions (POST, which
// with the cookie must come from our own page: Origin and CSRF token).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppContext } from '../app/context.js';
import { AppError, plainWording } from '../core/sys/errors.js';
import { type Auth, sameOrigin } from './auth.js';
import type { Health } from './health.js';
import { html, type Html } from './html.js';
import type { Live } from './live.js';
import type { Metrics } from './metrics.js';
import { costPage } from './pages/cost.js';
import { layout, signInPage } from './pages/layout.js';
import { readForm, redirect, send, sendHtml, sendJson, wantsHtml } from './respond.js';
import type { Source } from './sources/source.js';
import type { RunStats } from './stats.js';

const LIST_DEFAULT = 50;
const LIST_MAX = 500;

export interface RouterParts {
  auth: Auth;
  sources: readonly Source[];
  context: () => AppContext;
  live: Live;
  stats: RunStats;
  metrics: Metrics;
  health: Health;
  assets: Record<string, string>;
}

export class Router {
  readonly auth: Auth;
  constructor(private readonly p: RouterParts) {
    this.auth = p.auth;
  }

  async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const { auth } = this.p;
    const signedIn = auth.bearer(req) || auth.cookie(req);
    if (req.method === 'GET' || req.method === 'HEAD') {
      if (path === '/health') return this.health(res, signedIn);
      if (path === '/ready') return this.ready(res);
      if (path.startsWith('/assets/')) return this.asset(res, path.slice('/assets/'.length));
      if (path === '/login') return this.signIn(req, res, url.searchParams.get('token'));
    } else if (req.method === 'POST' && path === '/login') {
      const form = await readForm(req);
      // someone else's page must not sign this browser in to a session of theirs
      if (!sameOrigin(req)) return sendHtml(res, 403, signInPage('This sign-in did not come from this server\'s page.'));
      return this.signIn(req, res, form?.get('token') ?? '');
    }
    if (!signedIn) {
      if (wantsHtml(req)) return sendHtml(res, 401, signInPage(null), { 'www-authenticate': 'Bearer realm="agentctl"' });
      return sendJson(res, 401, { error: 'unauthorized: send the token as "Authorization: Bearer <token>", or sign in at /login' }, { 'www-authenticate': 'Bearer realm="agentctl"' });
    }
    if (req.method === 'POST') return this.action(req, res, path);
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'method not allowed' }, { allow: 'GET, POST' });
    if (path === '/events') return this.p.live.subscribe(req, res);
    if (path === '/metrics') return send(res, 200, 'text/plain; version=0.0.4; charset=utf-8', await this.p.metrics.render());
    if (path === '/') return this.page(req, res, 'Dashboard', '/', await this.front(url), { list: true });
    if (path === '/cost') return this.page(req, res, 'Cost', '/cost', costPage(this.p.stats.all(this.p.context()).values()), { list: true });
    const m = /^\/([a-z]+)\/([^/]+)$/.exec(path);
    const source = m && this.p.sources.find((s) => s.kind === m[1]);
    if (m && source) {
      const id = decodeURIComponent(m[2]!);
      const ctx = this.p.context();
      const out = await source.page(ctx, id, auth.csrf);
      if (out) {
        this.p.live.watchItem(source.itemDir(ctx, out.id), out.id, source.listFiles, source.listDirs);
        return this.page(req, res, out.title, path, out.body, { id: out.id });
      }
    }
    return this.page(req, res, 'Not found', path, html`<h1>Not found</h1><p>Nothing is at ${path}. <a href="/">Back to the dashboard</a></p>`, {}, 404);
  }

  private nav() {
    return [{ href: '/', label: 'Dashboard' }, { href: '/cost', label: 'Cost' }];
  }

  /** A page, or only its <main> for the page's own script (a live update). */
  private page(req: IncomingMessage, res: ServerResponse, title: string, current: string, body: Html, live: { list?: boolean; id?: string }, code = 200): void {
    const vary = { vary: 'X-Agentctl-Fragment' };
    if (req.headers['x-agentctl-fragment'] === 'main') return sendHtml(res, code, body, vary);
    sendHtml(res, code, layout({ title, body, csrf: this.p.auth.csrf, live, nav: this.nav(), current }), vary);
  }

  private async front(url: URL): Promise<Html> {
    const ctx = this.p.context();
    const limit = Math.min(LIST_MAX, Math.max(1, Number(url.searchParams.get('limit')) || LIST_DEFAULT));
    const status = url.searchParams.get('status') || undefined;
    const project = url.searchParams.get('project') || undefined;
    const sections = await Promise.all(
      this.p.sources.map(async (s) => {
        const list = await s.list(ctx, { limit, status, project }, (id) => this.p.live.watchItem(s.itemDir(ctx, id), id, s.listFiles, s.listDirs));
        return html`<section aria-labelledby="h-${s.kind}"><h2 id="h-${s.kind}">${s.heading}</h2>${list}</section>`;
      }),
    );
    return html`<h1>Work</h1>
<form class="filters" method="get" action="/">
<label>Status <input name="status" value="${status ?? ''}" placeholder="running, goal_met…" size="12"></label>
<label>Project <input name="project" value="${project ?? ''}" size="12"></label>
<button type="submit">Filter</button>
</form>
${sections}`;
  }

  private async action(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const form = await readForm(req);
    // a cookie goes along with any request the browser makes: this one must come from our page
    if (!this.p.auth.bearer(req) && !this.p.auth.sameSite(req, form)) {
      return sendJson(res, 403, { error: 'forbidden: an action needs the page\'s CSRF token and must come from this server\'s own page' });
    }
    const m = /^\/([a-z]+)\/([^/]+)\/([a-z_]+)$/.exec(path);
    const source = m && this.p.sources.find((s) => s.kind === m[1]);
    const act = source && Object.hasOwn(source.actions, m[3]!) ? source.actions[m[3]!] : undefined;
    if (!m || !act) return sendJson(res, 404, { error: `no such action: ${path}` });
    const id = decodeURIComponent(m[2]!);
    let message: string;
    try {
      message = await act(this.p.context(), id, form ?? new URLSearchParams());
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      const text = err.render(plainWording);
      if (wantsHtml(req)) return sendHtml(res, 409, layout({ title: 'Not done', body: html`<p class="problem" role="alert">${text}</p><p><a href="/${m[1]}/${encodeURIComponent(id)}">Back</a></p>`, csrf: this.p.auth.csrf, live: {}, nav: this.nav(), current: '' }));
      return sendJson(res, 409, { error: text });
    }
    if (wantsHtml(req)) return redirect(res, `/${m[1]}/${encodeURIComponent(id)}`);
    return sendJson(res, 200, { ok: true, message });
  }

  private signIn(req: IncomingMessage, res: ServerResponse, given: string | null): void {
    if (given === null) return sendHtml(res, 200, signInPage(null));
    if (!this.p.auth.tokenMatches(given)) return sendHtml(res, 401, signInPage('Wrong token.'));
    // the token leaves the address bar (and the history entry that follows) at once
    redirect(res, '/', { 'set-cookie': this.p.auth.setCookie(req) });
  }

  private async health(res: ServerResponse, signedIn: boolean): Promise<void> {
    const report = await this.p.health.report(this.p.context());
    sendJson(res, report.status === 'ok' ? 200 : 503, signedIn ? report : { status: report.status });
  }

  private async ready(res: ServerResponse): Promise<void> {
    const why = await this.p.health.notReady(this.p.context());
    // the reasons name no path or secret: anyone may read them
    sendJson(res, why.length ? 503 : 200, why.length ? { ready: false, why } : { ready: true });
  }

  private asset(res: ServerResponse, name: string): void {
    const text = Object.hasOwn(this.p.assets, name) ? this.p.assets[name] : undefined;
    if (text === undefined) return sendJson(res, 404, { error: 'not found' });
    send(res, 200, name.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8', text, { 'cache-control': 'no-cache' });
  }
}
