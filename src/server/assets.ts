// The dashboard's stylesheet and script, built into agentctl itself: no CDN, works offline.
// The script only asks the server for pages: every piece of HTML is made (and escaped) there.

export const APP_CSS = `
:root { color-scheme: light dark; --bg: #fff; --fg: #1b1f24; --dim: #5b636e; --line: #d6dae0; --card: #f5f7f9;
  --ok: #1a7f37; --bad: #c62828; --run: #0b62c4; --warn: #9a6700; --focus: #ff9800; font: 15px/1.45 system-ui, sans-serif; }
@media (prefers-color-scheme: dark) { :root { --bg: #14171b; --fg: #e6e8eb; --dim: #9aa3ad; --line: #2e343b; --card: #1c2026;
  --ok: #4ac26b; --bad: #ff6b6b; --run: #58a6ff; --warn: #d29922; } }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); }
a { color: var(--run); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; left: -9999px; } .skip:focus { left: 8px; top: 8px; background: var(--bg); padding: 4px 8px; z-index: 2; }
header { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: center; gap: 8px; padding: 8px 16px; border-bottom: 1px solid var(--line); }
header nav { display: flex; gap: 16px; align-items: center; flex-wrap: wrap; }
header nav a { text-decoration: none; padding: 4px 2px; } header nav a[aria-current] { font-weight: 600; border-bottom: 2px solid var(--run); }
.brand { font-weight: 700; }
.live { font-size: 13px; color: var(--dim); }
main { padding: 12px 16px 40px; max-width: 1200px; margin: 0 auto; }
main:focus { outline: none; }
h1 { font-size: 22px; margin: 8px 0 12px; overflow-wrap: anywhere; } h2 { font-size: 17px; margin: 24px 0 8px; }
.sub { color: var(--dim); font-size: 13px; font-weight: normal; } .dim { color: var(--dim); }
.mono, code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 10px; overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; font-size: 13px; max-height: 70vh; overflow-y: auto; }
table.list { width: 100%; border-collapse: collapse; }
table.list th, table.list td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
table.list th { font-size: 13px; color: var(--dim); font-weight: 600; }
td.title { overflow-wrap: anywhere; max-width: 40ch; } table.list .num { text-align: right; white-space: nowrap; }
.st { display: inline-block; white-space: nowrap; font-weight: 600; font-size: 13px; padding: 1px 8px; border-radius: 10px; border: 1px solid currentColor; }
.st-goal_met, .st-idle { color: var(--ok); } .st-running, .st-pending, .st-working, .st-starting { color: var(--run); }
.st-needs_permission, .st-unknown { color: var(--warn); background: var(--card); } .st-exited { color: var(--dim); }
.st-goal_not_met, .st-invalid_output, .st-agent_error, .st-lost, .st-corrupt, .st-step_failed { color: var(--bad); }
.st-cancelled, .st-timed_out, .st-budget_exceeded { color: var(--warn); }
.empty { color: var(--dim); font-style: italic; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; } dl.facts dt { color: var(--dim); } dl.facts dd { margin: 0; overflow-wrap: anywhere; }
ol.chain { margin: 0; padding-left: 24px; } ol.chain li { margin: 2px 0; }
form.actions { margin: 8px 0; display: flex; flex-wrap: wrap; gap: 8px; align-items: end; } form.actions label { display: flex; flex-direction: column; gap: 4px; } form.actions textarea { min-width: min(40ch, 90vw); font: inherit; } form.filters { display: flex; flex-wrap: wrap; gap: 8px; align-items: end; margin: 0 0 12px; }
form.filters label { display: flex; flex-direction: column; font-size: 13px; color: var(--dim); }
button, input, select { font: inherit; padding: 6px 12px; border-radius: 6px; border: 1px solid var(--line); background: var(--card); color: var(--fg); }
button { cursor: pointer; } button.danger { border-color: var(--bad); color: var(--bad); }
.notice { padding: 8px 12px; border-left: 4px solid var(--run); background: var(--card); }
.problem { padding: 8px 12px; border-left: 4px solid var(--bad); background: var(--card); }
.signin { max-width: 420px; } .signin form { display: flex; flex-direction: column; gap: 8px; }
svg.chart { width: 100%; height: auto; max-height: 320px; } svg.chart .bar { fill: var(--run); } svg.chart text { fill: var(--dim); font-size: 11px; }
svg.chart line { stroke: var(--line); }
@media (max-width: 700px) {
  table.list thead { position: absolute; left: -9999px; }
  table.list tr { display: grid; grid-template-columns: 1fr auto; gap: 2px 8px; padding: 8px 0; border-bottom: 1px solid var(--line); }
  table.list td { border: 0; padding: 0; } table.list td.title { grid-column: 1 / -1; order: -1; max-width: none; }
  table.list td.num { text-align: left; }
  table.list td[data-label]::before { content: attr(data-label) ": "; color: var(--dim); font-size: 13px; }
}
`;

export const APP_JS = `'use strict';
(function () {
  var main = document.getElementById('main');
  var live = document.getElementById('live');
  function localTimes(root) {
    root.querySelectorAll('time[datetime]').forEach(function (t) {
      var d = new Date(t.getAttribute('datetime'));
      if (!isNaN(d)) t.textContent = d.toLocaleString();
    });
  }
  function fmt(s) {
    if (s < 60) return s.toFixed(1) + ' s';
    if (s < 3600) return Math.floor(s / 60) + ' m ' + Math.round(s % 60) + ' s';
    return Math.floor(s / 3600) + ' h ' + Math.round((s % 3600) / 60) + ' m';
  }
  function tick() {
    document.querySelectorAll('[data-since]').forEach(function (e) {
      var t = Date.parse(e.getAttribute('data-since'));
      if (!isNaN(t)) e.textContent = fmt(Math.max(0, (Date.now() - t) / 1000));
    });
  }
  localTimes(document);
  setInterval(tick, 1000);
  if (!main || !window.EventSource || !live) return;
  var busy = false, again = false;
  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    fetch(location.href, { headers: { 'X-Agentctl-Fragment': 'main' }, credentials: 'same-origin', cache: 'no-store' })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (text) {
        if (text === null) return;
        var focused = document.activeElement && document.activeElement.id;
        main.innerHTML = text;
        localTimes(main);
        tick();
        if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
        document.body.setAttribute('data-updated', String(Date.now()));
      })
      .catch(function () {})
      .then(function () { busy = false; if (again) { again = false; refresh(); } });
  }
  var es = new EventSource('/events');
  var lost = false;
  // after a lost connection (a server restart) changes may have been missed: look again
  es.addEventListener('open', function () { live.textContent = 'live'; if (lost) { lost = false; refresh(); } });
  es.addEventListener('error', function () { live.textContent = 'reconnecting…'; lost = true; });
  es.addEventListener('change', function (e) {
    var d = JSON.parse(e.data);
    var id = main.getAttribute('data-id');
    if ((d.list && main.hasAttribute('data-list')) || (id && d.ids.indexOf(id) >= 0)) refresh();
  });
})();
`;
