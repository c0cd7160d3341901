// Text from agents and users (titles, summaries, event lines, paths in errors) must reach a
// terminal as visible characters, never as control sequences it would act on.
import { describe, expect, it } from 'vitest';
import { visible } from '../../src/core/sys/terminal.js';
import { finished, inProcessWorkspace } from '../helpers/inprocess.js';

const HOSTILE = 'fix \x1b]0;pwned\x07 bug\x1b[2J\rover\x1b[1A\u009b2J';
/** Any byte a terminal acts on: C0 (but newline), DEL, C1. */
const CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f]/;

describe('visible', () => {
  it('shows escape sequences, carriage returns and C1 controls as text', () => {
    const v = visible(HOSTILE, { oneLine: true });
    expect(v).toBe('fix \\e]0;pwned\\a bug\\e[2J\\rover\\e[1A\\x9b2J');
    expect(v).not.toMatch(CONTROL);
  });

  it('one-line fields show newlines and tabs as \\n and \\t; multi-line text keeps its newlines', () => {
    expect(visible('a\nb\tc', { oneLine: true })).toBe('a\\nb\\tc');
    expect(visible('a\nb\tc\r\n')).toBe('a\nb\tc\\r\n');
  });

  it('keeps ordinary Unicode, shows bidi overrides', () => {
    expect(visible('ünïcode ✔ 漢字 — 🚀')).toBe('ünïcode ✔ 漢字 — 🚀');
    expect(visible('a\u202eb')).toBe('a\\u202eb');
  });
});

describe('human output shows control characters visibly', () => {
  const w = inProcessWorkspace();
  w.record(finished('20260101-000000-evil', 'goal_met', { title: HOSTILE, summary: `done\x1b]0;x\x07\nsecond line` }));

  it('list', async () => {
    const r = await w.cli(['list']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('fix \\e]0;pwned\\a bug');
    expect(r.stdout).not.toMatch(CONTROL);
  });

  it('list --json stays exact', async () => {
    const r = await w.cli(['list', '--json']);
    expect(JSON.parse(r.stdout)[0].title).toBe(HOSTILE);
  });

  it('tail', async () => {
    const { appendNotification, notification } = await import('../../src/core/lifecycle/notify.js');
    const { readMeta } = await import('../../src/core/runs/store.js');
    const { ws } = w.ctx();
    appendNotification(ws, notification('finish', readMeta(ws, '20260101-000000-evil')));
    const r = await w.cli(['tail', '--no-follow']);
    expect(r.stdout).toContain('pwned');
    expect(r.stdout).toContain('done\\e]0;x\\a\\nsecond line');
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stdout).not.toMatch(CONTROL);
  });

  it('logs', async () => {
    const r = await w.cli(['logs', 'evil']);
    expect(r.stdout).toContain('done\\e]0;x\\a\\nsecond line');
    expect(r.stdout).not.toMatch(CONTROL);
  });

  it('an error quoting user input', async () => {
    const r = await w.cli(['show', 'no\x1b[2Jsuch']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no\\e[2Jsuch');
    expect(r.stderr).not.toMatch(CONTROL);
  });
});

describe('truncate', () => {
  it('cuts to the width in columns, wide characters counting two, and marks the cut', async () => {
    const { truncate } = await import('../../src/cli/terminal.js');
    expect(truncate('short', 10)).toBe('short');
    expect(truncate('abcdefghij', 6)).toBe('abcde…');
    expect(truncate('漢字漢字漢字', 7)).toBe('漢字漢…');
  });
});
