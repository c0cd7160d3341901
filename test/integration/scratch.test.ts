import { test } from 'vitest';
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { CLI, makeEnv, waitFor } from '../helpers/harness.js';
test('scratch', async () => {
  const t = await makeEnv();
  try {
    const repo = t.repo();
    await t.run(['init']);
    const id = await t.start(['--project', repo], `x\n@fake hang\n@fake child-pid=${t.root}/c.pid\n`);
    const m = await waitFor(() => { const m = t.meta(id); return m.status === 'running' && m.pids.agent ? m : null; });
    await waitFor(() => { try { return readFileSync(t.root + '/c.pid', 'utf8'); } catch { return null; } });
    const p = execa(process.execPath, [CLI, 'wait', id], { env: t.env, extendEnv: false, reject: false });
    const t0 = Date.now();
    p.stdout.on('data', (d) => console.log('wait stdout +', Date.now() - t0));
    await new Promise((r) => setTimeout(r, 500));
    const k = Date.now();
    process.kill(m.pids.supervisor, 'SIGKILL');
    console.log('ppid', readFileSync(`/proc/${m.pids.supervisor}/stat`, 'utf8').split(') ')[1].split(' ')[1], 'tmux pid', t.tmux(['display', '-p', '#{pid}']));
    const iv = setInterval(() => { let st = 'gone'; try { st = readFileSync(`/proc/${m.pids.supervisor}/stat`, 'utf8').split(') ')[1].slice(0, 1); } catch {} ; console.log('+', Date.now() - k, 'sup', st, 'meta', t.meta(id).status); }, 250);
    await p;
    clearInterval(iv);
    console.log('done', Date.now() - k, JSON.stringify(t.meta(id).errors), t.meta(id).ended_at, new Date(k).toISOString());
  } finally { await t.cleanup(); }
});
