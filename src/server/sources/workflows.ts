// Workflows on the dashboard: the list (status, iteration, findings, cost) and a page with
// the steps of each iteration (each a link to its run), the findings opened and closed, and
// the report so far; cancel.
import { mkdirSync } from 'node:fs';
import type { AppContext } from '../../app/context.js';
import { cancelWorkflowById, listWorkflowViews, openWorkflow, workflowLogLines, workflowView } from '../../app/workflows.js';
import { workflowFiles, workflowsDir } from '../../core/workflows/store.js';
import { AppError } from '../../core/sys/errors.js';
import { html, type Html, pre } from '../html.js';
import { badge, usd, when } from '../pages/parts.js';
import type { PageOut, Source } from './source.js';

type View = ReturnType<typeof workflowView>;
const href = (id: string) => `/workflows/${encodeURIComponent(id)}`;
const state = (v: Pick<View, 'outcome' | 'status'>) => v.outcome ?? v.status;

function row(v: View): Html {
  return html`<tr id="workflow-${v.workflow_id}" class="row-${state(v)}">
<td>${badge(state(v))}</td>
<td class="title"><a href="${href(v.workflow_id)}">${v.title || v.workflow_id}</a><div class="sub mono">${v.workflow_id}</div></td>
<td data-label="Workflow">${v.name}</td>
<td data-label="Project">${v.project ?? '—'}</td>
<td data-label="Iteration">${v.iteration} / ${v.max_iterations}<div class="sub">${v.steps_run} step run(s)</div></td>
<td data-label="Findings">${v.open_findings} open of ${v.findings}</td>
<td data-label="Cost" class="num">${usd(v.cost_usd)}</td>
</tr>`;
}

async function page(ctx: AppContext, id: string, csrf: string): Promise<PageOut | null> {
  let rec: ReturnType<typeof openWorkflow>;
  try {
    rec = openWorkflow(ctx, id);
  } catch (err) {
    if (err instanceof AppError) return null;
    throw err;
  }
  const v = workflowView(ctx, rec);
  const body = html`
<p><a href="/">← dashboard</a></p>
<h1>${v.title || v.workflow_id} ${badge(state(v))}</h1>
${v.status === 'running' ? html`<form method="post" action="${href(v.workflow_id)}/cancel" class="actions"><input type="hidden" name="csrf" value="${csrf}"><button type="submit" class="danger">Cancel workflow</button></form>` : null}
<dl class="facts">
<dt>Workflow</dt><dd class="mono">${v.workflow_id} (${v.name})</dd>
<dt>Project</dt><dd>${v.project ?? '—'}${v.branch ? html` <span class="sub mono">branch ${v.branch}</span>` : null}</dd>
<dt>Created</dt><dd>${when(v.created_at)}</dd>
<dt>Ended</dt><dd>${when(v.ended_at)}</dd>
<dt>Iteration</dt><dd>${v.iteration} of at most ${v.max_iterations}</dd>
<dt>Findings</dt><dd>${v.open_findings} open of ${v.findings}</dd>
<dt>Cost</dt><dd>${usd(v.cost_usd)}${rec.budget_usd !== null ? ` of a ${usd(rec.budget_usd)} budget` : ''}</dd>
${v.stop_reason ? html`<dt>Stopped</dt><dd>${v.stop_reason}</dd>` : null}
</dl>
<h2>Steps</h2>
${rec.iterations.length
  ? rec.iterations.map(
      (it) => html`<h3>Iteration ${it.n}</h3><table class="list"><thead><tr><th scope="col">Step</th><th scope="col">Run</th><th scope="col">Outcome</th><th scope="col">Summary</th><th scope="col" class="num">Cost</th></tr></thead><tbody>
${it.runs.map((r) => html`<tr><td>${r.step}<div class="sub">${r.kind} · ${r.profile}${r.attempt > 1 ? ` · attempt ${r.attempt}` : ''}</div></td><td><a class="mono" href="/runs/${encodeURIComponent(r.run_id)}">${r.run_id}</a></td><td>${badge(r.outcome ?? 'running')}</td><td>${r.summary ?? ''}</td><td class="num">${usd(r.cost_usd)}</td></tr>`)}
</tbody></table>${it.opened.length || it.closed.length ? html`<p class="sub">findings opened: ${it.opened.join(', ') || 'none'}; closed: ${it.closed.join(', ') || 'none'}</p>` : null}`,
    )
  : html`<p class="empty">No step has run yet.</p>`}
<h2>Findings</h2>
${rec.findings.length
  ? html`<table class="list"><thead><tr><th scope="col">Id</th><th scope="col">Severity</th><th scope="col">Where</th><th scope="col">What</th><th scope="col">Opened / closed</th></tr></thead><tbody>
${rec.findings.map((f) => html`<tr><td class="mono">${f.id}</td><td>${f.severity}</td><td class="mono">${f.file}${f.line !== null ? `:${f.line}` : ''}</td><td>${f.text}</td><td>${`iteration ${f.opened_in}`}${f.closed_in !== null ? ` / iteration ${f.closed_in}` : ' / open'}</td></tr>`)}
</tbody></table>`
  : html`<p class="empty">None reported.</p>`}
${rec.errors.length ? html`<h2>Errors</h2>${pre(rec.errors.join('\n'), 'errors')}` : null}
<h2>Report so far</h2>
${pre(workflowLogLines(ctx, v.workflow_id).join('\n'))}`;
  return { id: v.workflow_id, title: v.title || v.workflow_id, body };
}

export const workflowsSource: Source = {
  kind: 'workflows',
  heading: 'Workflows',
  watchPaths(ctx) {
    // the watch must exist before the first workflow does
    mkdirSync(workflowsDir(ctx.home), { recursive: true, mode: 0o700 });
    return [workflowsDir(ctx.home)];
  },
  itemDir: (ctx, id) => workflowFiles(ctx.home, id).dir,
  listFiles: ['workflow.json'],
  async list(ctx, o, shown) {
    const views = listWorkflowViews(ctx)
      .filter((v) => (!o.status || v.status === o.status || v.outcome === o.status) && (!o.project || v.project === o.project))
      .slice(0, o.limit);
    views.forEach((v) => shown(v.workflow_id));
    if (!views.length) return html`<p class="empty">No workflows: start one with "agentctl workflow run".</p>`;
    return html`<table class="list"><thead><tr><th scope="col">Status</th><th scope="col">Title</th><th scope="col">Workflow</th><th scope="col">Project</th><th scope="col">Iteration</th><th scope="col">Findings</th><th scope="col" class="num">Cost</th></tr></thead><tbody>${views.map(row)}</tbody></table>`;
  },
  page,
  actions: {
    async cancel(ctx, id) {
      const v = await cancelWorkflowById(ctx, id);
      return `Workflow ${v.workflow_id} cancelled.`;
    },
  },
};
