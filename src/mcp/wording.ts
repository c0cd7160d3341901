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
  spawn: 'spawn_instance',
  send: 'send_to_instance',
  ask: 'send_to_instance',
  instances: 'list_instances',
  read: 'get_instance_output',
  interrupt: 'interrupt_instance',
  answer: 'answer_permission',
  stop: 'terminate_instance',
  revive: 'revive_instance',
};

const argument = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * Errors as a model calling tools reads them: `older_than`, `wait_runs`; an option with a
 * value, `{opt:force=true}`, as the argument to pass: `force: true`. {opt:prompt} says how to
 * give the prompt (the CLI says: on stdin or with --prompt-file).
 */
export const mcpWording: Wording = {
  option: (name) => {
    if (name === 'prompt') return 'give the task for the worker in "prompt"';
    const eq = name.indexOf('=');
    return eq < 0 ? argument(name) : `${argument(name.slice(0, eq))}: ${name.slice(eq + 1)}`;
  },
  command: (name, args) => {
    const tool = name === 'wait' ? waitTool(args) : TOOLS[name];
    if (!tool) return `agentctl ${name}${args ? ` ${args}` : ''}`; // no tool does it: the shell command
    const given = toolArguments(args);
    return given ? `${tool} (${given})` : tool;
  },
};

/**
 * `agentctl wait` takes runs, instances and workflows; the tools are one per kind: a run id
 * (yyyyMMdd-HHmmss-xxxx, or the placeholder ID) is wait_runs', a workflow's (wf-...)
 * workflow_status', anything else an instance's id or name.
 */
function waitTool(args: string): string {
  const first = args.trim().split(/\s+/)[0] ?? '';
  if (!first || first === 'ID' || /^\d{8}-\d{6}-[a-z0-9]{4}$/.test(first)) return 'wait_runs';
  return first.startsWith('wf-') ? 'workflow_status' : 'wait_instances';
}

/** A CLI command's arguments as tool arguments: `--parent-run-id X --force` -> `parent_run_id: X, force: true`. */
function toolArguments(args: string): string {
  const words = args.split(/\s+/).filter((w) => w && w !== '...' && !w.startsWith('<<'));
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (!w.startsWith('--')) {
      out.push(w);
      continue;
    }
    const next = words[i + 1];
    const key = w.slice(2).replace(/-/g, '_');
    if (next !== undefined && !next.startsWith('--')) {
      out.push(`${key}: ${next}`);
      i++;
    } else out.push(`${key}: true`);
  }
  return out.join(', ');
}
