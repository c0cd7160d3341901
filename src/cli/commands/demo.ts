// `agentctl demo`: the whole loop on the built-in shell agent, in a throwaway repository and
// workspace, by running the real CLI exactly as an orchestrator would.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import type { AppContext } from '../../app/context.js';
import { ensureWorkspace, updateConfigFile, type Profile } from '../../core/workspace/config.js';
import { AppError } from '../../core/sys/errors.js';
import { commitAll, initRepo } from '../../core/git/git.js';
import { selfCommand } from '../../core/sys/self.js';
import { socketFrom, Tmux } from '../../core/tmux/tmux.js';

/** `home`: --home as given (the demo makes a throwaway workspace without it). */
export async function demoCmd(ctx: AppContext, o: { home?: string; keep?: boolean }): Promise<void> {
  const bold = (s: string) => (ctx.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
  // the demo rewrites the workspace's profiles and tmux session: never a real workspace's
  if (o.home && existsSync(join(resolve(ctx.cwd, o.home), 'config.json'))) {
    throw new AppError(`${resolve(ctx.cwd, o.home)} already holds a workspace, which the demo would reconfigure: omit --home (the demo makes a throwaway one) or give an empty directory`);
  }
  const root = mkdtempSync(join(tmpdir(), 'agentctl-demo-'));
  const repo = join(root, 'repo');
  // absolute: the demo's commands run in the demo repository
  const home = o.home ? resolve(ctx.cwd, o.home) : join(root, 'workspace');
  const session = `agentctl-demo-${process.pid}`;
  const say = (s = '') => ctx.stdout.write(`${s}\n`);

  await initRepo(repo, { name: 'agentctl demo', email: 'demo@agentctl.invalid' });
  writeFileSync(join(repo, 'README.md'), '# demo project\n');
  writeFileSync(join(repo, 'greet.sh'), '#!/bin/sh\necho "helo, world"\n', { mode: 0o755 }); // the "run greet.sh" worker runs it
  await commitAll(repo, ['initial commit'], ctx.env);

  // Worker scripts live outside the repository so they are not part of any run's diff.
  const fix = join(root, 'fix-typo.sh');
  writeFileSync(
    fix,
    `#!/bin/sh
# reads the orchestrator's prompt on stdin, fixes the typo, reports a JSON result
prompt=$(cat)
sed -i 's/helo/hello/' greet.sh
printf '{"goal_met":true,"summary":"fixed the typo in greet.sh (prompt was %s bytes)","followup_prompt":"","notes":""}' "\${#prompt}" > "$AGENTCTL_RESULT_FILE"
`,
    { mode: 0o755 },
  );
  const check = join(root, 'check-greeting.sh');
  writeFileSync(
    check,
    `#!/bin/sh
sleep 1
if grep -q hello greet.sh; then
  printf '{"goal_met":true,"summary":"greeting is spelled right","followup_prompt":"","notes":""}' > "$AGENTCTL_RESULT_FILE"
else
  printf '{"goal_met":false,"summary":"greet.sh prints helo, not hello","followup_prompt":"Fix the spelling of hello in greet.sh and check it.","notes":"a quick check cannot fix it"}' > "$AGENTCTL_RESULT_FILE"
fi
`,
    { mode: 0o755 },
  );

  const { ws } = ensureWorkspace(home);
  const profiles: Record<string, Profile> = {
    quick: { agent: 'shell', description: 'demo: a quick check that cannot fix anything', escalate_to: 'thorough', command: [check] },
    thorough: { agent: 'shell', description: 'demo: a worker that fixes the problem', command: [fix] },
  };
  updateConfigFile(ws, { tmux_session: session, tmux_notify_target: session, profiles });

  const env: NodeJS.ProcessEnv = { ...ctx.env, AI_ORCH_HOME: home };
  delete env.TMUX;
  delete env.TMUX_PANE;
  const cli = async (args: string[], input?: string, quiet = false) => {
    if (!quiet) say(bold(`$ agentctl ${args.map((a) => (/[\s"'$]/.test(a) ? JSON.stringify(a) : a)).join(' ')}${input ? " <<'PROMPT' ..." : ''}`));
    const [bin = process.execPath, ...pre] = selfCommand();
    const res = await execa(bin, [...pre, ...args], { cwd: repo, env, input, reject: false, stdin: input === undefined ? 'ignore' : 'pipe' });
    if (res.stdout && !quiet) say(String(res.stdout));
    if (res.stderr) say(String(res.stderr));
    return String(res.stdout).trim();
  };

  const tmux = new Tmux(socketFrom({ tmux_socket: null, tmux_socket_name: null }));
  say(`agentctl demo: repository ${repo}, workspace ${home}`);
  say(`Watch the workers: tmux ${tmuxFlags(tmux)}attach -t ${session}`);
  say();
  try {
    say(bold('1. Three workers start in parallel, each in its own tmux pane; start returns at once.'));
    const a = await cli(['start', '--agent', 'shell', '--title', 'count files', '--', 'sh', '-c', 'sleep 1; git ls-files | wc -l']);
    const b = await cli(['start', '--agent', 'shell', '--title', 'run greet.sh', '--', 'sh', '-c', 'sleep 1; ./greet.sh']);
    const c = await cli(['start', '--profile', 'quick', '--auto-escalate', '--title', 'check the greeting'], 'Check that greet.sh says hello.\n');
    say();
    say(bold('2. Wait for them (event-driven: returns the moment each run ends); --follow follows escalations.'));
    await cli(['wait', a, b]);
    await cli(['wait', '--follow', c]);
    say();
    say(bold('3. The quick check missed its goal, so it was escalated to the "thorough" profile, which fixed it:'));
    await cli(['list']);
    say(bold('4. Every run leaves its record, prompt, output and result on disk (the escalated run):'));
    const parent = JSON.parse((await cli(['show', c], undefined, true)) || '{}') as { escalated_to?: string };
    if (parent.escalated_to) await cli(['show', parent.escalated_to]);
    say(bold('5. Notifications (what "agentctl tail" follows):'));
    await cli(['tail', '-n', '20', '--no-follow']);
    if (parent.escalated_to) {
      say(bold('The change the escalated worker made ("agentctl diff"):'));
      await cli(['diff', parent.escalated_to, '--stat']);
    }
    say();
    say('Demo complete. Next: "agentctl doctor", then "agentctl add-project <name> <path>" and "bin/orch".');
  } finally {
    if (o.keep) say(`kept: tmux session ${session}, files in ${root}`);
    else {
      tmux.run(['kill-session', '-t', `=${session}`]);
      rmSync(root, { recursive: true, force: true });
    }
  }
}

function tmuxFlags(t: Tmux): string {
  if (t.sock.socket) return `-S ${t.sock.socket} `;
  if (t.sock.socketName) return `-L ${t.sock.socketName} `;
  return '';
}
