// In-process tests of the front-ends: a throwaway workspace with hand-made run records, and
// output streams that capture what a command prints. No tmux, no built binary.
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll } from 'vitest';
import { type AppContext, createContext } from '../../src/app/context.js';
import { runCli } from '../../src/cli/main.js';
import { type Meta, newMeta } from '../../src/core/runs/meta.js';
import { createRunDir, indexRun, writeMeta } from '../../src/core/runs/store.js';
import { ensureWorkspace } from '../../src/core/workspace/config.js';

/** A stream that keeps what is written to it. */
export class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    this.text += String(chunk);
    cb();
  }
}

export interface Workspace {
  root: string;
  home: string;
  /** The environment commands see: the workspace as AI_ORCH_HOME, no tmux. */
  env: NodeJS.ProcessEnv;
  /** A context on this workspace with fresh captured streams. */
  ctx(o?: { cwd?: string; env?: NodeJS.ProcessEnv }): AppContext & { stdout: Capture; stderr: Capture };
  /** `agentctl args...` in this process: exit code and what it printed. */
  cli(args: string[], o?: { cwd?: string; env?: NodeJS.ProcessEnv }): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Write a run record as a finished (or other) run would have left it; returns it. */
  record(fields: Partial<Meta> & { run_id: string }): Meta;
}

/** A workspace made before the file's tests and removed after them. */
export function inProcessWorkspace(): Workspace {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'agentctl-unit-')));
  const home = join(root, 'ws');
  ensureWorkspace(home);
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: root, AI_ORCH_HOME: home };
  const w: Workspace = {
    root,
    home,
    env,
    ctx: (o = {}) => createContext({ env: o.env ?? env, cwd: o.cwd ?? root, stdout: new Capture(), stderr: new Capture() }) as AppContext & { stdout: Capture; stderr: Capture },
    async cli(args, o = {}) {
      const stdout = new Capture();
      const stderr = new Capture();
      const code = await runCli(args, { env: o.env ?? env, cwd: o.cwd ?? root, stdout, stderr });
      return { code, stdout: stdout.text, stderr: stderr.text };
    },
    record(fields) {
      const ws = createContext({ env }).ws;
      const meta = newMeta({ title: 'a run', project_dir: root, profile: 'shell', agent: 'shell', created_at: new Date().toISOString(), ...fields });
      createRunDir(ws, meta.run_id);
      writeMeta(ws, meta);
      indexRun(ws, meta.run_id, meta.created_at);
      return meta;
    },
  };
  return w;
}

/** A run that finished a minute ago with this outcome. */
export function finished(run_id: string, outcome: 'goal_met' | 'goal_not_met' = 'goal_met', extra: Partial<Meta> = {}): Partial<Meta> & { run_id: string } {
  const ended = new Date(Date.now() - 60_000);
  const started = new Date(ended.getTime() - 12_300);
  return {
    run_id,
    status: 'finished',
    outcome,
    goal_met: outcome === 'goal_met',
    exit_code: 0,
    summary: `${outcome} summary`,
    followup_prompt: outcome === 'goal_met' ? '' : 'try again',
    created_at: started.toISOString(),
    started_at: started.toISOString(),
    ended_at: ended.toISOString(),
    ...extra,
  };
}
