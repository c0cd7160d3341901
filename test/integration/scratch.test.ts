import { test } from 'vitest';
import { readFileSync } from 'node:fs';
import { makeEnv, waitFor } from '../helpers/harness.js';
test('scratch', async () => {
  const t = await makeEnv();
  try {
    const repo = t.repo();
    t.orchestratorPane();
    t.tmux(['new-window', '-d', '--', process.execPath, '/tmp/sg2.mjs', repo, t.root + '/out.txt']);
    console.log(await waitFor(() => readFileSync(t.root + '/out.txt', 'utf8')));
    const id = await t.start(['--project', repo], 'x\n@fake write=a.txt:hi\n');
    await t.run(['wait', id]);
    console.log(JSON.stringify(t.meta(id).git), t.meta(id).git_diff_stat);
  } finally { await t.cleanup(); }
});
