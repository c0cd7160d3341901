import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export interface Workspace {
  home: string;
  config: string;
  projects: string;
  schemasDir: string;
  defaultSchema: string;
  runs: string;
  index: string;
  notify: string;
  locks: string;
}

/** `--home` wins over AI_ORCH_HOME (in env, default this process's), which wins over ~/.ai-orch. */
export function resolveHome(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  const raw = flag || env.AI_ORCH_HOME || join(homedir(), '.ai-orch');
  return resolve(raw);
}

export function workspace(home: string): Workspace {
  return {
    home,
    config: join(home, 'config.json'),
    projects: join(home, 'projects.json'),
    schemasDir: join(home, 'schemas'),
    defaultSchema: join(home, 'schemas', 'result.schema.json'),
    runs: join(home, 'runs'),
    index: join(home, 'runs', '.index'),
    notify: join(home, 'notify.log'),
    locks: join(home, '.locks'),
  };
}

/** Files of one run; the id must already be validated. */
export function runFiles(home: string, id: string) {
  const dir = join(home, 'runs', id);
  return {
    dir,
    meta: join(dir, 'meta.json'),
    prompt: join(dir, 'prompt.md'),
    schema: join(dir, 'schema.json'),
    events: join(dir, 'events.jsonl'),
    stderr: join(dir, 'stderr.log'),
    answer: join(dir, 'answer.txt'),
    result: join(dir, 'result.json'),
    env: join(dir, 'env.json'),
    cancel: join(dir, 'cancel'),
    lock: join(dir, '.lock'),
  };
}
export type RunFiles = ReturnType<typeof runFiles>;
