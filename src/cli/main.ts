// The one wiring file: every command is registered here and its module loaded only when it
// runs, so `start` pays for nothing but what it uses. The handler at the bottom is the only
// place that sets the exit code.
import { Command, CommanderError, Option } from 'commander';
import { EXIT, ExitCode, AppError } from '../core/sys/errors.js';
import { trace } from '../core/sys/trace.js';
import { VERSION } from '../version.js';
import { cliWording } from './wording.js';

const program = new Command('agentctl');

const home = (cmd: Command): string | undefined => cmd.optsWithGlobals().home as string | undefined;

program
  .description('Run Codex, Claude Code, Gemini and shell workers in parallel tmux panes, with recorded, schema-checked results.')
  .version(VERSION, '-V, --version')
  .option('--home <dir>', 'workspace directory (default: $AI_ORCH_HOME or ~/.ai-orch)')
  .showSuggestionAfterError(true)
  .addHelpText(
    'after',
    `
Exit codes: 0 ok / goal met; 1 goal not met; 2 bad input; 3 run failed (agent error or invalid
output); 4 run lost, cancelled or timed out; 5 wait --timeout expired; 70 internal error.
Run ids may be given by a unique prefix or suffix. Docs: README.md, docs/ARCHITECTURE.md.`,
  );

program
  .command('init')
  .description('create the workspace (idempotent; never overwrites your edits)')
  .option('--wake-here', 'record the current tmux pane ($TMUX_PANE) as the orchestrator wake-up target')
  .option('--wake-pane <pane>', 'record this pane as the wake-up target (tmux_sendkeys_target)')
  .option('--notify-target <target>', 'tmux target for display-message flashes (tmux_notify_target)')
  .option('--session <name>', 'tmux session for worker windows (tmux_session)')
  .option('--json', 'print a JSON object')
  .action(async (opts, cmd) => (await import('./commands/init.js')).init({ ...opts, home: home(cmd) }));

program
  .command('add-project')
  .description('register a project directory under a name')
  .argument('<name>', 'project name (letters, digits, . _ -)')
  .argument('<path>', 'project directory')
  .option('--default-profile <profile>', 'profile for runs of this project when --profile is not given')
  .option('--worktree', 'runs of this project get their own git worktree by default (start --no-worktree overrides)')
  .option('--no-worktree', 'runs of this project run in its directory by default (start --worktree overrides)')
  .action(async (name, path, opts, cmd) => (await import('./commands/projects.js')).addProjectCmd({ name, path, ...opts, home: home(cmd) }));

program
  .command('projects')
  .description('list registered projects')
  .option('--json', 'print JSON')
  .action(async (opts, cmd) => (await import('./commands/projects.js')).listProjectsCmd({ ...opts, home: home(cmd) }));

program
  .command('remove-project')
  .description('unregister a project (its files and runs are kept)')
  .argument('<name>')
  .action(async (name, _opts, cmd) => (await import('./commands/projects.js')).removeProjectCmd({ name, home: home(cmd) }));

const runOptions = (c: Command): Command =>
  c
    .option('--title <title>', 'short title shown in the pane, list and notifications')
    .option('--model <model>', 'model override for the agent')
    .option('--schema <file>', 'JSON Schema the final answer must match (default: workspace result schema)')
    .option('--timeout <duration>', 'stop the run after this long: 90, 90s, 15m, 1h30m')
    .option('--prompt-file <file>', 'read the prompt from a file instead of stdin')
    .option('--run-id <id>', 'use this run id instead of a generated one')
    .option('--window', 'put the worker in a tmux window of its own')
    .option('--target <pane>', "split this pane's window instead of the orchestrator's")
    .option('--json', 'print the run as JSON instead of just its id');

runOptions(
  program
    .command('start')
    .description('start a worker in a tmux pane and print its run id at once (prompt on stdin)')
    .option('--project <name|path>', 'registered project name or a directory (default: current directory)')
    .option('--profile <profile>', 'profile from config.json (default: the project\'s, then config default_profile)')
    .addOption(new Option('--agent <agent>', 'agent CLI, overriding the profile\'s').choices(['codex', 'claude', 'gemini', 'shell'])),
)
  .option('--auto-escalate', "when the goal is not met, continue automatically on the profile's escalate_to profile")
  .option('--worktree', 'run in a new git worktree on branch agentctl/<run id>, committed when the run ends (default: the project\'s, then the profile\'s, then config "worktree")')
  .option('--no-worktree', 'run in the project directory whatever the defaults say')
  .option('--base <ref>', 'worktree: start its branch from this branch, tag or commit instead of HEAD (implies --worktree)')
  .option('--with-changes', "worktree: copy the checkout's uncommitted changes, untracked files too, into it (implies --worktree)")
  .argument('[command...]', 'shell agent only: the command to run, after --')
  .addHelpText(
    'after',
    `
Examples:
  agentctl start --project api --profile spark --title "fix auth test" <<'PROMPT'
  Fix the failing test in tests/auth.test.ts ...
  PROMPT
  agentctl start --agent shell --title tests -- npm test
  agentctl start --project api --worktree --title "add retries" <<'PROMPT'   # then: diff, merge
  ...
  PROMPT

Worktrees live in <home>/worktrees/<project>/<run id>; see "agentctl merge --help".`,
  )
  .action(async (command: string[], opts, cmd) => (await import('./commands/start.js')).startCmd({ ...opts, command, home: home(cmd) }));

program
  .command('wait')
  .description('block until the run(s) end; print one compact JSON line per run')
  .argument('<ids...>', 'run ids (or unique prefixes/suffixes)')
  .option('--timeout <seconds>', 'give up after this long (exit 5); runs still going are printed with status running')
  .option('--any', 'return as soon as one of the runs ends')
  .option('--follow', 'follow escalations and report the end of each chain')
  .addHelpText('after', '\nExit code: 0 goal met; 1 goal not met; 3 run failed; 4 lost/cancelled/timed out; 5 --timeout expired. With several runs, the highest applies.')
  .action(async (ids: string[], opts, cmd) => (await import('./commands/wait.js')).waitCmd({ ids, ...opts, home: home(cmd) }));

program
  .command('show')
  .description("print a run's full record as JSON")
  .argument('<id>')
  .action(async (id, _opts, cmd) => (await import('./commands/show.js')).showCmd({ id, home: home(cmd) }));

program
  .command('list')
  .description('recent runs, newest first')
  .option('--status <status>', 'only runs with this status or outcome (pending, running, finished, lost, goal_met, ...)')
  .option('--project <name>', 'only runs of this project')
  .option('-n, --limit <n>', 'at most this many runs (0: all)', '20')
  .option('--json', 'print a JSON array')
  .action(async (opts, cmd) => (await import('./commands/list.js')).listCmd({ ...opts, home: home(cmd) }));

runOptions(
  program
    .command('resume')
    .description("continue a finished run's agent session with a follow-up prompt (stdin)")
    .requiredOption('--parent-run-id <id>', 'the run to continue')
    .option('--profile <profile>', "profile for the new run (default: the parent's); another agent starts a fresh session with the parent's context"),
)
  .option('--auto-escalate', 'auto-escalate the new run when its goal is not met')
  .action(async (opts, cmd) => (await import('./commands/resume.js')).resumeCmd({ ...opts, home: home(cmd) }));

program
  .command('escalate')
  .description("resume a run that missed its goal with its followup_prompt on the profile's escalate_to profile")
  .argument('<id>')
  .option('--profile <profile>', 'escalate to this profile instead')
  .option('--window', 'put the worker in a tmux window of its own')
  .option('--json', 'print the new run as JSON instead of just its id')
  .action(async (id, opts, cmd) => (await import('./commands/resume.js')).escalateCmd({ id, ...opts, home: home(cmd) }));

program
  .command('diff')
  .description("show a run's change: a worktree run's branch (and anything uncommitted in its worktree) against its base; another run's change to its checkout")
  .argument('<id>')
  .option('--stat', 'only the diff stat')
  .option('--name-only', 'only the changed paths')
  .action(async (id, opts, cmd) => (await import('./commands/worktree.js')).diffCmd({ id, ...opts, home: home(cmd) }));

program
  .command('merge')
  .description("merge a finished worktree run's branch into the project's current branch")
  .argument('<id>')
  .option('--squash', 'one commit with the run\'s title and summary instead of a merge commit')
  .option('--json', 'print the result as JSON')
  .addHelpText(
    'after',
    `
Refuses and changes nothing when the run (or a resume of it) is still going, its worktree has
uncommitted changes, the checkout has uncommitted changes or a detached HEAD, or the merge would
conflict: exit 1 for a conflict (the files are named), 2 otherwise. Resolve a conflict on the
run's branch: "git -C <worktree> merge <current branch>", then resume the run asking it to
resolve the conflict markers (its end commits the merge), then merge again; or merge the runs
in another order. Git hooks run; if one fails, nothing is merged.`,
  )
  .action(async (id, opts, cmd) => (await import('./commands/worktree.js')).mergeCmd({ id, ...opts, home: home(cmd) }));

program
  .command('discard')
  .description("remove a finished worktree run's worktree and branch")
  .argument('<id>')
  .option('--force', 'also delete uncommitted changes and commits not merged anywhere')
  .option('--json', 'print the result as JSON')
  .addHelpText(
    'after',
    `
Never loses work without --force: a worktree with uncommitted changes is kept (with its branch),
and a branch with commits no other branch, tag or recorded merge holds is kept (its clean
worktree is removed); each is named on stderr and the exit code is 1.`,
  )
  .action(async (id, opts, cmd) => (await import('./commands/worktree.js')).discardCmd({ id, ...opts, home: home(cmd) }));

program
  .command('clean')
  .description('remove the worktrees and merged branches of finished runs, and stale worktrees (doctor lists them); with --runs, old run records too')
  .option('--older-than <duration>', 'only runs that ended longer ago than this: 90m, 12h, 7d')
  .option('--runs', 'also remove the records (runs/<id>/) of runs that ended longer ago than --older-than (required with it), their index lines, and older notify.log lines')
  .option('--force', 'also delete uncommitted changes and unmerged branches')
  .option('--dry-run', 'say what would be removed, remove nothing')
  .option('--json', 'print the result as JSON')
  .addHelpText(
    'after',
    `
What would lose work is kept without --force and listed as "kept" with the reason. Also runs "git worktree prune" where git lists worktrees whose directories are gone.

--runs never removes a run that has not ended, one a run still going continues (resume,
escalation), nor a worktree run whose worktree or branch still exists: its record is what
discard, merge and clean find them by, so it goes only once they are removed (by this clean,
discard, or an earlier clean). --json adds runs_removed, runs_kept and notify_lines_removed.`,
  )
  .action(async (opts, cmd) => (await import('./commands/worktree.js')).cleanCmd({ ...opts, home: home(cmd) }));

program
  .command('tail')
  .description('print notification lines (start, finish, escalate, lost, cancel) as they arrive')
  .option('-n, --lines <n>', 'show this many earlier lines first', '10')
  .option('--json', 'print the raw JSON lines')
  .option('--no-follow', 'print and exit instead of following')
  .action(async (opts, cmd) => (await import('./commands/tail.js')).tailCmd({ ...opts, home: home(cmd) }));

program
  .command('logs')
  .description("a run's agent events rendered readably, then its stderr tail and outcome")
  .argument('<id>')
  .option('-f, --follow', 'keep printing until the run ends')
  .option('--raw', 'print the raw event stream')
  .action(async (id, opts, cmd) => (await import('./commands/logs.js')).logsCmd({ id, ...opts, home: home(cmd) }));

program
  .command('cancel')
  .description('stop a run (its whole process tree); outcome cancelled')
  .argument('<id>')
  .action(async (id, _opts, cmd) => (await import('./commands/cancel.js')).cancelCmd({ id, home: home(cmd) }));

program
  .command('doctor')
  .description('check tmux, node, agent CLIs, codex profiles and the workspace; say how to fix problems')
  .option('--json', 'print JSON')
  .action(async (opts, cmd) => (await import('./commands/doctor.js')).doctorCmd({ ...opts, home: home(cmd) }));

program
  .command('demo')
  .description('show the whole loop with shell workers in a throwaway repository (no account needed)')
  .option('--keep', 'keep the demo tmux session and workspace afterwards')
  .action(async (opts, cmd) => (await import('./commands/demo.js')).demoCmd({ ...opts, home: home(cmd) }));

const mcp = program
  .command('mcp')
  .description('serve the run API as MCP tools for Claude Code and other MCP clients (stdio; --http for Streamable HTTP)')
  .option('--http <[host:]port>', 'serve Streamable HTTP at http://HOST:PORT/mcp instead of stdio (host default 127.0.0.1; port 0 picks one)')
  .option('--token-file <file>', 'with --http: clients must send this bearer token (default: $AGENTCTL_MCP_TOKEN; generated off loopback)')
  .option('--max-wait <seconds>', 'longest a wait_runs call blocks, below your client\'s tool-call timeout', '50')
  .addHelpText(
    'after',
    `
Tools: start_run wait_runs show_run list_runs resume_run escalate_run cancel_run run_logs
notifications list_projects add_project doctor run_diff merge_run discard_run clean_worktrees.
Workers get this server's environment; a
start_run without a project runs in this server's working directory.
Off loopback (e.g. --http 0.0.0.0:8765) a bearer token is required: AGENTCTL_MCP_TOKEN,
--token-file, or one generated and printed on stderr. Requests without it, or with a
wrong one, get 401.

Examples:
  agentctl mcp install-claude --scope user        # claude mcp add agentctl -- .../agentctl --home ... mcp
  AGENTCTL_MCP_TOKEN=$(cat ~/.agentctl-token) agentctl mcp --http 0.0.0.0:8765`,
  )
  .action(async (opts, cmd) => (await import('./commands/mcp.js')).mcpCmd({ ...opts, home: home(cmd) }));

mcp
  .command('install-claude')
  .description('register this server with Claude Code: runs "claude mcp add agentctl -- <agentctl --home HOME mcp>"')
  .addOption(new Option('-s, --scope <scope>', 'Claude Code config scope (claude\'s default: local)').choices(['local', 'project', 'user']))
  .option('--name <name>', 'server name in Claude Code', 'agentctl')
  .option('--dry-run', 'print the claude command and an mcpServers JSON snippet instead of running it')
  .action(async (opts, cmd) => (await import('./commands/mcp.js')).installClaudeCmd({ ...opts, home: home(cmd) }));

program
  .command('_supervise', { hidden: true })
  .argument('<id>')
  .action(async (id, _opts, cmd) => {
    const { supervise } = await import('../core/lifecycle/supervisor.js');
    const { resolveHome, workspace } = await import('../core/workspace/paths.js');
    const runHome = resolveHome(home(cmd));
    try {
      process.exitCode = await supervise(runHome, id);
    } catch (err) {
      // a bug here must not leave the run "running" until someone notices the pid is gone
      const { markLost } = await import('../core/lifecycle/liveness.js');
      const { loadConfigOrNull } = await import('../core/workspace/runview.js');
      const ws = workspace(runHome);
      await markLost(ws, loadConfigOrNull(ws), id, `supervisor failed: ${(err as Error).message}`, true).catch(() => {});
      throw err;
    }
  });

program.exitOverride();
program.configureOutput({ outputError: () => {} });
const quiet = (cs: readonly Command[]) => {
  for (const c of cs) {
    c.exitOverride();
    c.configureOutput({ outputError: () => {} });
    quiet(c.commands);
  }
};
quiet(program.commands);

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
    return handleError(err, argv);
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
  // the supervisor loads ajv, which a startup snapshot cannot hold; doctor, demo and the worktree
  // commands are left out of it to keep it small (they would add 200 KB to every start's load)
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

function handleError(err: unknown, argv: string[]): number {
  if (err instanceof ExitCode) return err.exitCode;
  if (err instanceof AppError) {
    process.stderr.write(`agentctl: ${err.render(cliWording)}\n`);
    return err.exitCode;
  }
  if (err instanceof CommanderError) {
    if (err.exitCode === 0) return 0; // --help, --version
    const sub = argv.slice(2).find((a) => !a.startsWith('-'));
    const hint = sub && program.commands.some((c) => c.name() === sub) ? `agentctl ${sub} --help` : 'agentctl --help';
    // one line: commander puts its "(Did you mean ...?)" suggestion on a line of its own
    const message = err.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ');
    process.stderr.write(`agentctl: ${message} (see "${hint}")\n`);
    return EXIT.USAGE;
  }
  const e = err as Error;
  process.stderr.write(`agentctl: internal error: ${e?.stack ?? String(err)}\nPlease report this with the command you ran.\n`);
  return EXIT.INTERNAL;
}
