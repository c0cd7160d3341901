// Issue 9 "consistent, stable output": what list, wait, resume, clean, doctor and logs print
// is the same shape every time and fits where it is printed.
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { readMeta, writeMeta } from '../../src/core/runs/store.js';
import { finished, inProcessWorkspace } from '../helpers/inprocess.js';

const w = inProcessWorkspace();

describe('list', () => {
  w.record(finished('20260102-000000-long', 'goal_met', { title: `a very long title ${'word '.repeat(40)}end` }));

  it('fits COLUMNS: the title is cut, no row wraps', async () => {
    const r = await w.cli(['list'], { env: { ...w.env, COLUMNS: '72' } });
    const rows = r.stdout.trimEnd().split('\n');
    expect(rows.length).toBeGreaterThan(1);
    for (const row of rows) expect([...row].length).toBeLessThanOrEqual(72);
    expect(rows.find((l) => l.includes('long'))).toMatch(/a very .*…$/);
  });

  it('prints whole titles when not on a terminal and COLUMNS is unset', async () => {
    expect((await w.cli(['list'])).stdout).toContain('word end');
  });

  it('an unknown --project is bad input with the fix', async () => {
    const r = await w.cli(['list', '--project', 'nosuch']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('agentctl: unknown project "nosuch": see "agentctl projects" for the registered ones\n');
  });
});

describe('resume', () => {
  it('takes the run id as its argument, like escalate; --parent-run-id still works', async () => {
    for (const args of [['resume', 'nosuchrun'], ['resume', '--parent-run-id', 'nosuchrun']]) {
      const r = await w.cli(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^agentctl: no run .*nosuchrun/);
    }
  });
});

describe('wait', () => {
  it('prints one line per run in argument order, each with the same keys', async () => {
    w.record(finished('20260103-000000-done'));
    w.record({ ...finished('20260103-000000-busy'), status: 'running', outcome: null, ended_at: null, goal_met: null, summary: null, followup_prompt: null, exit_code: null });
    // busy never ends: the timeout prints it as it stands, after done has ended
    const r = await w.cli(['wait', 'busy', 'done', '--timeout', '1']);
    expect(r.code).toBe(5);
    const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.run_id)).toEqual(['20260103-000000-busy', '20260103-000000-done']);
    expect(Object.keys(lines[0])).toEqual(Object.keys(lines[1]));
    expect(lines[1]).toMatchObject({ error: null, followup_prompt: null, branch: null, worktree: null });
  });

  it('says so in its help', async () => {
    let help = '';
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      help += String(chunk);
      return true;
    });
    try {
      expect((await w.cli(['wait', '--help'])).code).toBe(0);
    } finally {
      spy.mockRestore();
    }
    expect(help).toMatch(/in the order the ids are given/);
  });
});

describe('clean --dry-run --json', () => {
  it('says would_remove, not removed', async () => {
    const r = await w.cli(['clean', '--dry-run', '--json']);
    const rep = JSON.parse(r.stdout);
    expect(rep).toHaveProperty('would_remove');
    expect(rep).not.toHaveProperty('removed');
    expect(Object.keys(JSON.parse((await w.cli(['clean', '--json'])).stdout))).toContain('removed');
  });
});

describe('doctor', () => {
  it('counts worktrees, not the runs that share them', async () => {
    // a path no git knows and no directory holds: nothing stale to report, only the count
    const path = join(w.root, 'elsewhere', '20260104-000000-wt1');
    const worktree = { path, cwd: path, branch: 'agentctl/20260104-000000-wt1', repo_root: w.root, base_ref: 'HEAD', base: 'a'.repeat(40), with_changes: false, created_by: '20260104-000000-wt1', commit: null, head: null, diff_stat: null, files_changed: null, merged: null, removed_at: null, branch_deleted_at: null };
    w.record(finished('20260104-000000-wt1', 'goal_not_met', { worktree }));
    w.record(finished('20260104-000001-wt2', 'goal_met', { worktree, parent_run_id: '20260104-000000-wt1', mode: 'resume' }));
    const r = await w.cli(['doctor', '--json']);
    const check = JSON.parse(r.stdout).checks.find((c: { name: string }) => /worktrees/.test(c.name));
    expect(check).toMatchObject({ name: 'worktrees' });
    expect(check.detail).toMatch(/^1 in use/);
  });
});

describe('logs -f', () => {
  it('says when the run has printed nothing yet, then keeps following to its end', async () => {
    const id = '20260105-000000-quiet';
    w.record({ ...finished(id), status: 'running', outcome: null, ended_at: null, goal_met: null, exit_code: null });
    const ctx = w.ctx();
    const out: string[] = [];
    const { followLogs } = await import('../../src/app/logs.js');
    const done = followLogs(ctx, { id, follow: true }, (l) => {
      out.push(l);
      // the run ends once the note is out: following must go on until then
      if (out.length === 1) writeMeta(ctx.ws, { ...readMeta(ctx.ws, id), status: 'finished', outcome: 'goal_met', ended_at: new Date().toISOString() });
    });
    await done;
    expect(out[0]).toBe('(no events yet; following until the run ends)');
    expect(out.at(-1)).toMatch(/^-- goal_met/);
  }, 15_000);
});
