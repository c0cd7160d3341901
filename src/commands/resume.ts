import { escalateRun, resumeRun } from '../core/chain.js';
import { resolveHome, workspace } from '../core/paths.js';
import { readPrompt } from '../core/stdin.js';
import { readMeta, resolveRunId } from '../core/store.js';
import { printStarted } from './start.js';

export interface ResumeOptions {
  home?: string;
  parentRunId: string;
  profile?: string;
  title?: string;
  model?: string;
  schema?: string;
  timeout?: string;
  promptFile?: string;
  runId?: string;
  window?: boolean;
  target?: string;
  json?: boolean;
  autoEscalate?: boolean;
}

export async function resumeCmd(o: ResumeOptions): Promise<void> {
  const home = resolveHome(o.home);
  const ws = workspace(home);
  const parent = readMeta(ws, resolveRunId(ws, o.parentRunId));
  const prompt = await readPrompt({ promptFile: o.promptFile, optional: parent.agent === 'shell' });
  const { meta } = await resumeRun({
    home,
    env: process.env,
    cwd: process.cwd(),
    parent,
    prompt,
    profile: o.profile,
    title: o.title,
    model: o.model,
    schemaFile: o.schema,
    timeout: o.timeout,
    runId: o.runId,
    autoEscalate: o.autoEscalate,
    placement: { window: o.window, target: o.target },
  });
  printStarted(meta, o.json);
}

export async function escalateCmd(o: { home?: string; id: string; profile?: string; window?: boolean; json?: boolean }): Promise<void> {
  const home = resolveHome(o.home);
  const ws = workspace(home);
  const parent = readMeta(ws, resolveRunId(ws, o.id));
  const { meta } = await escalateRun({ home, env: process.env, cwd: process.cwd(), parent, profile: o.profile, placement: { window: o.window } });
  printStarted(meta, o.json);
}
