// What both transports share: the server-process guards.

export const log = (line: string) => process.stderr.write(`agentctl mcp: ${line}\n`);

/** A long-lived server logs what a short command would have died of, and keeps serving. */
export function keepServing(): void {
  process.on('uncaughtException', (err) => log(`internal error (still serving): ${err.stack ?? String(err)}`));
  process.on('unhandledRejection', (err) => log(`internal error (still serving): ${(err as Error)?.stack ?? String(err)}`));
}

/** Resolves on SIGINT or SIGTERM. */
export const signalled = () =>
  new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
