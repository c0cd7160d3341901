// The hidden `_supervise <id>` command that runs in a worker's tmux pane. Its phases: claim the
// run, snapshot the git working tree, run the agent (agent-run.ts), finalise the outcome and
// announce the end (finalise.ts). Each phase hands the next what it learnt.
import { rmSync } from 'node:fs';
import { loadConfig } from '../workspace/config.js';
import { readFileOrNull } from '../sys/fsutil.js';
import { repoInfo, snapshotTree, withGitTimeout } from '../git/git.js';
import { parseDuration } from '../sys/duration.js';
import { type Meta, runCwd } from '../runs/meta.js';
import { runFiles, workspace, type RunFiles, type Workspace } from '../workspace/paths.js';
import { procStartTime } from '../sys/proctree.js';
import { updateMeta } from '../runs/store.js';
import { tmuxFor } from '../tmux/tmux.js';
import { runAgent, Stopper } from './agent-run.js';
import { announceEnd, finaliseRun, type GitStart } from './finalise.js';
import { paneTitle, say, sayHeader } from './pane.js';

/**
 * Supervise run `runId` to its end. `env` is this process's environment, the pane's (read once,
 * here): its tmux variables, and the git environment of the snapshots.
 */
export async function supervise(home: string, runId: string, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  process.stdout.on('error', () => {});
  const ws = workspace(home);
  const files = runFiles(home, runId);
  const cfg = loadConfig(ws);
  const callerEnv = takeEnv(files, env);
  const paneId = env.TMUX_PANE ?? null;

  const claimed = claimRun(ws, runId, paneId);
  if (!claimed.ok) {
    say(`run ${runId} is already ${claimed.meta.outcome ?? claimed.meta.status}; nothing to do`);
    return 0;
  }
  let meta = claimed.meta;
  const tmux = tmuxFor(meta);
  if (paneId) tmux.decorateWorkerPane(paneId, paneTitle(meta), meta.tmux.placement === 'split' ? 'spread' : 'tiled');
  const stop = new Stopper();
  const unlisten = stop.listen(files.cancel);
  try {
    // every git command of the run (snapshots, the worktree commit, an escalation's worktree)
    // is bounded: a hook that blocks must not keep the run from ending
    return await withGitTimeout(gitLimitMs(callerEnv), async () => {
      const cwd = runCwd(meta);
      sayHeader(meta, cwd);
      const git = await snapshotStart(ws, meta, cwd, env);
      meta = git.meta;
      const exit = await runAgent({
        meta, files, cfg, home, cwd, isGitRepo: git.repo !== null, callerEnv, paneEnv: env, stop,
        onPid: (pid) => {
          meta = updateMeta(ws, runId, (m) => {
            m.pids.agent = pid;
            m.pids.agent_start = procStartTime(pid);
          });
        },
      });
      const end = await finaliseRun({ meta, files, cfg, stop, git, callerEnv, ownEnv: env }, exit);
      await announceEnd({ ws, cfg, meta, stop, tmux, paneId, callerEnv }, end);
      return 0;
    });
  } finally {
    unlisten();
  }
}

/** The limit on each git command of a run: $AGENTCTL_GIT_TIMEOUT (a duration), else 2 minutes. */
const GIT_LIMIT_S = 120;

function gitLimitMs(env: NodeJS.ProcessEnv): number {
  try {
    return (env.AGENTCTL_GIT_TIMEOUT ? parseDuration(env.AGENTCTL_GIT_TIMEOUT) : GIT_LIMIT_S) * 1000;
  } catch {
    return GIT_LIMIT_S * 1000;
  }
}

/** Take the run under its lock: a `cancel` of a pending run may have ended it already. */
function claimRun(ws: Workspace, runId: string, paneId: string | null): { ok: boolean; meta: Meta } {
  let ok = false;
  const meta = updateMeta(ws, runId, (m) => {
    if (m.status !== 'pending') return m;
    ok = true;
    m.status = 'running';
    m.started_at = new Date().toISOString();
    m.timings.queued_ms = Date.parse(m.started_at) - Date.parse(m.created_at);
    m.pids.supervisor = process.pid;
    m.pids.supervisor_start = procStartTime(process.pid);
    if (paneId) m.tmux.pane = paneId;
  });
  return { ok, meta };
}

/** The working tree before the agent touches it, recorded with the repository it belongs to. */
async function snapshotStart(ws: Workspace, meta: Meta, cwd: string, env: NodeJS.ProcessEnv): Promise<GitStart & { meta: Meta }> {
  const repo = await repoInfo(cwd, env);
  const startTree = repo ? await snapshotTree(repo, env) : null;
  if (!repo) return { repo, startTree, meta };
  const recorded = updateMeta(ws, meta.run_id, (m) => {
    m.git = { repo_root: repo.root, start_head: repo.head, start_tree: startTree, end_tree: null, files_changed: null };
  });
  return { repo, startTree, meta: recorded };
}

/** Read the caller's environment and delete it from disk at once; without it, the pane's own. */
export function takeEnv(files: Pick<RunFiles, 'env'>, own: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const text = readFileOrNull(files.env);
  rmSync(files.env, { force: true });
  if (text === null) return { ...own };
  try {
    return JSON.parse(text) as NodeJS.ProcessEnv;
  } catch {
    return { ...own };
  }
}
