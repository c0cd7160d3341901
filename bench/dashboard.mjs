// The dashboard with many runs: first paint of the front page in headless Chromium (the
// distribution's, driven by playwright-core), and the delay from a change on disk (a new run,
// a record rewritten) to the page showing it. Called by bench.mjs on its workspace of RUNS records;
// `node bench/dashboard.mjs` runs it alone on a workspace of its own.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const CHROMIUM = process.env.AGENTCTL_CHROMIUM ?? '/usr/bin/chromium';

const round = (x) => Math.round(x * 10) / 10;
function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { median: round(at(0.5)), p95: round(at(0.95)), n: s.length };
}
const report = (name, s) => console.log(`${name.padEnd(34)} median ${String(s.median).padStart(7)} ms   p95 ${String(s.p95).padStart(7)} ms`);

/** Writes a run's record the way start publishes one: built aside, renamed into place, indexed. */
function publish(home, template, runId, fields) {
  const draft = join(home, 'runs', `.start-${runId}`);
  mkdirSync(draft);
  writeFileSync(join(draft, 'meta.json'), JSON.stringify({ ...template, run_id: runId, ...fields }));
  const t0 = Date.now();
  renameSync(draft, join(home, 'runs', runId));
  appendFileSync(join(home, 'runs', '.index'), `${fields.created_at}\t${runId}\n`);
  return t0;
}

function rewrite(home, runId, change) {
  const file = join(home, 'runs', runId, 'meta.json');
  const next = { ...JSON.parse(readFileSync(file, 'utf8')), ...change };
  writeFileSync(`${file}.tmp`, JSON.stringify(next));
  const t0 = Date.now();
  renameSync(`${file}.tmp`, file);
  return t0;
}

export async function dashboardBench({ bin, env, cwd, home, template, runs, n }) {
  if (!existsSync(CHROMIUM)) {
    console.log(`${'dashboard'.padEnd(34)} n/a (no Chromium at ${CHROMIUM})`);
    return null;
  }
  const { chromium } = await import('playwright-core');
  const server = spawn(bin, ['serve', '--http', '127.0.0.1:0'], { env, cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  server.stderr.on('data', (d) => (err += d));
  const port = await new Promise((res, rej) => {
    const check = () => {
      const m = /serving the dashboard on http:\/\/127\.0\.0\.1:(\d+)\//.exec(err);
      if (m) return res(Number(m[1]));
      if (server.exitCode !== null) return rej(new Error(`serve exited: ${err}`));
      setTimeout(check, 20);
    };
    check();
  });
  const base = `http://127.0.0.1:${port}`;
  const token = readFileSync(join(home, 'mcp-token'), 'utf8').trim();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--disable-dev-shm-usage', ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])] });
  const results = {};
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${base}/login?token=${encodeURIComponent(token)}`);

    const paints = [];
    for (let i = 0; i <= n; i++) {
      await page.goto(`${base}/`);
      const fcp = await (await page.waitForFunction(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime)).jsonValue();
      if (i > 0) paints.push(fcp); // the first warms the server's and the disk's caches
    }
    results.dashboard_first_paint = stats(paints);
    report(`dashboard first paint (${runs} runs)`, results.dashboard_first_paint);

    // the page records when each row appears, in its state (every update replaces the rows)
    await page.evaluate(() => {
      window.seen = {};
      new MutationObserver(() => {
        for (const tr of document.querySelectorAll('tr[id^="run-"]')) {
          const key = `${tr.id} ${tr.className}`;
          window.seen[key] ??= Date.now();
        }
      }).observe(document.getElementById('main'), { childList: true, subtree: true });
    });
    await page.waitForFunction(() => document.getElementById('live')?.textContent === 'live');
    const appear = [];
    const end = [];
    const seenAt = (key) => page.waitForFunction((k) => window.seen[k], key, { timeout: 10_000 }).then((h) => h.jsonValue());
    for (let i = 0; i < n; i++) {
      const runId = `dash-${String(i).padStart(6, '0')}`;
      const now = new Date().toISOString();
      // records of runs that ended: a running one here would have no live worker, and be marked lost
      const t0 = publish(home, template, runId, { created_at: now, started_at: now, ended_at: now, status: 'finished', outcome: 'goal_met', title: `dashboard bench ${i}` });
      appear.push((await seenAt(`run-${runId} row-goal_met`)) - t0);
      const t1 = rewrite(home, runId, { outcome: 'agent_error' });
      end.push((await seenAt(`run-${runId} row-agent_error`)) - t1);
      await new Promise((r) => setTimeout(r, 100)); // changes apart, not one batch
    }
    results.dashboard_new_run = stats(appear);
    report('dashboard: new run -> shown', results.dashboard_new_run);
    results.dashboard_record_change = stats(end);
    report('dashboard: record changes -> shown', results.dashboard_record_change);
  } finally {
    await browser.close();
    server.kill('SIGTERM');
  }
  return results;
}

// alone: a workspace of RUNS finished records made from a real shell run's
if (import.meta.url === `file://${process.argv[1]}`) {
  const ROOT = resolve(import.meta.dirname, '..');
  const bin = join(ROOT, 'bin', 'agentctl');
  const dir = mkdtempSync(join(tmpdir(), 'agentctl-bench-'));
  const home = join(dir, 'ws');
  const socket = join(dir, 'tmux.sock');
  const env = { ...process.env, AI_ORCH_HOME: home, AGENTCTL_TMUX_SOCKET: socket };
  delete env.TMUX;
  delete env.TMUX_PANE;
  const runs = Number(process.env.BENCH_RUNS ?? 10_000);
  try {
    spawnSync(bin, ['init'], { env, cwd: dir });
    const id = spawnSync(bin, ['start', '--agent', 'shell', '--title', 'template', '--', 'true'], { env, cwd: dir, encoding: 'utf8' }).stdout.trim();
    spawnSync(bin, ['wait', id], { env, cwd: dir });
    const template = JSON.parse(readFileSync(join(home, 'runs', id, 'meta.json'), 'utf8'));
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    let index = '';
    for (let i = 0; i < runs; i++) {
      const runId = `bench-${String(i).padStart(6, '0')}`;
      const created = new Date(t0 + i * 1000).toISOString();
      mkdirSync(join(home, 'runs', runId));
      writeFileSync(join(home, 'runs', runId, 'meta.json'), JSON.stringify({ ...template, run_id: runId, created_at: created, started_at: created, ended_at: created, title: `bench run ${i}`, cost_usd: (i % 7) / 100 }));
      index += `${created}\t${runId}\n`;
    }
    appendFileSync(join(home, 'runs', '.index'), index);
    const results = await dashboardBench({ bin, env, cwd: dir, home, template, runs, n: Number(process.env.BENCH_N ?? 30) });
    console.log(JSON.stringify({ results }));
  } finally {
    spawnSync('tmux', ['-S', socket, 'kill-server'], { env });
    rmSync(dir, { recursive: true, force: true });
  }
}
