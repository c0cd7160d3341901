import { escalateRun, resumeRun } from '../../core/lifecycle/chain.js';
import type { Meta } from '../../core/runs/meta.js';
import { resolveHome, workspace } from '../../core/workspace/paths.js';
import { readPrompt } from '../../core/sys/stdin.js';
import { readMeta, resolveRunId } from '../../core/runs/store.js';
import { type Caller, printStarted, thisProcess } from './start.js';

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

/** The record of the run given by id, prefix or suffix. */
export function runRecord(home: string | undefined, query: string): Meta {
  const ws = workspace(resolveHome(home));
  return readMeta(ws, resolveRunId(ws, query));
}

/** Continue `parent` with a prompt already read: shared by the CLI and MCP. */
export async function resumeWith(o: ResumeOptions, parent: Meta, prompt: string, caller: Caller): Promise<Meta> {
  const { meta } = await resumeRun({
    home: resolveHome(o.home),
    env: caller.env,
    cwd: caller.cwd,
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
  return meta;
}

export async function resumeCmd(o: ResumeOptions): Promise<void> {
  const parent = runRecord(o.home, o.parentRunId);
  const prompt = await readPrompt({ promptFile: o.promptFile, optional: parent.agent === 'shell' });
  printStarted(await resumeWith(o, parent, prompt, thisProcess()), o.json);
}

export interface EscalateOptions {
  home?: string;
  id: string;
  profile?: string;
  window?: boolean;
  json?: boolean;
}

export async function escalateWith(o: EscalateOptions, caller: Caller): Promise<Meta> {
  const parent = runRecord(o.home, o.id);
  const { meta } = await escalateRun({ home: resolveHome(o.home), env: caller.env, cwd: caller.cwd, parent, profile: o.profile, placement: { window: o.window } });
  return meta;
}

export async function escalateCmd(o: EscalateOptions): Promise<void> {
  printStarted(await escalateWith(o, thisProcess()), o.json);
}
