// Persistent instances on the dashboard: the list (status, turn, a pending permission), a
// page with the conversation from the agent's transcript and the status timeline with the
// source of each change, and the actions: send, interrupt, answer, stop.
import { mkdirSync } from 'node:fs';
import type { AppContext } from '../../app/context.js';
import { instanceStatus, listInstances, readConversation } from '../../app/instance-reads.js';
import { answerPermission, interruptInstances, sendToInstances, stopInstances } from '../../app/instances.js';
import { instanceFiles, instancesDir } from '../../core/instances/paths.js';
import type { InstanceView } from '../../core/instances/types.js';
import { AppError } from '../../core/sys/errors.js';
import { html, type Html, pre } from '../html.js';
import { badge, when } from '../pages/parts.js';
import type { PageOut, Source } from './source.js';

const href = (id: string) => `/instances/${encodeURIComponent(id)}`;
const TURNS_SHOWN = 30;

function row(v: InstanceView): Html {
  return html`<tr id="instance-${v.id}" class="row-${v.status}">
<td>${badge(v.status)}</td>
<td class="title"><a href="${href(v.id)}">${v.name}</a><div class="sub mono">${v.id}</div></td>
<td data-label="Agent">${v.agent}<div class="sub">${v.role ?? v.model ?? ''}</div></td>
<td data-label="Project">${v.project ?? '—'}</td>
<td data-label="Turn">${v.turn ?? '—'}${v.permission ? html`<div class="sub">asks: ${v.permission.tool}</div>` : null}</td>
<td data-label="Since">${when(v.since)}</td>
</tr>`;
}

const form = (id: string, action: string, csrf: string, inner: Html, label: string, cls = '') =>
  html`<form method="post" action="${href(id)}/${action}" class="actions"><input type="hidden" name="csrf" value="${csrf}">${inner}<button type="submit"${cls ? html` class="${cls}"` : null}>${label}</button></form>`;

async function page(ctx: AppContext, id: string, csrf: string): Promise<PageOut | null> {
  let v: Awaited<ReturnType<typeof instanceStatus>>;
  try {
    v = await instanceStatus(ctx, { id });
  } catch (err) {
    if (err instanceof AppError) return null;
    throw err;
  }
  let turns: Awaited<ReturnType<typeof readConversation>> = [];
  let noTurns: string | null = null;
  try {
    turns = await readConversation(ctx, { id: v.id, last: TURNS_SHOWN });
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    noTurns = err.message;
  }
  const live = v.status !== 'exited' && v.status !== 'lost';
  const body = html`
<p><a href="/">← dashboard</a></p>
<h1>${v.name} ${badge(v.status)}</h1>
<dl class="facts">
<dt>Instance</dt><dd class="mono">${v.id}</dd>
<dt>Agent</dt><dd>${v.agent}${v.model ? ` · ${v.model}` : ''}${v.role ? ` · role ${v.role}` : ''}</dd>
<dt>Project</dt><dd>${v.project ?? '—'} <span class="sub mono">${v.cwd}</span></dd>
<dt>Status</dt><dd>${v.status} since ${when(v.since)} (from ${v.source}${v.why ? `: ${v.why}` : ''})</dd>
<dt>Turn</dt><dd>${v.turn ?? '—'}</dd>
${v.pane ? html`<dt>Pane</dt><dd class="mono">${v.pane}</dd>` : null}
</dl>
${v.permission
  ? html`<section class="notice" aria-labelledby="h-perm"><h2 id="h-perm">Asks permission: ${v.permission.tool}</h2>${pre(JSON.stringify(v.permission.input, null, 2))}
${form(v.id, 'answer', csrf, html`<input type="hidden" name="decision" value="allow">`, 'Allow')}
${form(v.id, 'answer', csrf, html`<input type="hidden" name="decision" value="deny"><label>Why <input name="message" size="30"></label>`, 'Deny', 'danger')}</section>`
  : null}
${live
  ? html`${form(v.id, 'send', csrf, html`<label for="message">Message</label><textarea id="message" name="message" rows="3" required></textarea>`, 'Send')}
${form(v.id, 'interrupt', csrf, html``, 'Interrupt')}${form(v.id, 'stop', csrf, html``, 'Stop', 'danger')}`
  : null}
<h2>Conversation</h2>
${turns.length
  ? turns.map((t) => html`<article class="turn"><h3>Turn ${t.n} <span class="sub">${t.outcome}${t.at ? html` · ${when(t.at)}` : null}</span></h3>${pre(t.prompt)}${t.tools?.length ? html`<p class="sub">tools: ${t.tools.map((x) => x.name).join(', ')}</p>` : null}${t.reply !== null ? pre(t.reply, 'reply') : null}${t.error ? pre(t.error, 'errors') : null}</article>`)
  : html`<p class="empty">${noTurns ?? 'No turns yet.'}</p>`}
<h2>Status timeline</h2>
<table class="list"><thead><tr><th scope="col">When</th><th scope="col">Status</th><th scope="col">Source</th><th scope="col">Why</th></tr></thead><tbody>
${[...v.events].reverse().map((e) => html`<tr><td>${when(e.t)}</td><td>${e.status ? badge(e.status) : e.kind}</td><td>${e.source}</td><td>${e.why ?? ''}</td></tr>`)}
</tbody></table>`;
  return { id: v.id, title: v.name, body };
}

export const instancesSource: Source = {
  kind: 'instances',
  heading: 'Instances',
  watchPaths(ctx) {
    // the watch must exist before the first instance does
    mkdirSync(instancesDir(ctx.home), { recursive: true, mode: 0o700 });
    return [instancesDir(ctx.home)];
  },
  itemDir: (ctx, id) => instanceFiles(ctx.home, id).dir,
  // status changes are events; the record changes on revive and stop
  listFiles: ['instance.json', 'events.jsonl'],
  // hook payloads land in the inbox before the supervisor moves them into events.jsonl
  listDirs: ['inbox', 'permissions'],
  async list(ctx, o, shown) {
    const views = (await listInstances(ctx, { all: true })).reverse().filter((v) => (!o.status || v.status === o.status) && (!o.project || v.project === o.project)).slice(0, o.limit);
    views.forEach((v) => shown(v.id));
    if (!views.length) return html`<p class="empty">No instances: spawn one with "agentctl spawn" or the spawn_instance tool.</p>`;
    return html`<table class="list"><thead><tr><th scope="col">Status</th><th scope="col">Name</th><th scope="col">Agent</th><th scope="col">Project</th><th scope="col">Turn</th><th scope="col">Since</th></tr></thead><tbody>${views.map(row)}</tbody></table>`;
  },
  page,
  actions: {
    async send(ctx, id, f) {
      const [sent] = await sendToInstances(ctx, { ids: [id], message: f.get('message') ?? '' });
      return `Sent to ${sent!.name} as turn ${sent!.turn}.`;
    },
    async interrupt(ctx, id) {
      const [v] = await interruptInstances(ctx, { ids: [id] });
      return `${v!.name} interrupted.`;
    },
    async answer(ctx, id, f) {
      const decision = f.get('decision');
      if (decision !== 'allow' && decision !== 'deny') throw new AppError('answer allow or deny');
      const v = await answerPermission(ctx, { id, decision, message: f.get('message') || undefined });
      return `${v.name}: ${decision === 'allow' ? 'allowed' : 'denied'}.`;
    },
    async stop(ctx, id) {
      const [v] = await stopInstances(ctx, { ids: [id] });
      return `${v!.name} stopped.`;
    },
  },
  async metrics(ctx) {
    const counts = new Map<string, number>();
    for (const v of await listInstances(ctx, { all: true })) counts.set(v.status, (counts.get(v.status) ?? 0) + 1);
    return [{ name: 'agentctl_instances', help: 'Instances by status (exited ones too, until their records are removed).', type: 'gauge', samples: [...counts].map(([status, value]) => ({ labels: { status }, value })) }];
  },
};
