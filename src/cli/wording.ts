import type { Wording } from '../core/sys/errors.js';

/** Errors as a person at a terminal reads them: `--older-than`, `agentctl wait ID`. */
export const cliWording: Wording = {
  option: (name) => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
  command: (name, args) => `agentctl ${name}${args ? ` ${args}` : ''}`,
};
