// The command line: every command's options and help, and which printer runs it. A command's
// module is loaded only when it runs, so `start` pays for nothing but what it uses; each action
// gets the invocation's context, made once from --home and this process.
import { Command, Option } from 'commander';
import type { AppContext } from '../app/context.js';
import { VERSION } from '../version.js';
import { registerWorkflowCommands } from './commands/workflow.js';

/** Makes the invocation's context once the global --home is parsed. */
export type ContextFor = (home: string | undefined) => AppContext | Promise<AppContext>;

/** The agentctl program; its errors are thrown (exitOverride) for the caller to word. */
export function createProgram(contextFor: ContextFor): Command {
  const program = new Command('agentctl');
  const home = (cmd: Command): string | undefined => cmd.optsWithGlobals().home as string | undefined;
  const ctx = (cmd: Command) => contextFor(home(cmd));

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
    .option('--codex-profiles', "write $CODEX_HOME/NAME.config.toml for agentctl's codex profiles (spark, deep, review) where missing, and move legacy [profiles.NAME] tables out of config.toml (after a backup): codex >= 0.134 refuses -p while they are there")
    .option('--json', 'print a JSON object')
    .action(async (opts, cmd) => (await import('./commands/init.js')).initCmd(await ctx(cmd), opts));

  program
    .command('add-project')
    .description('register a project directory under a name')
    .argument('<name>', 'project name (letters, digits, . _ -)')
    .argument('<path>', 'project directory')
    .option('--default-profile <profile>', 'profile for runs of this project when --profile is not given')
    .option('--worktree', 'runs of this project get their own git worktree by default (start --no-worktree overrides)')
    .option('--no-worktree', 'runs of this project run in its directory by default (start --worktree overrides)')
    .option('--force', 'point a name already registered for another directory at this one')
    .action(async (name, path, opts, cmd) => (await import('./commands/projects.js')).addProjectCmd(await ctx(cmd), { name, path, ...opts }));

  program
    .command('projects')
    .description('list registered projects')
    .option('--json', 'print JSON')
    .action(async (opts, cmd) => (await import('./commands/projects.js')).listProjectsCmd(await ctx(cmd), opts));

  program
    .command('remove-project')
    .description('unregister a project (its files and runs are kept)')
    .argument('<name>')
    .action(async (name, _opts, cmd) => (await import('./commands/projects.js')).removeProjectCmd(await ctx(cmd), name));

  const withRunOptions = (c: Command): Command =>
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

  withRunOptions(
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
    .action(async (command: string[], opts, cmd) => (await import('./commands/start.js')).startCmd(await ctx(cmd), { ...opts, command }));

  program
    .command('wait')
    .description('block until the run(s) end; print one compact JSON line per run')
    .argument('<ids...>', 'run ids (or unique prefixes/suffixes)')
    .option('--timeout <seconds>', 'give up after this long (exit 5); runs still going are printed with status running')
    .option('--any', 'return as soon as one of the runs ends')
    .option('--follow', 'follow escalations and report the end of each chain')
    .addHelpText(
      'after',
      `
Output: when waiting is over, one JSON line per run, in the order the ids are given (with --any,
the run that ended; after --timeout, the ended runs and those still going). Every line has the
same keys: run_id status outcome goal_met summary followup_prompt exit_code git_diff_stat
duration_s escalated_to parent_run_id branch worktree error (and chain with --follow); what does
not apply is null (followup_prompt too when the run left none; branch and worktree for runs
without a worktree; error unless the run failed or was stopped).

Exit code: 0 goal met; 1 goal not met; 3 run failed; 4 lost/cancelled/timed out; 5 --timeout expired. With several runs, the highest applies.`,
    )
    .action(async (ids: string[], opts, cmd) => (await import('./commands/wait.js')).waitCmd(await ctx(cmd), ids, opts));

  program
    .command('show')
    .description("print a run's full record as JSON")
    .argument('<id>')
    .action(async (id, _opts, cmd) => (await import('./commands/show.js')).showCmd(await ctx(cmd), id));

  program
    .command('list')
    .description('recent runs, newest first')
    .option('--status <status>', 'only runs with this status or outcome (pending, running, finished, lost, goal_met, ...)')
    .option('--project <name>', 'only runs of this project')
    .option('-n, --limit <n>', 'at most this many runs (0: all)', '20')
    .option('--json', 'print a JSON array')
    .action(async (opts, cmd) => (await import('./commands/list.js')).listCmd(await ctx(cmd), opts));

  program
    .command('top')
    .description('runs, instances and workflows live in one full-screen view (one snapshot when not on a terminal)')
    .option('--project <name>', 'only work of this project')
    .option('--status <state>', 'only rows in this state (running, goal_met, needs_permission, ...) or group: active, attention, good, bad')
    .option('--once', 'print one snapshot and exit, even on a terminal')
    .option('-n, --limit <n>', 'rows in a snapshot', '50')
    .action(async (opts, cmd) => (await import('./commands/top.js')).topCmd(await ctx(cmd), opts));

  withRunOptions(
    program
      .command('resume')
      .description("continue a finished run's agent session with a follow-up prompt (stdin)")
      .argument('[id]', 'the run to continue')
      .option('--parent-run-id <id>', 'the run to continue (the same as giving it as the argument)')
      .option('--profile <profile>', "profile for the new run (default: the parent's); another agent starts a fresh session with the parent's context"),
  )
    .option('--auto-escalate', 'auto-escalate the new run when its goal is not met')
    .action(async (id: string | undefined, opts, cmd) => (await import('./commands/resume.js')).resumeCmd(await ctx(cmd), { ...opts, id }));

  program
    .command('escalate')
    .description("resume a run that missed its goal with its followup_prompt on the profile's escalate_to profile")
    .argument('<id>')
    .option('--profile <profile>', 'escalate to this profile instead')
    .option('--window', 'put the worker in a tmux window of its own')
    .option('--json', 'print the new run as JSON instead of just its id')
    .action(async (id, opts, cmd) => (await import('./commands/resume.js')).escalateCmd(await ctx(cmd), { id, ...opts }));

  program
    .command('diff')
    .description("show a run's change: a worktree run's branch (and anything uncommitted in its worktree) against its base; another run's change to its checkout")
    .argument('<id>')
    .option('--stat', 'only the diff stat')
    .option('--name-only', 'only the changed paths')
    .action(async (id, opts, cmd) => (await import('./commands/worktree.js')).diffCmd(await ctx(cmd), id, opts));

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
    .action(async (id, opts, cmd) => (await import('./commands/worktree.js')).mergeCmd(await ctx(cmd), id, opts));

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
    .action(async (id, opts, cmd) => (await import('./commands/worktree.js')).discardCmd(await ctx(cmd), id, opts));

  program
    .command('clean')
    .description('remove the worktrees and merged branches of finished runs, and stale worktrees (doctor lists them); with --runs, old run records too')
    .option('--older-than <duration>', 'only runs that ended longer ago than this: 90m, 12h, 7d')
    .option('--runs', 'also remove the records (runs/<id>/) of runs that ended longer ago than --older-than (required with it), their index lines, and older notify.log lines')
    .option('--panes', 'also close the tmux panes of ended runs that were kept for inspection (remain-on-exit)')
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
discard, or an earlier clean). --json adds runs_removed, runs_kept and notify_lines_removed.
With --dry-run, --json says what would happen: would_remove, would_prune, runs_would_remove,
runs_kept and notify_lines_would_remove instead of removed, pruned, runs_removed, ...

--panes closes only panes agentctl made whose runs have ended and whose program has exited;
a run still going, and any pane agentctl did not make, are left alone. --json adds panes_closed.`,
    )
    .action(async (opts, cmd) => (await import('./commands/worktree.js')).cleanCmd(await ctx(cmd), opts));

  program
    .command('tail')
    .description('print notification lines (start, finish, escalate, lost, cancel) as they arrive')
    .option('-n, --lines <n>', 'show this many earlier lines first', '10')
    .option('--json', 'print the raw JSON lines')
    .option('--no-follow', 'print and exit instead of following')
    .action(async (opts, cmd) => (await import('./commands/tail.js')).tailCmd(await ctx(cmd), opts));

  program
    .command('logs')
    .description("a run's agent events rendered readably, then its stderr tail and outcome")
    .argument('<id>')
    .option('-f, --follow', 'keep printing until the run ends')
    .option('--raw', 'print the raw event stream')
    .action(async (id, opts, cmd) => (await import('./commands/logs.js')).logsCmd(await ctx(cmd), id, opts));

  program
    .command('cancel')
    .description('stop a run (its whole process tree); outcome cancelled')
    .argument('<id>')
    .action(async (id, _opts, cmd) => (await import('./commands/cancel.js')).cancelCmd(await ctx(cmd), id));

  program
    .command('doctor')
    .description('check tmux, node, agent CLIs, codex profiles and the workspace; say how to fix problems')
    .option('--json', 'print JSON')
    .action(async (opts, cmd) => (await import('./commands/doctor.js')).doctorCmd(await ctx(cmd), opts));

  program
    .command('demo')
    .description('show the whole loop with shell workers in a throwaway repository (no account needed)')
    .option('--keep', 'keep the demo tmux session and workspace afterwards')
    .action(async (opts, cmd) => (await import('./commands/demo.js')).demoCmd(await ctx(cmd), { ...opts, home: home(cmd) }));

  const mcp = program
    .command('mcp')
    .description('serve the run API as MCP tools for Claude Code and other MCP clients (stdio; --http for Streamable HTTP)')
    .option('--http <[host:]port>', 'serve Streamable HTTP at http://HOST:PORT/mcp instead of stdio (host default 127.0.0.1; port 0 picks one)')
    .option('--token-file <file>', 'with --http: the bearer token clients must send (default: $AGENTCTL_MCP_TOKEN, else on loopback the workspace\'s mcp-token file, made once; off loopback one generated and printed)')
    .option('--max-wait <seconds>', 'longest a wait_runs call blocks, below your client\'s tool-call timeout', '50')
    .addHelpText(
      'after',
      `
Tools: start_run wait_runs show_run list_runs resume_run escalate_run cancel_run run_logs
notifications list_projects add_project doctor run_diff merge_run discard_run clean_worktrees
run_workflow workflow_status list_workflows.
Workers get this server's environment (but AGENTCTL_MCP_TOKEN); a
start_run without a project runs in this server's working directory.
Over HTTP every request needs "Authorization: Bearer <token>", on loopback too (any local
account can reach 127.0.0.1, and a tool call starts shell runs as you): AGENTCTL_MCP_TOKEN,
--token-file, or on loopback the token kept in <home>/mcp-token (mode 0600, made on the first
start and reused; its path is printed, never the token); off loopback one is generated and
printed on stderr. Requests without it, or with a wrong one, get 401.

Examples:
  agentctl mcp install-claude --scope user        # claude mcp add agentctl -- .../agentctl --home ... mcp
  agentctl mcp --http 8765                        # token in <home>/mcp-token
  agentctl mcp install-claude --http http://127.0.0.1:8765/mcp
  AGENTCTL_MCP_TOKEN=$(cat ~/.agentctl-token) agentctl mcp --http 0.0.0.0:8765`,
    )
    .action(async (opts, cmd) => (await import('./commands/mcp.js')).mcpCmd(await ctx(cmd), opts));

  mcp
    .command('install-claude')
    .description('register this server with Claude Code: runs "claude mcp add agentctl -- <agentctl --home HOME mcp>"')
    .addOption(new Option('-s, --scope <scope>', 'Claude Code config scope (claude\'s default: local)').choices(['local', 'project', 'user']))
    .option('--name <name>', 'server name in Claude Code', 'agentctl')
    .option('--http <url>', 'register a running "agentctl mcp --http" server at this URL (e.g. http://127.0.0.1:8765/mcp) instead of a stdio command')
    .option('--dry-run', 'print the claude command and an mcpServers JSON snippet instead of running it')
    .addHelpText(
      'after',
      `
With --http, Claude Code must send the server's token, and "claude mcp add --header" would put
it in argv, where every local user can read it (ps). So the header registered is
"Authorization: Bearer \${AGENTCTL_MCP_TOKEN}": a variable name, which Claude Code expands from
its own environment when it connects. Start Claude Code with it set, e.g.
  AGENTCTL_MCP_TOKEN="$(cat <home>/mcp-token)" claude`,
    )
    // with globals: commander hands an --http after install-claude to the parent `mcp`, whose
    // option has the same name (positional options would move --home's place on every command)
    .action(async (_opts, cmd) => (await import('./commands/mcp.js')).installClaudeCmd(await ctx(cmd), cmd.optsWithGlobals()));

  registerWorkflowCommands(program, ctx);

  program
    .command('_supervise', { hidden: true })
    .argument('<id>')
    .action(async (id, _opts, cmd) => (await import('./commands/supervise.js')).superviseCmd(await ctx(cmd), id));

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
  return program;
}
