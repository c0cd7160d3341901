import type { Wording } from '../core/sys/errors.js';

const flag = (name: string) => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/**
 * The prompt is no option on the command line: it comes on stdin or from --prompt-file, so
 * {opt:prompt} says how to give it.
 */
const PROMPT = "pipe the prompt on stdin (agentctl start ... <<'PROMPT') or pass --prompt-file FILE";

/**
 * Errors as a person at a terminal reads them: `--older-than`, `agentctl wait ID`; an option
 * with a value, `{opt:force=true}`, as it is typed: `--force`, `--no-worktree`, `--base REF`.
 */
export const cliWording: Wording = {
  option: (name) => {
    if (name === 'prompt') return PROMPT;
    const eq = name.indexOf('=');
    if (eq < 0) return flag(name);
    const [key, value] = [name.slice(0, eq), name.slice(eq + 1)];
    if (value === 'true') return flag(key);
    if (value === 'false') return `--no-${flag(key).slice(2)}`;
    return `${flag(key)} ${value}`;
  },
  command: (name, args) => `agentctl ${name}${args ? ` ${args}` : ''}`,
};
