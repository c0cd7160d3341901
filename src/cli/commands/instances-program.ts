// The instance commands' options and help (persistent interactive agents: spawn, send, ask,
// interrupt, answer, stop, instances, read, revive). Like program.ts, a command's printer module
// is loaded only when it runs.
import { Argument, type Command, Option } from 'commander';
import type { AppContext } from '../../app/context.js';

/** The invocation's context for a command (program.ts makes it from the global --home). */
export type CommandContext = (cmd: Command) => Promise<AppContext> | AppContext;

const printers = () => import('./instances.js');
const readers = () => import('./instances-list.js');

export function registerInstanceCommands(program: Command, ctx: CommandContext): void {
  program
    .command('spawn')
    .description('start a persistent agent (an instance) in a tmux pane; print its id once it is ready for input (standing instructions on stdin)')
    .addOption(new Option('--agent <agent>', 'agent CLI (default: the role\'s, then config default_instance_agent)').choices(['claude', 'codex']))
    .option('--role <role>', 'architect, developer, reviewer, tester, documenter, researcher, or one of <home>/roles/NAME.md')
    .option('--name <name>', 'a name that works wherever the id does (unique among instances not stopped)')
    .option('--model <model>', "model (default: the role's, else the agent's)")
    .option('--project <name|path>', 'registered project name or a directory (default: current directory)')
    .option('--worktree', 'work in a new git worktree of the project on its own branch')
    .option('--parent <id>', 'the instance this one reports to (default: $AGENTCTL_INSTANCE, set inside instances)')
    .addOption(new Option('--permissions <mode>', 'what the agent must ask for: ask (everything), auto-edit (all but file edits), bypass (nothing)').choices(['ask', 'auto-edit', 'bypass']))
    .option('--no-wait', 'return at once, with status starting')
    .option('--json', 'print the instance as JSON instead of just its id')
    .addHelpText(
      'after',
      `
Example:
  dev=$(agentctl spawn --role developer --name dev --project api <<'CONTEXT'
  You own the payments module; run "npm test" before you report.
  CONTEXT
  )
  agentctl ask dev <<<'Add retries to the webhook client.'`,
    )
    .action(async (opts, cmd) => (await printers()).spawnCmd(await ctx(cmd), opts));

  program
    .command('send')
    .description('deliver a message (stdin) to idle instances as their next turn; print {instance, name, turn} per instance at once')
    .argument('<ids...>', 'instance ids or names')
    .option('--queue', 'claude only: queue it behind a running turn instead of refusing')
    .action(async (ids: string[], opts, cmd) => (await printers()).sendCmd(await ctx(cmd), ids, opts));

  program
    .command('ask')
    .description("send a message (stdin) to an instance and wait for the turn's end; print its report as one JSON line")
    .argument('<id>', 'instance id or name')
    .option('--timeout <duration>', 'stop waiting after this long (exit 5; the turn goes on): 90, 90s, 15m')
    .addHelpText('after', `\n${REPORT_HELP}`)
    .action(async (id: string, opts, cmd) => (await printers()).askCmd(await ctx(cmd), id, opts));

  program
    .command('interrupt')
    .description('stop the current turns (like Escape), keep the context, leave the input box clean; print each instance once idle')
    .argument('<ids...>', 'instance ids or names')
    .option('--json', 'print each instance as JSON')
    .action(async (ids: string[], opts, cmd) => (await printers()).interruptCmd(await ctx(cmd), ids, opts));

  program
    .command('answer')
    .description("answer an instance's pending permission request")
    .argument('<id>', 'instance id or name')
    .addArgument(new Argument('<decision>').choices(['allow', 'deny']))
    .option('--message <text>', 'deny: tell the agent why, or what to do instead')
    .option('--json', 'print the instance as JSON')
    .action(async (id: string, decision: 'allow' | 'deny', opts, cmd) => (await printers()).answerCmd(await ctx(cmd), id, decision, opts));

  program
    .command('stop')
    .description('end instances cleanly (their sessions stay resumable with revive)')
    .argument('<ids...>', 'instance ids or names')
    .option('--tree', 'their children too, children first')
    .option('--json', 'print each instance as JSON')
    .action(async (ids: string[], opts, cmd) => (await printers()).stopCmd(await ctx(cmd), ids, opts));

  program
    .command('revive')
    .description('bring back instances whose agent ended or whose pane died: the same session, resumed in a new pane')
    .argument('[ids...]', 'instance ids or names')
    .option('--all', 'every instance that is exited or lost (not those ended with stop)')
    .option('--json', 'print each instance as JSON')
    .action(async (ids: string[], opts, cmd) => (await printers()).reviveCmd(await ctx(cmd), ids, opts));

  program
    .command('instances')
    .description('list the instances: name, id, role, agent, status, since when and from which source, turn, parent')
    .option('--tree', 'show children under their parents')
    .option('--all', 'exited instances too (stopped, or ended on their own)')
    .option('--json', 'print one JSON object per line')
    .action(async (opts, cmd) => (await readers()).instancesCmd(await ctx(cmd), opts));

  program
    .command('read')
    .description("an instance's conversation, from the agent's own transcript")
    .argument('<id>', 'instance id or name')
    .option('-n, --last <n>', 'only the last N turns')
    .option('--turn <n>', 'only this turn')
    .option('--json', 'print one JSON object per turn')
    .action(async (id: string, opts, cmd) => (await readers()).readCmd(await ctx(cmd), id, opts));
}

/** What ask (and wait, for instances) print, and their exit codes. */
export const REPORT_HELP = `Output: one JSON line: instance name turn status outcome reply (usage, permission and error
where they apply). outcome: completed, failed, interrupted, needs_permission (answer it, then
"agentctl wait ID"), exited, lost, timeout.
Exit code: 0 completed; 1 needs_permission; 3 failed; 4 interrupted, exited or lost; 5 timeout.`;
