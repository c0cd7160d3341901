// Exit codes are part of the CLI contract (README, `wait --help`); keep them in one place.
export const EXIT = {
  OK: 0,
  GOAL_NOT_MET: 1,
  USAGE: 2,
  RUN_FAILED: 3,
  RUN_LOST: 4,
  WAIT_TIMEOUT: 5,
  INTERNAL: 70,
} as const;

/**
 * How a front-end names things in an error's text. The application and the core write options
 * and operations as placeholders, `{opt:olderThan}` and `{cmd:wait ID}`, in neutral words; the
 * CLI renders them as `--older-than` and `agentctl wait ID`, the MCP server as `older_than` and
 * `wait_runs`. An option name is the camelCase key of the request it belongs to.
 */
export interface Wording {
  option(name: string): string;
  command(name: string, args: string): string;
}

const PLACEHOLDER = /\{(opt|cmd):([^{}]+)\}/g;

/** Neutral words: what an error says when no front-end renders it (logs, run records). */
export const plainWording: Wording = {
  option: (name) => {
    const eq = name.indexOf('=');
    const key = (eq < 0 ? name : name.slice(0, eq)).replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    return eq < 0 ? key : `${key}=${name.slice(eq + 1)}`;
  },
  command: (name, args) => `agentctl ${name}${args ? ` ${args}` : ''}`,
};

/** Replaces the placeholders in an error template with a front-end's words. */
export function word(template: string, w: Wording): string {
  return template.replace(PLACEHOLDER, (_m, kind: string, body: string) => {
    if (kind === 'opt') return w.option(body);
    const sp = body.indexOf(' ');
    return sp < 0 ? w.command(body, '') : w.command(body.slice(0, sp), body.slice(sp + 1));
  });
}

export interface AppErrorOptions {
  /** What to do about it, in neutral words (placeholders allowed). */
  fix?: string;
  /** The CLI's exit code (default: bad input). */
  exit?: number;
}

/**
 * The one error the application layer and the core throw for a problem the user can fix: bad
 * input, a missing tool, a state that refuses the request. It carries the problem and the fix;
 * each front-end words them for its own user (see Wording) and prints one line, never a stack.
 */
export class AppError extends Error {
  readonly problem: string;
  readonly fix: string | undefined;
  readonly exitCode: number;

  constructor(problem: string, o: AppErrorOptions = {}) {
    super(word(o.fix ? `${problem}: ${o.fix}` : problem, plainWording));
    this.name = 'AppError';
    this.problem = problem;
    this.fix = o.fix;
    this.exitCode = o.exit ?? EXIT.USAGE;
  }

  /** The one-line message in a front-end's words. */
  render(w: Wording): string {
    return word(this.fix ? `${this.problem}: ${this.fix}` : this.problem, w);
  }
}

/** Ends a command with an exit code after it has printed its own output. */
export class ExitCode extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
    this.name = 'ExitCode';
  }
}
