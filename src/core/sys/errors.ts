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

/** An error caused by the user's input or environment: printed as one line, no stack. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.USAGE,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** Ends a command with an exit code after it has printed its own output. */
export class ExitCode extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
    this.name = 'ExitCode';
  }
}
