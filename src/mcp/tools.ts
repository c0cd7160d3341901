// The MCP tools: the run API for models. Each tool calls the same function as its CLI command
// (src/commands/*) and returns that data as structured content plus a short text rendering.
// Bad input comes back as a tool error carrying the CLI's one-line message.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import * as z from 'zod';
import { AGENT_NAMES } from '../agents/types.js';
import { cancelRun } from '../cli/commands/cancel.js';
import { checkLine, doctorReport } from '../cli/commands/doctor.js';
import { listEntry, listRows } from '../cli/commands/list.js';
import { recentLogs } from '../cli/commands/logs.js';
import { addProjectEntry, projectEntries } from '../cli/commands/projects.js';
import { escalateWith, resumeWith, runRecord } from '../cli/commands/resume.js';
import { showRecord } from '../cli/commands/show.js';
import { type Caller, type StartedView, type StartOptions, startedView, startWith } from '../cli/commands/start.js';
import { notificationsSince, renderNotification } from '../cli/commands/tail.js';
import { waitForRuns, type WaitLine } from '../cli/commands/wait.js';
import { cleanWith, diffWith, discardWith, mergeLine, mergeWith } from '../cli/commands/worktree.js';
import { parseDuration } from '../core/sys/duration.js';
import { AppError } from '../core/sys/errors.js';
import { OUTCOMES, RUN_STATUSES } from '../core/runs/meta.js';
import { resolveHome } from '../core/workspace/paths.js';
import { compactResult } from '../core/runs/result.js';
import { VERSION } from '../version.js';
import { mcpWording } from './wording.js';

export interface ServerContext {
  /** Workspace (--home); undefined: AI_ORCH_HOME or ~/.ai-orch. */
  home?: string;
  /** wait_runs never blocks longer than this (seconds): below the client's tool-call timeout. */
  maxWaitS: number;
  /** The environment and directory workers are started with: the server process's own. */
  caller: Caller;
  /** Aborted when the server shuts down: ends waits in progress. */
  shutdown: AbortSignal;
}

const INSTRUCTIONS = `agentctl runs coding-agent workers (Codex CLI, Claude Code, Gemini CLI, or any shell command) in tmux panes, in parallel, and records each run on disk. Typical loop: start_run (returns a run id at once), then wait_runs until it ends, then read its summary, followup_prompt and outcome; resume_run or escalate_run to continue a run that missed its goal. To keep parallel workers on one git repository apart, start them with worktree: true: each works on its own branch in its own checkout; then run_diff to review a run's change, merge_run to bring it into the project's current branch, discard_run to throw it away. Runs are shared with the agentctl CLI and other agentctl servers through the workspace on disk.`;

// ---- output shapes (what structuredContent holds) ----

const nstr = z.string().nullable();
const status = z.enum(RUN_STATUSES);
const outcome = z.enum(OUTCOMES).nullable();

const startedShape = {
  run_id: z.string().describe('the new run id; other tools take it (or a unique prefix or suffix of it)'),
  status,
  title: z.string(),
  project: nstr,
  project_dir: z.string().describe('the directory the worker runs in'),
  profile: z.string(),
  agent: z.enum(AGENT_NAMES),
  mode: z.enum(['new', 'resume', 'fresh']),
  parent_run_id: nstr,
  escalated_from: nstr,
  branch: z.string().optional().describe('worktree runs only: the git branch the worker\'s changes are committed to (agentctl/<run id>)'),
  worktree: z.string().optional().describe('worktree runs only: the directory the worker works in, a separate git checkout of that branch'),
  base: z.string().optional().describe('worktree runs only: the commit the branch starts from'),
  pane: nstr.describe('tmux pane of the worker'),
  session: nstr.describe('tmux session of the worker'),
};

const resultShape = {
  run_id: z.string(),
  status,
  outcome,
  goal_met: z.boolean().nullable(),
  summary: nstr,
  followup_prompt: nstr,
  exit_code: z.number().nullable(),
  git_diff_stat: nstr,
  duration_s: z.number().nullable(),
  escalated_to: nstr,
  parent_run_id: nstr,
  branch: z.string().optional().describe('worktree runs only: the branch holding the run\'s committed changes (see run_diff, merge_run)'),
  worktree: z.string().optional().describe('worktree runs only: the directory the worker worked in'),
  error: z.string().optional(),
  chain: z.array(z.string()).optional(),
};
const result = z.object(resultShape);

// ---- inputs shared by several tools ----

const runId = z.string().describe('run id, or a unique prefix or suffix of one (e.g. the last 4 characters)');
const runInputs = {
  title: z.string().optional().describe('short title shown in lists and notifications (default: the prompt\'s first line)'),
  model: z.string().optional().describe('model override passed to the agent CLI'),
  schema: z.string().optional().describe('path of a JSON Schema file the final answer must match (default: the workspace result schema with goal_met, summary, followup_prompt, notes)'),
  timeout: z.union([z.string(), z.number()]).optional().describe('stop the run after this long: seconds, or "90s", "15m", "1h30m"'),
  auto_escalate: z.boolean().optional().describe("when the goal is not met, continue automatically on the profile's escalate_to profile"),
  window: z.boolean().optional().describe('put the worker in a tmux window of its own instead of beside the orchestrator'),
};
const runOptions = (a: { title?: string; model?: string; schema?: string; timeout?: string | number; auto_escalate?: boolean; window?: boolean }) => ({
  title: a.title,
  model: a.model,
  schema: a.schema,
  timeout: a.timeout === undefined ? undefined : String(a.timeout),
  autoEscalate: a.auto_escalate,
  window: a.window,
});

const READ: ToolAnnotations = { readOnlyHint: true, openWorldHint: false };
/** Changes the project's checkout or removes git state: clients should ask first. */
const GIT_WRITE: ToolAnnotations = { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false };

/** run_diff returns at most this much of a patch (bytes): beyond it a model's context fills for little gain. */
export const MAX_DIFF_BYTES = 200_000;

/** The first `max` bytes of text, cut at a line end; null when it all fits. */
function truncateLines(text: string, max: number): string | null {
  const buf = Buffer.from(text, 'utf8');
  if (buf.length <= max) return null;
  const head = buf.subarray(0, max).toString('utf8');
  const nl = head.lastIndexOf('\n');
  return nl >= 0 ? head.slice(0, nl + 1) : '';
}

const removeReport = z.object({
  path: z.string().describe('the worktree directory'),
  branch: nstr,
  run_id: nstr,
  worktree_removed: z.boolean(),
  branch_deleted: z.boolean(),
  kept: z.array(z.string()).describe('what was kept to save work, and why; empty when all is gone'),
});
const ACT: ToolAnnotations = { readOnlyHint: false, destructiveHint: false, openWorldHint: true };

/** One line per run for the text rendering. */
function resultLine(r: WaitLine): string {
  const state = r.outcome ?? r.status;
  const bits = [`${r.run_id}: ${state}`];
  if (r.duration_s !== null) bits.push(`${r.duration_s}s`);
  if (r.branch) bits.push(`branch ${r.branch}`);
  if (r.escalated_to) bits.push(`escalated to ${r.escalated_to}`);
  if (r.summary) bits.push(r.summary);
  if (r.error && r.error !== r.summary) bits.push(`error: ${r.error}`);
  return bits.join(' · ');
}

const startedText = (v: StartedView, verb = 'started') =>
  `${verb} run ${v.run_id} (${v.profile}, ${v.agent}) in ${v.worktree ? `worktree ${v.worktree} on branch ${v.branch}` : v.project_dir}${v.pane ? `, tmux pane ${v.pane}` : ''}: call wait_runs with ["${v.run_id}"] to get its result`;

export function createServer(ctx: ServerContext): McpServer {
  const server = new McpServer({ name: 'agentctl', version: VERSION }, { instructions: INSTRUCTIONS });
  const home = ctx.home;

  /** Registers a tool whose handler returns data and its text; errors become tool errors. */
  function tool<I extends z.ZodRawShape, O extends z.ZodRawShape>(
    name: string,
    def: { title: string; description: string; input: I; output: O; annotations: ToolAnnotations },
    // error: not done as asked (the CLI exits non-zero), though the data says what did happen
    run: (args: z.infer<z.ZodObject<I>>, signal: AbortSignal) => Promise<{ data: z.infer<z.ZodObject<O>>; text: string; error?: boolean }>,
  ): void {
    const handler = async (args: z.infer<z.ZodObject<I>>, extra: { signal: AbortSignal }): Promise<CallToolResult> => {
      try {
        const { data, text, error } = await run(args, AbortSignal.any([extra.signal, ctx.shutdown]));
        return { ...(error ? { isError: true } : {}), content: [{ type: 'text', text }], structuredContent: data as Record<string, unknown> };
      } catch (err) {
        if (err instanceof AppError) return { isError: true, content: [{ type: 'text', text: err.render(mcpWording) }] };
        const e = err as Error;
        process.stderr.write(`agentctl mcp: internal error in ${name}: ${e?.stack ?? String(err)}\n`);
        return { isError: true, content: [{ type: 'text', text: `internal error: ${e?.message ?? String(err)} (a bug in agentctl: please report it)` }] };
      }
    };
    // loose at the top: a record (show_run) carries more fields than the schema names
    const config = { title: def.title, description: def.description, inputSchema: def.input, outputSchema: z.looseObject(def.output), annotations: def.annotations };
    // the SDK's generics cannot follow a shape passed through a type parameter
    (server.registerTool as (n: string, c: typeof config, h: typeof handler) => unknown)(name, config, handler);
  }

  tool(
    'start_run',
    {
      title: 'Start a worker run',
      description:
        'Start a coding-agent worker on a task and return its run id at once (the work happens in the background, in a tmux pane). The prompt is the whole task for the worker, which sees nothing else: say what to do, where, and how to check it is done. The worker runs in the project directory: `project` is a name registered with add_project or a directory path (relative paths resolve against this server\'s working directory; omitted: that directory itself). `profile` picks the agent and its settings (see doctor or the workspace config; default: the project\'s default profile, else the configured default); `agent` overrides the profile\'s agent (codex, claude, gemini, shell); for the shell agent, `command` is the program and its arguments and the prompt is optional. The worker answers with JSON (default shape: goal_met, summary, followup_prompt, notes), checked against the schema. With `worktree` true the worker gets its own git branch and checkout instead of editing the project directory: use it whenever several workers may edit one repository at once, or when the change should be reviewed before it lands; its work is committed on the branch at the end, then run_diff, merge_run or discard_run. Then call wait_runs with the id.',
      input: {
        prompt: z.string().optional().describe('the task for the worker (required except for the shell agent)'),
        project: z.string().optional().describe('registered project name, or a directory path (relative: against the server\'s working directory); default: the server\'s working directory'),
        profile: z.string().optional().describe('profile name, e.g. spark, deep, review, claude, claude-deep, gemini, shell'),
        agent: z.enum(AGENT_NAMES).optional().describe("agent CLI, overriding the profile's"),
        command: z.array(z.string()).optional().describe('shell agent only: the command and its arguments, e.g. ["npm", "test"]'),
        worktree: z
          .boolean()
          .optional()
          .describe(
            "true: run in a new git worktree (a separate checkout under agentctl's workspace) on a new branch agentctl/<run id>, so the project checkout and other workers never see the run's edits until you merge_run it; the run's changes are committed on that branch when it ends. false: edit the project directory itself. Omitted: the project's, profile's or workspace's default (usually false). Needs a git repository with at least one commit.",
          ),
        base: z.string().optional().describe("worktree runs: the branch, tag or commit the run's branch starts from (default: the checkout's current commit, HEAD); implies worktree true. E.g. another run's branch, to build on its unmerged work"),
        with_changes: z
          .boolean()
          .optional()
          .describe("worktree runs: copy the checkout's uncommitted changes (untracked files too) into the new worktree, so the worker starts from what is on disk rather than from the last commit; implies worktree true"),
        ...runInputs,
      },
      output: startedShape,
      annotations: ACT,
    },
    async (a) => {
      const o: StartOptions = {
        home, project: a.project, profile: a.profile, agent: a.agent, command: a.command, worktree: a.worktree, base: a.base, withChanges: a.with_changes, ...runOptions(a),
      };
      const v = startedView(await startWith(o, a.prompt ?? '', ctx.caller, 'give the task for the worker in "prompt"'));
      return { data: v, text: startedText(v) };
    },
  );

  tool(
    'wait_runs',
    {
      title: 'Wait for runs to end',
      description: `Block until the given runs end (or, with mode "any", until the first of them ends) and return each run's result: status, outcome (goal_met, goal_not_met, invalid_output, agent_error, cancelled, timed_out, lost), goal_met, the worker's summary and followup_prompt, its git diff stat and duration, and for a worktree run its branch. A single call waits at most timeout_s seconds (at most ${ctx.maxWaitS}, so the call itself never times out); when that passes first, timed_out is true and the runs still going are returned with status pending or running: simply call wait_runs again with the ids in still_running. With follow true, a run that was escalated is followed to the end of its escalation chain. Waiting is cheap and event-driven; prefer it to polling show_run.`,
      input: {
        ids: z.array(runId).min(1).describe('the runs to wait for'),
        mode: z.enum(['all', 'any']).optional().describe('all (default): until every run ends; any: until the first one ends'),
        timeout_s: z.number().optional().describe(`give up after this many seconds (default and maximum ${ctx.maxWaitS})`),
        follow: z.boolean().optional().describe('follow escalations to the end of each chain'),
      },
      output: {
        done: z.boolean().describe('the runs waited for have ended (with mode any: at least one)'),
        timed_out: z.boolean(),
        runs: z.array(result),
        still_running: z.array(z.string()).describe('ids of runs that have not ended yet: wait for them again'),
      },
      annotations: READ,
    },
    async (a, signal) => {
      const asked = a.timeout_s === undefined ? ctx.maxWaitS : parseDuration(String(a.timeout_s), 'timeout_s');
      const w = await waitForRuns({ home, ids: a.ids, timeoutS: Math.min(asked, ctx.maxWaitS), any: a.mode === 'any', follow: a.follow, signal });
      const still = w.pending;
      const lines = w.lines.map(resultLine);
      if (w.timedOut) lines.push(still.length ? `still running after the wait: ${still.join(', ')}; call wait_runs again to keep waiting` : 'wait ended');
      return { data: { done: !w.timedOut, timed_out: w.timedOut, runs: w.lines, still_running: still }, text: lines.join('\n') };
    },
  );

  tool(
    'show_run',
    {
      title: 'Show a run',
      description:
        "Return a run's full record: its status and outcome, the worker's parsed answer (result) with summary and followup_prompt, title, project directory, profile, agent and model, timings, token usage and cost when the agent reports them, git diff stat and changed files, escalation links (parent_run_id, escalated_to), errors and schema validation errors, the paths of its files on disk (prompt, raw events, stderr), and for a run in its own git worktree the worktree record (worktree: path, branch, base commit, the commit made at its end, diff stat and changed files against the base, merged: where and when it was merged, removed_at and branch_deleted_at once discarded). Reading it also notices a worker that died and marks the run lost.",
      input: { id: runId },
      output: {
        run_id: z.string(),
        status,
        outcome,
        goal_met: z.boolean().nullable(),
        summary: nstr,
        followup_prompt: nstr,
        result: z.unknown().describe("the worker's answer, when it matched the schema"),
        files: z.record(z.string(), z.string()),
      },
      annotations: READ,
    },
    async (a) => {
      const r = await showRecord({ home, id: a.id });
      return { data: r, text: `${resultLine(compactResult(r))}\n${JSON.stringify(r, null, 2)}` };
    },
  );

  tool(
    'list_runs',
    {
      title: 'List runs',
      description:
        'List recent runs, newest first, with status, outcome, title, project, profile, agent, timings and escalation links; a worktree run also has its branch, whether that branch is merged into the project\'s current branch (merged, branch_state) and its worktree directory while it exists. Filter by status (pending, running, finished, lost) or outcome (goal_met, goal_not_met, invalid_output, agent_error, cancelled, timed_out, lost), and by registered project name. Includes runs started from the command line and from other agentctl servers: they all share the workspace on disk.',
      input: {
        status: z.string().optional().describe('only runs with this status or outcome'),
        project: z.string().optional().describe('only runs of this registered project'),
        limit: z.number().optional().describe('at most this many runs (default 20; 0: all)'),
      },
      output: {
        runs: z.array(
          z.looseObject({
            run_id: z.string(),
            status: z.string(),
            outcome: outcome.optional(),
            title: z.string().optional(),
            error: z.string().optional(),
            branch: nstr.optional().describe('worktree runs: the run\'s branch; null for other runs'),
            merged: z.boolean().nullable().optional().describe("whether the run's work is in the project's current branch; null: not a worktree run, still running, or unknown"),
            branch_state: nstr.optional().describe('merged, merged (squash), not merged, no changes, deleted, running or unknown; null for runs without a worktree'),
            worktree: nstr.optional().describe('the worktree directory while it exists'),
          }),
        ),
      },
      annotations: READ,
    },
    async (a) => {
      const runs = (await listRows({ home, status: a.status, project: a.project, limit: a.limit ?? 20 })).map(listEntry);
      const text = runs.length
        ? runs
            .map((r) => ('error' in r ? `${r.run_id}: corrupt: ${r.error}` : `${r.run_id}  ${r.outcome ?? r.status}  ${r.profile}  ${r.project ?? '-'}${r.branch ? `  ${r.branch} (${r.branch_state ?? 'unknown'})` : ''}  ${r.title}`))
            .join('\n')
        : 'no runs match';
      return { data: { runs }, text };
    },
  );

  tool(
    'resume_run',
    {
      title: 'Resume a run',
      description:
        "Continue a run that has ended with a follow-up prompt, as a new run. With the same agent, the worker continues the very same agent session (it remembers the conversation); with a profile of another agent, a fresh session starts whose prompt carries the parent's task, summary and follow-up. The new run is in the parent's directory (for a worktree run: the same worktree and branch, which must not have been discarded). Returns the new run id at once; wait for it with wait_runs.",
      input: {
        parent_run_id: runId.describe('the run to continue (it must have ended)'),
        prompt: z.string().optional().describe('what to do next (required except for shell runs)'),
        profile: z.string().optional().describe("profile for the new run (default: the parent's)"),
        ...runInputs,
      },
      output: startedShape,
      annotations: ACT,
    },
    async (a) => {
      const parent = runRecord(home, a.parent_run_id);
      const prompt = a.prompt ?? '';
      if (!prompt.trim() && parent.agent !== 'shell') throw new AppError('empty prompt: give what the worker should do next in "prompt"');
      const v = startedView(await resumeWith({ home, parentRunId: a.parent_run_id, profile: a.profile, ...runOptions(a) }, parent, prompt, ctx.caller));
      return { data: v, text: startedText(v, `resumed ${parent.run_id} as`) };
    },
  );

  tool(
    'escalate_run',
    {
      title: 'Escalate a run',
      description:
        "Hand a run that ended without meeting its goal to a stronger profile: a new run starts with the parent's followup_prompt on the profile named by the parent profile's escalate_to (for example spark to deep), or on `profile` when given. The parent records the link (escalated_to). Returns the new run id at once; wait for it with wait_runs.",
      input: {
        id: runId.describe('the run to escalate (it must have ended without meeting its goal)'),
        profile: z.string().optional().describe("escalate to this profile instead of the parent profile's escalate_to"),
        window: runInputs.window,
      },
      output: startedShape,
      annotations: ACT,
    },
    async (a) => {
      const v = startedView(await escalateWith({ home, id: a.id, profile: a.profile, window: a.window }, ctx.caller));
      return { data: v, text: startedText(v, `escalated to`) };
    },
  );

  tool(
    'cancel_run',
    {
      title: 'Cancel a run',
      description:
        "Stop a run that is still going: its worker's whole process tree is killed and the run ends with outcome cancelled. Returns the run's final result. Cancelling a run that already ended is an error.",
      input: { id: runId },
      output: resultShape,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    },
    async (a) => {
      const r = compactResult(await cancelRun({ home, id: a.id }));
      return { data: r, text: resultLine(r) };
    },
  );

  tool(
    'run_logs',
    {
      title: "A run's recent activity",
      description:
        "Return the last `lines` events of a run rendered readably, one per line (the agent's messages, tool calls and commands, errors), to see what a worker is doing or why it failed. For a run that has ended, `footer` holds the end of the agent's stderr and its outcome. Set raw to get the agent CLI's own JSON event lines instead.",
      input: {
        id: runId,
        lines: z.number().int().min(0).optional().describe('how many of the latest events (default 50; 0: all)'),
        raw: z.boolean().optional().describe("the agent CLI's raw event lines instead of readable ones"),
      },
      output: {
        run_id: z.string(),
        status,
        outcome,
        lines: z.array(z.string()),
        total_lines: z.number().describe('how many readable lines the run has in all'),
        footer: z.array(z.string()).describe('for an ended run: the end of its stderr and its outcome'),
      },
      annotations: READ,
    },
    async (a) => {
      const l = await recentLogs({ home, id: a.id, tail: a.lines ?? 50, raw: a.raw });
      const data = { run_id: l.meta.run_id, status: l.meta.status, outcome: l.meta.outcome, lines: l.lines, total_lines: l.total, footer: l.footer };
      const head = l.lines.length < l.total ? [`(last ${l.lines.length} of ${l.total} lines)`] : [];
      return { data, text: [...head, ...l.lines, ...l.footer].join('\n') || `${l.meta.run_id}: no events yet (${l.meta.status})` };
    },
  );

  tool(
    'notifications',
    {
      title: 'Notifications since last time',
      description:
        'Return the run notifications (start, finish, escalate, lost, cancel) that arrived since the previous call, oldest first, each with the run id, title, profile, outcome and summary. Pass the cursor the previous call returned to get only what is new; the first call (no cursor) returns the latest `lines` notifications and a cursor. Useful to learn about every run that ended, including runs started by others, without waiting on specific ids.',
      input: {
        cursor: z.string().optional().describe('the cursor the previous notifications call returned'),
        lines: z.number().int().min(0).optional().describe('first call only: how many of the latest notifications (default 20)'),
        max: z.number().int().min(1).optional().describe('with a cursor: at most this many (default 200); more says when there are others waiting'),
      },
      output: {
        notifications: z.array(z.looseObject({ event: z.string().optional(), run_id: z.string().optional() })),
        cursor: z.string().describe('pass it to the next call'),
        more: z.boolean().describe('more notifications are waiting: call again with the cursor'),
        reset: z.boolean().describe('the log was replaced since the cursor was made: reading started over'),
      },
      annotations: READ,
    },
    async (a) => {
      const b = notificationsSince({ home, cursor: a.cursor, last: a.lines ?? 20, max: a.max ?? 200 });
      const notifications = b.lines.map((l) => {
        try {
          const v: unknown = JSON.parse(l);
          return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : { line: l };
        } catch {
          return { line: l };
        }
      });
      const text = [...b.lines.map(renderNotification), b.lines.length ? '' : 'no new notifications', `cursor: ${b.cursor}${b.more ? ' (more waiting)' : ''}`].filter(Boolean).join('\n');
      return { data: { notifications, cursor: b.cursor, more: b.more, reset: b.reset }, text };
    },
  );

  tool(
    'run_diff',
    {
      title: "A run's change",
      description: `Return what a run changed, as a unified diff (form "patch", the default), a per-file summary with line counts ("stat"), or just the changed paths ("name_only"). For a run started with worktree true this is its branch (plus anything still uncommitted in its worktree) against the commit it started from: exactly what merge_run would bring in, so read it before merging. For another run it is the change the run made to its checkout, from snapshots taken at its start and end. A patch longer than ${MAX_DIFF_BYTES / 1000} KB is cut at a line end, with truncated true and a note on how to get all of it; ask for "stat" or "name_only" first on a big change. Works on a run still going too (its change so far).`,
      input: {
        id: runId,
        form: z.enum(['patch', 'stat', 'name_only']).optional().describe('patch (default): the unified diff; stat: files with +/- line counts; name_only: changed paths, one per line'),
      },
      output: {
        run_id: z.string(),
        form: z.enum(['patch', 'stat', 'name_only']),
        branch: nstr.describe('worktree runs: the branch the diff is of; null for other runs'),
        diff: z.string().describe('the diff text, empty when nothing changed (cut short when truncated is true)'),
        truncated: z.boolean().describe('the patch was longer than the limit and diff holds only its beginning'),
        bytes: z.number().describe('size of the whole diff in bytes'),
      },
      annotations: READ,
    },
    async (a) => {
      const form = a.form ?? 'patch';
      const { meta, text } = await diffWith({ home, id: a.id, form: form === 'name_only' ? 'name-only' : form });
      const bytes = Buffer.byteLength(text, 'utf8');
      const cut = truncateLines(text, MAX_DIFF_BYTES);
      const diff = cut ?? text;
      const data = { run_id: meta.run_id, form, branch: meta.worktree?.branch ?? null, diff, truncated: cut !== null, bytes };
      if (cut === null) return { data, text: text || `run ${meta.run_id} changed nothing` };
      const note =
        `[truncated: the first ${Buffer.byteLength(cut, 'utf8')} of ${bytes} bytes of run ${meta.run_id}'s patch. ` +
        `Call run_diff with form "stat" or "name_only" to see every changed file, or get the whole patch in a shell: agentctl --home ${resolveHome(home)} diff ${meta.run_id} > ${meta.run_id}.patch]`;
      return { data, text: `${cut}${note}` };
    },
  );

  tool(
    'merge_run',
    {
      title: "Merge a worktree run's branch",
      description:
        "Merge the branch of a finished run that was started with worktree true into the branch the project's checkout has checked out (a merge commit; squash true makes one plain commit instead), and report the new commit, its diff stat and the files it changed. It refuses, changing nothing, when the run (or a resume of it) is still going, its worktree has uncommitted changes, the checkout has uncommitted changes or a detached HEAD, or the merge would conflict: then it is a tool error that names the files and says how to resolve it (typically: run the given git command in the run's worktree, then resume_run the run asking it to resolve the conflict markers in those files, wait for it, and merge_run again; or merge the runs in another order). Error messages use the CLI's words: \"agentctl resume --parent-run-id ID\" is resume_run, \"agentctl merge ID\" is merge_run. Merging a run already merged does nothing and says so (already_merged true). Review the change with run_diff first.",
      input: {
        id: runId.describe('the worktree run whose branch to merge (it must have ended)'),
        squash: z.boolean().optional().describe("one plain commit with the run's title and summary as message, instead of a merge commit"),
      },
      output: {
        run_id: z.string(),
        branch: z.string().describe("the run's branch"),
        into: z.string().describe('the branch it was merged into (the checkout\'s current branch)'),
        squash: z.boolean(),
        commit: nstr.describe('the new commit; null when there was nothing to merge'),
        already_merged: z.boolean().describe('nothing was done: the branch was already in `into`'),
        diff_stat: nstr.describe("the merge's diff stat"),
        files_changed: z.array(z.string()),
      },
      annotations: GIT_WRITE,
    },
    async (a) => {
      const r = await mergeWith({ home, id: a.id, squash: a.squash, env: ctx.caller.env });
      return { data: r, text: mergeLine(r) };
    },
  );

  tool(
    'discard_run',
    {
      title: "Discard a worktree run's work",
      description:
        "Remove the git worktree and the branch of a finished run that was started with worktree true (after merge_run, or when its work is not wanted). It never loses work unless force is true: a worktree with uncommitted changes is kept (with its branch), and a branch with commits that are merged nowhere is kept (the clean worktree is still removed); then the call is a tool error whose text says what was kept and why (\"--force\" in it means force true here), and the structured report says what was removed. With force true everything goes, unmerged work included. The run's record stays. Discarding again once all is gone does nothing.",
      input: {
        id: runId.describe('the worktree run to discard (it must have ended)'),
        force: z.boolean().optional().describe('delete unmerged commits and uncommitted changes too: the work is lost'),
      },
      output: removeReport.shape,
      annotations: GIT_WRITE,
    },
    async (a) => {
      const { report, lines } = await discardWith({ home, id: a.id, force: a.force });
      return { data: report, text: [...report.kept, ...lines].join('\n'), error: report.kept.length > 0 };
    },
  );

  tool(
    'clean_worktrees',
    {
      title: 'Clean up worktrees and old runs',
      description:
        "Tidy up after worktree runs: remove the worktrees and branches of every finished worktree run (only those that ended more than older_than ago, when given), as discard_run does, then worktrees left behind by runs that are gone, and git's records of worktrees whose directories were deleted. Unmerged commits and uncommitted changes are kept unless force is true; each kept item comes back in removed[].kept with the reason (\"--force\" in it means force true here). With runs true (needs older_than), also remove the records of runs that ended more than older_than ago (runs_removed), their index lines, and notify.log lines older than that (notify_lines_removed); never a run not ended, one a run still going continues, nor a worktree run whose worktree still exists (runs_kept says why: worktree runs go once their worktree is removed). dry_run true reports what would be removed without touching anything: call it that way first. Runs still going are left alone.",
      input: {
        older_than: z.union([z.string(), z.number()]).optional().describe('only runs that ended longer ago than this: seconds, or "90s", "15m", "2h", "1d"'),
        runs: z.boolean().optional().describe('also remove old run records and notification lines; needs older_than'),
        force: z.boolean().optional().describe('remove unmerged and uncommitted work too: it is lost'),
        dry_run: z.boolean().optional().describe('only report what would be removed'),
      },
      output: {
        removed: z.array(removeReport).describe('one entry per worktree handled: what was (or would be) removed, and what was kept'),
        pruned: z.array(z.string()).describe('repositories whose stale git worktree entries were (or would be) pruned'),
        runs_removed: z.array(z.string()).optional().describe('with runs: ids of the runs whose records were (or would be) removed'),
        runs_kept: z.array(z.object({ run_id: z.string(), reason: z.string() })).optional().describe('with runs: old runs whose records were kept, and why'),
        notify_lines_removed: z.number().optional().describe('with runs: notify.log lines older than older_than removed (or that would be)'),
        dry_run: z.boolean(),
      },
      annotations: GIT_WRITE,
    },
    async (a) => {
      const olderThan = a.older_than === undefined ? undefined : String(a.older_than);
      const { report, lines } = await cleanWith({ home, olderThan, runs: a.runs, force: a.force, dryRun: a.dry_run }, 'older_than', 'runs');
      return { data: { ...report, dry_run: a.dry_run ?? false }, text: lines.join('\n') };
    },
  );

  const projectShape = z.looseObject({
  name: z.string(),
  path: z.string(),
  default_profile: z.string().optional(),
  worktree: z.boolean().optional().describe('whether runs of the project get their own git worktree by default'),
  added_at: z.string().optional(),
});
  tool(
    'list_projects',
    {
      title: 'List projects',
      description: 'List the projects registered with agentctl: each has a name (usable as start_run\'s project), its directory, and optionally the default profile for its runs and whether its runs get their own git worktree by default.',
      input: {},
      output: { projects: z.array(projectShape) },
      annotations: READ,
    },
    async () => {
      const projects = projectEntries({ home });
      const line = (p: (typeof projects)[number]) => `${p.name}  ${p.default_profile ?? '-'}  ${p.worktree === undefined ? '' : p.worktree ? 'worktrees on  ' : 'worktrees off  '}${p.path}`;
      return { data: { projects }, text: projects.length ? projects.map(line).join('\n') : 'no projects registered: add one with add_project' };
    },
  );

  tool(
    'add_project',
    {
      title: 'Register a project',
      description:
        "Register a project directory under a short name, so start_run can take the name as its project; registering an existing name again updates it. A relative path resolves against this server's working directory. default_profile, when given, is the profile used for the project's runs when start_run names none; worktree, when given, is whether its runs get their own git worktree and branch when start_run does not say (true suits a repository several workers edit at once).",
      input: {
        name: z.string().describe('project name (letters, digits, . _ -)'),
        path: z.string().describe('the project directory (it must exist)'),
        default_profile: z.string().optional().describe('profile for runs of this project when none is given'),
        worktree: z.boolean().optional().describe("default for start_run's worktree for this project's runs: true gives each run its own git worktree and branch, false runs them in the directory (omitted: no project default; the profile's or workspace's applies)"),
      },
      output: { name: z.string(), path: z.string(), default_profile: z.string().optional(), worktree: z.boolean().optional(), replaced: z.boolean() },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async (a) => {
      const r = addProjectEntry({ home, name: a.name, path: a.path, defaultProfile: a.default_profile, worktree: a.worktree });
      const data = {
        name: r.name,
        path: r.project.path,
        replaced: r.replaced,
        ...(r.project.default_profile ? { default_profile: r.project.default_profile } : {}),
        ...(r.project.worktree !== undefined ? { worktree: r.project.worktree } : {}),
      };
      return { data, text: r.message };
    },
  );

  tool(
    'doctor',
    {
      title: 'Check the setup',
      description:
        'Check what agentctl needs and report each check as ok, warn or fail with how to fix it: node, tmux, each agent CLI (codex, claude, gemini) and its version, the codex profiles, the wake-up pane, the workspace, its config, profiles and projects, and runs whose worker died. Use it when a start fails for a reason that is not clear, or to see which agents can run here.',
      input: {},
      output: {
        ok: z.boolean().describe('no check failed'),
        checks: z.array(z.object({ level: z.enum(['ok', 'warn', 'fail']), name: z.string(), detail: z.string(), fix: z.string().optional() })),
      },
      annotations: READ,
    },
    async () => {
      const report = await doctorReport({ home });
      return { data: report, text: report.checks.map(checkLine).join('\n') };
    },
  );

  return server;
}
