import { test, expect } from 'vitest';
import { makeEnv, waitFor } from '../helpers/harness.js';
test('scratch', async () => {
  const t = await makeEnv();
  try {
    const repo = t.repo();
    const t0 = Date.now();
    const id = await t.start(['--project', repo, '--profile', 'spark'], 'hello\n');
    const t1 = Date.now();
    const w = await t.run(['wait', id]);
    const t2 = Date.now();
    console.log(id, t1 - t0, t2 - t1, w);
    console.log(JSON.stringify(t.meta(id), null, 1));
    console.log(t.tmux(['list-panes', '-a', '-F', '#{pane_id} #{pane_dead} #{pane_title}']));
  } finally { await t.cleanup(); }
});
