// Persistent instances with the REAL claude and codex TUIs (from $AGENTCTL_REAL_CLIS, else the
// pinned ones .ci/run installs into ~/.cache/agentctl-clis) against the loopback model server,
// offline: spawn to ready, send to confirmed delivery, the agent's Stop hook to `wait`
// returning (the hook's own time is the name of the payload file it dropped), and interrupt
// to idle. Skipped, saying why, when the binaries are not there.
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { offlineCodexConfig, startModelServer } from '../test/helpers/model-server.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'agentctl');

function realClis() {
  const dir = process.env.AGENTCTL_REAL_CLIS || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'agentctl-clis', 'node_modules', '.bin');
  const found = {};
  for (const agent of ['claude', 'codex']) {
    try {
      accessSync(join(dir, agent), constants.X_OK);
      found[agent] = true;
    } catch {
      found[agent] = false;
    }
  }
  return { dir, found };
}

const now = () => performance.timeOrigin + performance.now();

/** The time (ms since the epoch, fractional) the instance's last Stop hook ran, from its payload's file name. */
function lastStopAt(home, id) {
  const lines = readFileSync(join(home, 'instances', id, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  // the Stop hook (codex's notify may come before or after it: not the end `wait` answers to)
  const stop = lines.filter((e) => e.kind === 'hook' && e.hook === 'Stop' && e.key).at(-1);
  if (!stop) return null;
  return Number(BigInt(stop.key.split('-')[0]) / 1000n) / 1000;
}

export async function benchInstances({ dir, env: baseEnv, n, stats, report }) {
  const results = {};
  const { dir: binDir, found } = realClis();
  const agents = Object.keys(found).filter((a) => found[a]);
  if (!agents.length) {
    console.log(`instances: skipped (no real claude or codex in ${binDir}; bash .ci/run installs them)`);
    return results;
  }
  const server = await startModelServer();
  const user = join(dir, 'instance-user');
  const codexHome = join(user, '.codex');
  mkdirSync(codexHome, { recursive: true });
  writeFileSync(join(codexHome, 'config.toml'), offlineCodexConfig(server.url));
  const env = {
    ...baseEnv,
    HOME: user,
    CODEX_HOME: codexHome,
    PATH: `${binDir}:${baseEnv.PATH}`,
    HTTPS_PROXY: server.url, HTTP_PROXY: server.url, https_proxy: server.url, http_proxy: server.url,
    NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost',
    SCRIPTED_API_KEY: 'sk-scripted',
    ANTHROPIC_BASE_URL: server.url, ANTHROPIC_API_KEY: 'sk-ant-scripted-0123456789abcdef',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', DISABLE_TELEMETRY: '1', DISABLE_ERROR_REPORTING: '1', DISABLE_AUTOUPDATER: '1', CLAUDE_CODE_MAX_RETRIES: '0',
    CLAUDE_CODE_DISABLE_OFFICIAL_MARKETPLACE_AUTOINSTALL: '1',
  };
  for (const k of ['ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CODE_OAUTH_TOKEN', 'CLAUDE_CONFIG_DIR', 'ALL_PROXY', 'all_proxy']) delete env[k];
  const home = env.AI_ORCH_HOME;
  const project = join(dir, 'instance-project');
  mkdirSync(project, { recursive: true });
  spawnSync('git', ['init', '-q', project], { env });

  const cli = (args, input) => {
    const t = now();
    const r = spawnSync(BIN, args, { env, cwd: project, input, encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) throw new Error(`agentctl ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
    return { ms: now() - t, stdout: r.stdout };
  };
  // every side request (claude's session title) and every turn gets a short text reply
  server.addRules({ api: 'openai', times: Infinity, reply: { text: 'ok' } }, { api: 'anthropic', times: Infinity, reply: (req) => (req.body?.tools?.length || req.stream ? { text: 'ok' } : { text: '{"title":"bench"}' }) });

  try {
    for (const agent of agents) {
      const ready = [];
      for (let i = 0; i < Math.max(3, Math.min(n, 5)); i++) {
        const r = cli(['spawn', '--agent', agent, '--name', `ready-${agent}-${i}`, '--permissions', 'bypass', '--project', project]);
        ready.push(r.ms);
        cli(['stop', r.stdout.trim()]);
      }
      results[`${agent}_spawn_ready`] = stats(ready);
      report(`${agent}: spawn to ready`, results[`${agent}_spawn_ready`]);

      const id = cli(['spawn', '--agent', agent, '--name', `bench-${agent}`, '--permissions', 'bypass', '--project', project]).stdout.trim();
      const delivered = [];
      const woke = [];
      for (let i = 0; i < n; i++) {
        // the model's answer is held until `wait` is watching, so it measures the end, not the turn
        let release;
        const held = new Promise((r) => (release = r));
        server.addRules({ api: agent === 'claude' ? 'anthropic' : 'openai', when: (req) => req.prompt.includes(`turn ${i} of the bench`), reply: () => held.then(() => ({ text: `done ${i}` })) });
        delivered.push(cli(['send', id], `turn ${i} of the bench`).ms);
        const waiter = spawn(BIN, ['wait', id], { env: { ...env, AGENTCTL_TRACE: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
        const ended = new Promise((r) => waiter.on('exit', () => r(now())));
        // the answer is released once wait's watches are in place (its trace says so)
        await new Promise((r) => {
          let seen = '';
          waiter.stderr.on('data', (d) => {
            seen += d;
            if (seen.includes('] following')) r();
          });
          waiter.on('exit', r);
        });
        release();
        const returned = await ended;
        const stop = lastStopAt(home, id);
        if (stop !== null) woke.push(returned - stop);
      }
      results[`${agent}_send_delivered`] = stats(delivered);
      report(`${agent}: send to confirmed delivery`, results[`${agent}_send_delivered`]);
      results[`${agent}_stop_to_wait`] = stats(woke);
      report(`${agent}: Stop hook to wait returning`, results[`${agent}_stop_to_wait`]);

      const interrupted = [];
      for (let i = 0; i < Math.max(3, Math.min(n, 5)); i++) {
        let release;
        const held = new Promise((r) => (release = r));
        server.addRules({ api: agent === 'claude' ? 'anthropic' : 'openai', when: (req) => req.prompt.includes(`long ${i}`), reply: () => held.then(() => ({ text: 'late' })) });
        cli(['send', id], `long ${i}`);
        interrupted.push(cli(['interrupt', id]).ms);
        release();
      }
      results[`${agent}_interrupt_idle`] = stats(interrupted);
      report(`${agent}: interrupt to idle`, results[`${agent}_interrupt_idle`]);
      cli(['stop', id]);
    }
  } finally {
    await server.close();
  }
  return results;
}

// `node bench/instances.mjs`: only these figures (after npm run build), in a throwaway workspace
if (import.meta.url === `file://${process.argv[1]}`) {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'agentctl-bench-'));
  const env = { ...process.env, AI_ORCH_HOME: join(dir, 'ws'), AGENTCTL_TMUX_SOCKET: join(dir, 'tmux.sock') };
  delete env.TMUX;
  delete env.TMUX_PANE;
  const stats = (samples) => {
    const s = [...samples].sort((a, b) => a - b);
    const at = (q) => Math.round(s[Math.min(s.length - 1, Math.floor(q * s.length))] * 10) / 10;
    return { median: at(0.5), p95: at(0.95), n: s.length };
  };
  const report = (name, s) => console.log(`${name.padEnd(34)} median ${String(s.median).padStart(7)} ms   p95 ${String(s.p95).padStart(7)} ms`);
  try {
    spawnSync(BIN, ['init'], { env, stdio: 'ignore' });
    const results = await benchInstances({ dir, env, n: Number(process.env.BENCH_N ?? 10), stats, report });
    console.log(JSON.stringify({ results }));
  } finally {
    spawnSync('tmux', ['-S', env.AGENTCTL_TMUX_SOCKET, 'kill-server'], { env });
    rmSync(dir, { recursive: true, force: true });
  }
}
