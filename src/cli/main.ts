// The CLI (src/main.ts, the program's entry, plugs the MCP server in): runs one command line and turns its
// outcome into an exit code. The handler at the bottom is the only place that sets it.
import { CommanderError, type Command } from 'commander';
import type { ContextOptions } from '../app/context.js';
import { EXIT, ExitCode, AppError } from '../core/sys/errors.js';
import { storageProblem } from '../core/sys/fsutil.js';
import { trace } from '../core/sys/trace.js';
import { createProgram } from './program.js';
import { visible } from './terminal.js';
import { cliWording } from './wording.js';

// made while the module initialises, so a startup snapshot holds it ready; the context is not:
// it is this process's environment and directory, known only when a command runs
const program = createProgram(async (home) => (await import('../app/context.js')).createContext({ home }));

/** Runs one command line; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  trace('cli loaded');
  if (process.env.AGENTCTL_TRACE) process.once('exit', () => trace('exit'));
  for (const stream of [process.stdout, process.stderr]) {
    // the reader went away (`| head`): stop quietly. Other write errors (EIO from a closed
    // pane) must not kill a supervisor that still has a run to record.
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(0);
    });
  }
  try {
    await program.parseAsync(argv);
    trace('command done');
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    return handleError(err, argv, program, process.stderr);
  }
}

/**
 * Runs `agentctl ARGS...` in this process on a fresh program, with the context made from `o`
 * (its streams capture the output): how tests drive parsing, printers and error messages.
 */
export async function runCli(args: string[], o: ContextOptions): Promise<number> {
  const { createContext } = await import('../app/context.js');
  const p = createProgram((home) => createContext({ ...o, home: home ?? o.home }));
  const argv = ['node', 'agentctl', ...args];
  try {
    await p.parseAsync(argv);
    return 0;
  } catch (err) {
    return handleError(err, argv, p, o.stderr ?? process.stderr);
  }
}

/**
 * Initialise every command module without running one: the build calls this so the V8 code
 * cache it writes covers all the code a command may load (see scripts/build.mjs).
 */
export async function warmUp(o: { snapshot?: boolean } = {}): Promise<void> {
  const hot = [
    import('./commands/init.js'),
    import('./commands/projects.js'),
    import('./commands/start.js'),
    import('./commands/wait.js'),
    import('./commands/show.js'),
    import('./commands/list.js'),
    import('./commands/resume.js'),
    import('./commands/tail.js'),
    import('./commands/logs.js'),
    import('./commands/cancel.js'),
  ];
  // these load ajv or simple-git, which a startup snapshot cannot hold
  const rest = o.snapshot
    ? []
    : [
        import('./commands/doctor.js'),
        import('./commands/demo.js'),
        import('./commands/worktree.js'),
        import('../core/lifecycle/supervisor.js'),
        import('../core/workspace/schema.js').then((m) => m.validateAnswer({ type: 'object' }, {})),
      ];
  await Promise.all([...hot, ...rest]);
  if (o.snapshot) {
    // Run the hot paths once, so their functions are compiled into the snapshot instead of at
    // each command's first call (execa's option handling, zod's parsers).
    const { exerciseHotPaths } = await import('../build/warm.js');
    await exerciseHotPaths();
  }
}

function handleError(err: unknown, argv: string[], program: Command, stderr: NodeJS.WritableStream): number {
  err = storageProblem(err) ?? err; // a full disk, a read-only workspace: one line, not a stack
  if (err instanceof ExitCode) return err.exitCode;
  if (err instanceof AppError) {
    stderr.write(`agentctl: ${visible(err.render(cliWording), { oneLine: true })}\n`);
    return err.exitCode;
  }
  if (err instanceof CommanderError) {
    if (err.exitCode === 0) return 0; // --help, --version
    const sub = argv.slice(2).find((a) => !a.startsWith('-'));
    const hint = sub && program.commands.some((c) => c.name() === sub) ? `agentctl ${sub} --help` : 'agentctl --help';
    // one line: commander puts its "(Did you mean ...?)" suggestion on a line of its own
    const message = err.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ');
    stderr.write(`agentctl: ${visible(message, { oneLine: true })} (see "${hint}")\n`);
    return EXIT.USAGE;
  }
  const e = err as Error;
  stderr.write(`agentctl: internal error: ${visible(e?.stack ?? String(err))}\nPlease report this with the command you ran.\n`);
  return EXIT.INTERNAL;
}
