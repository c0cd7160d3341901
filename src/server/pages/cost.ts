// The cost chart: what the runs cost per day over the last weeks, drawn here as inline SVG
// (no chart library, nothing fetched), with the same figures as a table for screen readers
// and for reading exact values.
import { html, type Html, trusted } from '../html.js';
import type { RunStat } from '../stats.js';
import { usd } from './parts.js';

const DAYS = 30;
const W = 720;
const H = 240;
const PAD = { left: 56, right: 8, top: 12, bottom: 28 };

export function costPage(stats: Iterable<RunStat>, now = Date.now()): Html {
  const today = Math.floor(now / 86_400_000);
  const perDay = new Array<number>(DAYS).fill(0);
  const perAgent = new Map<string, { cost: number; runs: number }>();
  let unpriced = 0;
  for (const s of stats) {
    if (s.cost_usd === null) {
      unpriced++;
      continue;
    }
    const a = perAgent.get(s.agent) ?? { cost: 0, runs: 0 };
    a.cost += s.cost_usd;
    a.runs++;
    perAgent.set(s.agent, a);
    const day = today - Math.floor(Date.parse(s.created_at) / 86_400_000);
    if (day >= 0 && day < DAYS) perDay[DAYS - 1 - day]! += s.cost_usd;
  }
  const label = (i: number) => new Date((today - (DAYS - 1 - i)) * 86_400_000).toISOString().slice(0, 10);
  return html`<h1>Cost</h1>
<p class="sub">Cost the agents reported, per day (UTC) of the run's start, last ${DAYS} days. ${unpriced ? `${unpriced} run(s) reported no cost (shell runs, agents that give none).` : ''}</p>
${chart(perDay, label)}
<h2>By agent</h2>
<table class="list"><thead><tr><th scope="col">Agent</th><th scope="col" class="num">Runs with a cost</th><th scope="col" class="num">Cost</th></tr></thead><tbody>
${[...perAgent].sort((a, b) => b[1].cost - a[1].cost).map(([agent, a]) => html`<tr><td>${agent}</td><td class="num">${a.runs}</td><td class="num">${usd(a.cost)}</td></tr>`)}
</tbody></table>
<details><summary>Per day, as a table</summary>
<table class="list"><thead><tr><th scope="col">Day</th><th scope="col" class="num">Cost</th></tr></thead><tbody>
${perDay.map((v, i) => (v ? html`<tr><td>${label(i)}</td><td class="num">${usd(v)}</td></tr>` : null))}
</tbody></table></details>`;
}

function chart(perDay: number[], label: (i: number) => string): Html {
  const max = Math.max(...perDay, 0);
  const top = max > 0 ? niceCeil(max) : 1;
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const bw = plotW / perDay.length;
  const y = (v: number) => PAD.top + plotH - (v / top) * plotH;
  const ticks = [0, top / 2, top];
  const parts: string[] = [];
  for (const t of ticks) parts.push(`<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}"/><text x="${PAD.left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end">${usd(t)}</text>`);
  perDay.forEach((v, i) => {
    const h = (v / top) * plotH;
    // the title is the bar's tooltip; the figures are all numbers and dates made here
    parts.push(`<rect class="bar" x="${(PAD.left + i * bw + 1).toFixed(1)}" y="${(PAD.top + plotH - h).toFixed(1)}" width="${Math.max(1, bw - 2).toFixed(1)}" height="${h.toFixed(1)}"><title>${label(i)}: ${usd(v)}</title></rect>`);
    if (i % 7 === (perDay.length - 1) % 7) parts.push(`<text x="${(PAD.left + i * bw + bw / 2).toFixed(1)}" y="${H - 8}" text-anchor="middle">${label(i).slice(5)}</text>`);
  });
  const total = perDay.reduce((a, b) => a + b, 0);
  return html`<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${`Cost per day over the last ${perDay.length} days: ${usd(total)} in all`}">${trusted(parts.join(''))}</svg>`;
}

/** 1, 2 or 5 times a power of ten, at least v: a round top for the axis. */
function niceCeil(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 5, 10].map((m) => m * p).find((c) => c >= v) ?? 10 * p;
}
