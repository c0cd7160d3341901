// Exercised once while the startup snapshot is built (see warmUp in cli.ts): functions that
// have run are in the snapshot compiled, so commands do not compile them again at every start.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { execaSync } from 'execa';
import { ConfigSchema, DEFAULT_PROFILES, ensureWorkspace, loadConfig, ProfileSchema } from '../core/workspace/config.js';
import { withLock } from '../core/sys/fsutil.js';
import { appendNotification, notification } from '../core/lifecycle/notify.js';
import { resolveProject } from '../core/workspace/projects.js';
import { createRunDir, indexRun, readMeta, resolveRunId, runIdsNewestFirst, updateMeta, writeMeta } from '../core/runs/store.js';
import { Tmux } from '../core/tmux/tmux.js';
import { MetaSchema, newMeta } from '../core/runs/meta.js';
import { parseDuration } from '../core/sys/duration.js';
import { newRunId } from '../core/runs/ids.js';
import { compactResult } from '../core/runs/result.js';

export async function exerciseHotPaths(): Promise<void> {
  // commander's parsing, on a throwaway program shaped like start's (options, choices, a
  // variadic argument after --, an async action)
  const cli = new Command('warm').exitOverride().option('--home <dir>');
  cli
    .command('start')
    .option('--title <title>')
    .option('--json')
    .addOption(new Option('--agent <agent>').choices(['shell']))
    .argument('[command...]')
    .action(async (command: string[], opts: Record<string, unknown>, cmd: Command) => void [command, opts, cmd.optsWithGlobals()]);
  await cli.parseAsync(['--home', '/', 'start', '--agent', 'shell', '--title', 't', '--json', '--', 'true'], { from: 'user' });
  ConfigSchema.parse({ profiles: DEFAULT_PROFILES });
  for (const p of Object.values(DEFAULT_PROFILES)) ProfileSchema.parse(p);
  const now = new Date().toISOString();
  const meta = MetaSchema.parse(
    newMeta({
      run_id: 'warm-0000', title: 't', project_dir: '/', profile: 'shell', agent: 'shell', command: ['true'], created_at: now,
      started_at: now, ended_at: now, status: 'finished', outcome: 'goal_met', exit_code: 0, goal_met: true, summary: 's',
      timeout_s: parseDuration('1m'),
    }),
  );
  JSON.stringify(compactResult(meta));
  newRunId(); // date-fns' format
  execaSync(process.execPath, ['--version'], { reject: false, stdin: 'ignore', timeout: 5000 });
  try {
    new Tmux({ socket: null, socketName: null }).version();
  } catch {
    // no tmux on the build machine: its code is compiled at first use instead
  }

  // the record-keeping of a start and a show, in a throwaway workspace
  const home = mkdtempSync(join(tmpdir(), 'agentctl-warm-'));
  try {
    const { ws } = ensureWorkspace(home);
    loadConfig(ws);
    resolveProject(ws, undefined, home);
    createRunDir(ws, meta.run_id);
    writeMeta(ws, meta);
    indexRun(ws, meta.run_id, meta.created_at);
    withLock(join(ws.locks, 'warm.lock'), () => updateMeta(ws, meta.run_id, (m) => void (m.title = 'warm')));
    appendNotification(ws, notification('start', readMeta(ws, resolveRunId(ws, meta.run_id.slice(-4)))));
    runIdsNewestFirst(ws);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
