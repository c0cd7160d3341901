// The server's two text formats: HTML templates that escape what comes from outside (markup
// and terminal control characters), and the Prometheus exposition format.
import { describe, expect, it } from 'vitest';
import { esc, html, pre, trusted } from '../../src/server/html.js';
import { Histogram, renderFamilies } from '../../src/server/metrics-text.js';
import { costPage } from '../../src/server/pages/cost.js';
import type { RunStat } from '../../src/server/stats.js';

describe('html templates', () => {
  it('escape markup and quotes in every value, and show control characters as text', () => {
    const title = '<img src=x onerror="alert(1)">\x1b]0;owned\x07 & \'q\'';
    expect(html`<a title="${title}">${title}</a>`.text).toBe(
      '<a title="&lt;img src=x onerror=&quot;alert(1)&quot;&gt;\\e]0;owned\\a &amp; &#39;q&#39;">&lt;img src=x onerror=&quot;alert(1)&quot;&gt;\\e]0;owned\\a &amp; &#39;q&#39;</a>',
    );
  });

  it('keep newlines in pre(), show them as \\n in one-line values; bidi controls are shown too', () => {
    expect(pre('a\nb\u202ec').text).toBe('<pre tabindex="0">a\nb\\u202ec</pre>');
    expect(html`<td>${'a\nb'}</td>`.text).toBe('<td>a\\nb</td>');
    expect(esc('\r')).toBe('\\r');
  });

  it('join arrays, leave out null, undefined and false, and take Html as it is', () => {
    expect(html`<ul>${['<a>', html`<li>x</li>`, null, undefined, false, 0]}</ul>`.text).toBe('<ul>&lt;a&gt;<li>x</li>0</ul>');
    expect(html`${trusted('<b>')}`.text).toBe('<b>');
  });
});

describe('Prometheus text', () => {
  it('writes HELP and TYPE, escapes label values and help, and renders histograms cumulatively', () => {
    const h = new Histogram([1, 5]);
    h.observe({ agent: 'codex' }, 0.5);
    h.observe({ agent: 'codex' }, 3);
    h.observe({ agent: 'codex' }, 9);
    const text = renderFamilies([
      { name: 'x_total', help: 'line\nbreak \\ here', type: 'counter', samples: [{ labels: { v: 'a"b\\c\nd' }, value: 2 }] },
      h.family('x_seconds', 'durations'),
    ]);
    expect(text).toBe(
      [
        '# HELP x_total line\\nbreak \\\\ here',
        '# TYPE x_total counter',
        'x_total{v="a\\"b\\\\c\\nd"} 2',
        '# HELP x_seconds durations',
        '# TYPE x_seconds histogram',
        'x_seconds_bucket{agent="codex",le="1"} 1',
        'x_seconds_bucket{agent="codex",le="5"} 2',
        'x_seconds_bucket{agent="codex",le="+Inf"} 3',
        'x_seconds_sum{agent="codex"} 12.5',
        'x_seconds_count{agent="codex"} 3',
        '',
      ].join('\n'),
    );
  });
});

describe('the cost chart', () => {
  it('puts each run\'s cost on the day it started and says how many reported none', () => {
    const now = Date.parse('2026-03-10T12:00:00Z');
    const stat = (created_at: string, cost_usd: number | null): RunStat => ({ agent: 'codex', profile: 'p', status: 'finished', outcome: 'goal_met', created_at, ended: true, duration_s: 1, cost_usd, tokens: {} });
    const page = costPage([stat('2026-03-10T01:00:00Z', 1.5), stat('2026-03-10T02:00:00Z', 0.5), stat('2026-03-08T02:00:00Z', 0.25), stat('2026-03-09T02:00:00Z', null)], now).text;
    expect(page).toContain('<title>2026-03-10: $2.00</title>');
    expect(page).toContain('<title>2026-03-08: $0.25</title>');
    expect(page).toContain('<title>2026-03-09: $0</title>');
    expect(page).toContain('1 run(s) reported no cost');
    expect(page).toContain('aria-label="Cost per day over the last 30 days: $2.25 in all"');
    expect(page.match(/<rect class="bar"/g)).toHaveLength(30);
  });
});
