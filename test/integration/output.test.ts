// Issue 9: output as a person meets it on a real tmux server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEnv, type TestEnv, waitFor } from '../helpers/harness.js';

let t: TestEnv;

beforeAll(async () => {
  t = await makeEnv();
  expect((await t.run(['init'])).code).toBe(0);
});

afterAll(async () => {
  await t?.cleanup();
});

describe('start --target', () => {
  it('refuses a dead pane, saying it is dead, and starts nothing', async () => {
    // a pane whose program exited, kept on screen by remain-on-exit
    const pane = t.tmux(['new-session', '-d', '-s', 'held', '-x', '120', '-y', '40', '-P', '-F', '#{pane_id}', 'cat']).trim();
    t.tmux(['set-option', '-w', '-t', pane, 'remain-on-exit', 'on']);
    t.tmux(['send-keys', '-t', pane, 'C-d']);
    await waitFor(() => t.tmux(['display-message', '-p', '-t', pane, '#{pane_dead}']).trim() === '1', 10_000, 'the pane to die');
    const panesBefore = t.tmux(['list-panes', '-a', '-F', '#{pane_id}']);

    const r = await t.run(['start', '--target', pane, '--agent', 'shell', '--title', 't', '--', 'true']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`agentctl: tmux target ${pane} is a dead pane (its program exited): give a live pane (e.g. %3 or ai:0.1), or close it with "tmux kill-pane -t ${pane}"`);
    expect(t.tmux(['list-panes', '-a', '-F', '#{pane_id}'])).toBe(panesBefore);
    expect((await t.run(['list', '--json'])).stdout.trim()).toBe('[]');
  });
});
