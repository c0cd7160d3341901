// Small pieces every page uses: a status badge readable without colour (a symbol and a word,
// the colour only repeats them), times the browser shows in its own zone, durations, money.
import { html, type Html } from '../html.js';

const SYMBOL: Record<string, string> = {
  pending: '○',
  running: '●',
  goal_met: '✓',
  goal_not_met: '✗',
  invalid_output: '✗',
  agent_error: '✗',
  cancelled: '■',
  timed_out: '⏱',
  lost: '?',
  corrupt: '!',
  // workflows
  step_failed: '✗',
  budget_exceeded: '$',
  // instances
  starting: '○',
  idle: '◇',
  working: '●',
  needs_permission: '⚠',
  exited: '■',
  unknown: '?',
};

/** A status (or an outcome, which says more once a run ended) as a badge. */
export function badge(state: string): Html {
  return html`<span class="st st-${state.replace(/[^a-z_]/g, '')}"><span aria-hidden="true">${SYMBOL[state] ?? '·'}</span> ${state.replace(/_/g, ' ')}</span>`;
}

/** An instant: UTC as text, shown in the browser's zone by the page's script. */
export function when(iso: string | null | undefined): Html {
  if (!iso) return html`<span class="dim">—</span>`;
  return html`<time datetime="${iso}">${iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC')}</time>`;
}

export function duration(s: number | null | undefined, runningSince?: string | null): Html {
  const text = s === null || s === undefined ? '—' : s < 60 ? `${s.toFixed(1)} s` : s < 3600 ? `${Math.floor(s / 60)} m ${Math.round(s % 60)} s` : `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} m`;
  // a running duration grows: the page's script counts it on between updates
  return runningSince ? html`<span data-since="${runningSince}">${text}</span>` : html`<span>${text}</span>`;
}

export const usd = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : v === 0 ? '$0' : v < 0.01 ? `$${v.toFixed(4)}` : `$${v.toFixed(2)}`);
