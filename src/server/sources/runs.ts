// Runs on the dashboard: the list (newest first, read through the index: only the rows shown
// are read), a run's page, and cancel.
import type { AppContext } from '../../app/context.js';
import { cancelRun } from '../../app/cancel.js';
import { recentLogs } from '../../app/logs.js';
import { openRun, recentRuns, showRecord } from '../../app/runs.js';
import { isEnded, type Meta } from '../../core/runs/meta.js';
import { formatUsd, runCost } from '../../core/budget/cost.js';
import { tryReadMeta } from '../../core/runs/repository.js';
import { durationSeconds } from '../../core/runs/result.js';
import { FileTooBig, readFileBounded } from '../../core/sys/fsutil.js';
import { AppError } from '../../core/sys/errors.js';
import { runFiles } from '../../core/workspace/paths.js';
import { html, type Html, pre } from '../html.js';
import { badge, duration, usd, when } from '../pages/parts.js';
import type { PageOut, Source } from './source.js';

const PROMPT_SHOWN_BYTES = 256 * 1024;
const EVENTS_SHOWN = 400;

const href = (id: string) => `/runs/${encodeURIComponent(id)}`;
const state = (m: Meta) => m.outcome ?? m.status;

/** The run's cost: the CLI's own figure, else the price table's estimate (marked ~), as `cost` shows it. */
function cost(ctx: AppContext, m: Meta, parent?: Meta | null): string {
  const cfg = ctx.configOrNull();
  if (!cfg) return usd(m.cost_usd);
  const c = runCost(m, cfg, parent ?? (m.mode === 'resume' && m.parent_run_id ? tryReadMeta(ctx.ws, m.parent_run_id) : null));
  return c.usd === null ? '—' : formatUsd(c.usd, c.estimated);
}

function row(ctx: AppContext, m: Meta): Html {
  return html`<tr id="run-${m.run_id}" class="row-${state(m)}">
<td>${badge(state(m))}</td>
<td class="title"><a href="${href(m.run_id)}">${m.title || m.run_id}</a><div class="sub mono">${m.run_id}</div></td>
<td data-label="Agent">${m.agent}<div class="sub">${m.profile}</div></td>
<td data-label="Project">${m.project ?? '—'}</td>
<td data-label="Created">${when(m.created_at)}</td>
<td data-label="Duration" class="num">${duration(durationSeconds(m), isEnded(m) ? null : (m.started_at ?? m.created_at))}</td>
<td data-label="Cost" class="num">${cost(ctx, m)}</td>
</tr>`;
}

function table(rows: Html[], empty: string): Html {
  if (!rows.length) return html`<p class="empty">${empty}</p>`;
  return html`<table class="list"><thead><tr><th scope="col">Status</th><th scope="col">Title</th><th scope="col">Agent</th><th scope="col">Project</th><th scope="col">Created</th><th scope="col" class="num">Duration</th><th scope="col" class="num">Cost</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function readPrompt(ctx: AppContext, runId: string): string {
  try {
    return readFileBounded(runFiles(ctx.home, runId).prompt, PROMPT_SHOWN_BYTES) ?? '(no prompt recorded)';
  } catch (err) {
    if (err instanceof FileTooBig) return `(the prompt is ${err.size} bytes: too long to show here; see ${runFiles(ctx.home, runId).prompt})`;
    throw err;
  }
}

/** Longest chain walked each way: a record edited into a loop must not hang the page. */
const CHAIN_MAX = 25;

/** Runs met following `next` from `from`, one record read per hop. */
function walk(ctx: AppContext, from: string | null, next: (m: Meta) => string | null): Meta[] {
  const out: Meta[] = [];
  for (let id = from; id && out.length < CHAIN_MAX && !out.some((x) => x.run_id === id); ) {
    const m = tryReadMeta(ctx.ws, id);
    if (!m) break;
    out.push(m);
    id = next(m);
  }
  return out;
}

/** The runs this one continues (oldest first), itself, and the runs it was escalated to. */
function chainOf(ctx: AppContext, m: Meta): Meta[] {
  return [...walk(ctx, m.parent_run_id, (x) => x.parent_run_id).reverse(), m, ...walk(ctx, m.escalated_to, (x) => x.escalated_to)];
}

function chainList(ctx: AppContext, m: Meta): Html | null {
  const chain = chainOf(ctx, m);
  if (chain.length < 2) return null;
  const item = (x: Meta) =>
    x.run_id === m.run_id
      ? html`<li aria-current="page"><span class="mono">${x.run_id}</span> ${x.profile} ${badge(state(x))} (this run)</li>`
      : html`<li><a href="${href(x.run_id)}" class="mono">${x.run_id}</a> ${x.profile} ${badge(state(x))}${x.escalated_from ? ' (escalated)' : ''}</li>`;
  return html`<nav aria-label="Chain of runs"><h2>Chain</h2><ol class="chain">${chain.map(item)}</ol></nav>`;
}

async function page(ctx: AppContext, id: string, csrf: string): Promise<PageOut | null> {
  let rec: Awaited<ReturnType<typeof showRecord>>;
  try {
    rec = await showRecord(ctx, id);
  } catch (err) {
    if (err instanceof AppError) return null;
    throw err;
  }
  const m = rec as unknown as Meta & { duration_s: number | null; result: unknown };
  const logs = await recentLogs(ctx, { id: m.run_id, tail: EVENTS_SHOWN });
  const diff = m.worktree?.diff_stat ?? m.git_diff_stat;
  const tokens = Object.entries(m.usage ?? {}).filter(([, v]) => typeof v === 'number').map(([k, v]) => `${k.replace(/_tokens$/, '')} ${v}`);
  const body = html`
<p><a href="/">← all runs</a></p>
<h1>${m.title || m.run_id} ${badge(state(m))}</h1>
${isEnded(m) ? null : html`<form method="post" action="${href(m.run_id)}/cancel" class="actions"><input type="hidden" name="csrf" value="${csrf}"><button type="submit" class="danger">Cancel run</button></form>`}
<dl class="facts">
<dt>Run</dt><dd class="mono">${m.run_id}</dd>
<dt>Agent</dt><dd>${m.agent} · ${m.profile}${m.model ? ` · ${m.model}` : ''}</dd>
<dt>Project</dt><dd>${m.project ?? '—'} <span class="sub mono">${m.worktree?.cwd ?? m.project_dir}</span></dd>
<dt>Created</dt><dd>${when(m.created_at)}</dd>
<dt>Ended</dt><dd>${when(m.ended_at)}</dd>
<dt>Duration</dt><dd>${duration(m.duration_s, isEnded(m) ? null : (m.started_at ?? m.created_at))}</dd>
<dt>Cost</dt><dd>${cost(ctx, m)}${tokens.length ? ` · tokens: ${tokens.join(', ')}` : ''}</dd>
<dt>Exit</dt><dd>${m.exit_code ?? m.signal ?? '—'}</dd>
${m.worktree ? html`<dt>Branch</dt><dd class="mono">${m.worktree.branch}</dd>` : null}
${m.tmux.pane ? html`<dt>Pane</dt><dd class="mono">${m.tmux.pane}${m.tmux.session ? ` (session ${m.tmux.session})` : ''}</dd>` : null}
</dl>
${chainList(ctx, m)}
${m.summary ? html`<h2>Summary</h2>${pre(m.summary)}` : null}
${m.followup_prompt ? html`<h2>Follow-up prompt</h2>${pre(m.followup_prompt)}` : null}
${[...m.errors, ...m.validation_errors].length ? html`<h2>Errors</h2>${pre([...m.errors, ...m.validation_errors].join('\n'), 'errors')}` : null}
${m.command ? html`<h2>Command</h2>${pre(m.command.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(' '))}` : null}
${m.agent === 'shell' ? null : html`<h2>Prompt</h2>${pre(readPrompt(ctx, m.run_id))}`}
<h2>Result</h2>
${m.result === null ? html`<p class="empty">${isEnded(m) ? 'No result matching the schema.' : 'Not yet.'}</p>` : pre(JSON.stringify(m.result, null, 2))}
<h2>Diff stat</h2>
${diff ? pre(diff) : html`<p class="empty">No change recorded.</p>`}
<h2>Events <span class="sub">${logs.total_lines > logs.lines.length ? `(last ${logs.lines.length} of ${logs.total_lines})` : `(${logs.total_lines})`}</span></h2>
${logs.lines.length || logs.footer.length ? pre([...logs.lines, ...logs.footer].join('\n'), 'events') : html`<p class="empty">No events yet.</p>`}`;
  return { id: m.run_id, title: m.title || m.run_id, body };
}

export const runsSource: Source = {
  kind: 'runs',
  heading: 'Runs',
  watchPaths: (ctx) => [ctx.ws.runs, ctx.ws.notify],
  itemDir: (ctx, id) => runFiles(ctx.home, id).dir,
  listFiles: ['meta.json'],
  async list(ctx, o, shown) {
    const rows: Html[] = [];
    for await (const entry of recentRuns(ctx)) {
      if (!('meta' in entry)) continue; // doctor reports unreadable records
      const m = entry.meta;
      if (o.status && m.status !== o.status && m.outcome !== o.status) continue;
      if (o.project && m.project !== o.project) continue;
      shown(m.run_id);
      rows.push(row(ctx, m));
      if (rows.length >= o.limit) break;
    }
    return table(rows, o.status || o.project ? 'No runs match.' : 'No runs yet: start one with "agentctl start" or the start_run tool.');
  },
  page,
  actions: {
    async cancel(ctx, id) {
      const m = await cancelRun(ctx, (await openRun(ctx, id)).run_id);
      return `Run ${m.run_id} cancelled.`;
    },
  },
};
