import type { Wording } from '../core/sys/errors.js';

/** The tool that does what a CLI command does, for errors a model reads. */
const TOOLS: Record<string, string> = {
  start: 'start_run',
  wait: 'wait_runs',
  show: 'show_run',
  list: 'list_runs',
  resume: 'resume_run',
  escalate: 'escalate_run',
  cancel: 'cancel_run',
  logs: 'run_logs',
  tail: 'notifications',
  projects: 'list_projects',
  'add-project': 'add_project',
  doctor: 'doctor',
  diff: 'run_diff',
  merge: 'merge_run',
  discard: 'discard_run',
  clean: 'clean_worktrees',
};

/** Errors as a model calling tools reads them: `older_than`, `wait_runs`. */
export const mcpWording: Wording = {
  option: (name) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`),
  command: (name, args) => {
    const tool = TOOLS[name];
    return tool ? `${tool}${args ? ` (${args})` : ''}` : `the shell command "agentctl ${name}${args ? ` ${args}` : ''}"`;
  },
};
