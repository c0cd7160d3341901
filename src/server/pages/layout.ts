// The page around every view: navigation, the CSRF token for the page's forms and script,
// and <main>, which is all a live update replaces (the fragment a page's script asks for).
import { html, type Html } from '../html.js';

export interface Shell {
  title: string;
  body: Html;
  csrf: string;
  /** What the page shows, so its script knows which changes concern it. */
  live: { list?: boolean; id?: string };
  nav: { href: string; label: string }[];
  current: string;
}

export function mainAttrs(s: Pick<Shell, 'live'>): Html {
  return html`id="main" tabindex="-1"${s.live.list ? html` data-list="1"` : null}${s.live.id ? html` data-id="${s.live.id}"` : null}`;
}

export function layout(s: Shell): Html {
  const links = s.nav.map((n) => html`<a href="${n.href}"${n.href === s.current ? html` aria-current="page"` : null}>${n.label}</a>`);
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="${s.csrf}">
<title>${s.title} · agentctl</title>
<link rel="stylesheet" href="/assets/app.css">
<script src="/assets/app.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header><nav aria-label="Pages"><span class="brand">agentctl</span>${links}</nav><span id="live" class="live" role="status" aria-live="polite">connecting…</span></header>
<main ${mainAttrs(s)}>${s.body}</main>
</body>
</html>`;
}

/** A page for someone without the session cookie: sign in with the token. */
export function signInPage(problem: string | null): Html {
  return html`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Sign in · agentctl</title><link rel="stylesheet" href="/assets/app.css"></head>
<body><main id="main" class="signin">
<h1>agentctl</h1>
${problem ? html`<p class="problem" role="alert">${problem}</p>` : null}
<form method="post" action="/login">
<label for="token">Token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Sign in</button>
</form>
<p class="sub">The token is the one <code>agentctl serve</code> names when it starts (on loopback, the workspace's <code>mcp-token</code> file).</p>
</main></body></html>`;
}
