// What the supervisor writes to the worker's pane and its title: agent text must not reach the
// terminal as control sequences (only the pane's own colours may).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { paneTitle, reportInPane, sayHeader, sayProgress, sayStderr } from '../../src/core/lifecycle/pane.js';
import { newMeta } from '../../src/core/runs/meta.js';

const HOSTILE = 'x\x1b]0;pwned\x07\x1b[2J\r\x1b[1A\u009b2Jy';
/** Control characters other than the pane's own SGR colour sequences. */
const foreign = (s: string) => /[\x00-\x09\x0b-\x1f\x7f-\x9f]/.test(s.replace(/\x1b\[\d+m/g, ''));

function captured(fn: () => void): string {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    fn();
  } finally {
    spy.mockRestore();
  }
  return out;
}

afterEach(() => vi.restoreAllMocks());

describe('pane output', () => {
  const meta = {
    ...newMeta({ run_id: 'r1', title: HOSTILE, project_dir: '/p', profile: 'shell', agent: 'shell', created_at: new Date().toISOString() }),
    outcome: 'goal_met' as const,
    summary: `done${HOSTILE}`,
    validation_errors: [`bad ${HOSTILE}`],
  };

  it('progress, stderr, header and report show agent text visibly', () => {
    for (const out of [
      captured(() => sayProgress({ kind: 'message', text: HOSTILE })),
      captured(() => sayStderr(HOSTILE)),
      captured(() => sayHeader(meta, '/p')),
      captured(() => reportInPane(meta, null)),
    ]) {
      expect(out).toContain('\\e]0;pwned\\a');
      expect(foreign(out)).toBe(false);
    }
  });

  it('the pane title is one line of visible text', () => {
    const t = paneTitle(meta);
    expect(t).toContain('r1 · shell · x\\e]0;pwned\\a');
    expect(foreign(t)).toBe(false);
  });
});
