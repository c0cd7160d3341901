// What `top` can do with the selected row, and what it shows of it. Everything goes through the
// app layer, like the CLI commands; nothing here knows a file format.
import type { AppContext } from '../../app/context.js';
import type { OverviewRow } from '../../app/overview.js';
import { cancelRun } from '../../app/cancel.js';
import { instanceStatus, readConversation } from '../../app/instance-reads.js';
import { answerPermission, interruptInstances, stopInstances } from '../../app/instances.js';
import { cancelWorkflowById, workflowLogLines, workflowStatus } from '../../app/workflows.js';
import { recentLogs } from '../../app/logs.js';
import { showRecord } from '../../app/runs.js';
import { readFileOrNull } from '../../core/sys/fsutil.js';
import { formatSeconds } from '../../core/sys/duration.js';
import { Tmux } from '../../core/tmux/tmux.js';
import { visible } from '../terminal.js';

export interface Action {
  key: string;
  label: string;
  question: string;
  run(): Promise<string>;
}

const safe = (s: string) => visible(s, { oneLine: true });
const block = (text: string, max: number) => {
  const lines = text.split('\n').map((l) => visible(l, { oneLine: true }));
  return lines.length > max ? [...lines.slice(0, max), `... (${lines.length - max} more lines)`] : lines;
};

/** The actions a row offers: each asks before it acts. */
export function actionsFor(ctx: AppContext, row: OverviewRow): Action[] {
  if (row.kind === 'instance') return instanceActions(ctx, row);
  if (row.kind === 'workflow' && row.tone === 'active') {
    return [
      {
        key: 'c',
        label: `cancelling workflow ${row.id}`,
        question: `cancel workflow ${row.id} "${safe(row.title)}" and its running steps?`,
        run: async () => `workflow ${row.id}: ${(await cancelWorkflowById(ctx, row.id)).outcome ?? 'cancelled'}`,
      },
    ];
  }
  if (row.kind === 'run' && row.tone === 'active') {
    return [
      {
        key: 'c',
        label: `cancelling run ${row.id}`,
        question: `cancel run ${row.id} "${safe(row.title)}"?`,
        run: async () => `run ${row.id}: ${(await cancelRun(ctx, row.id)).outcome ?? 'cancelled'}`,
      },
    ];
  }
  return [];
}

function instanceActions(ctx: AppContext, row: OverviewRow): Action[] {
  const who = `instance ${row.id} (${safe(row.title)})`;
  const actions: Action[] = [];
  if (row.state === 'working' || row.state === 'needs_permission') {
    actions.push({
      key: 'i',
      label: `interrupting ${who}`,
      question: `interrupt ${who}'s turn? (its context stays)`,
      run: async () => `${who}: ${(await interruptInstances(ctx, { ids: [row.id] }))[0]?.status ?? 'interrupted'}`,
    });
  }
  if (row.state === 'needs_permission') {
    for (const [key, decision] of [['a', 'allow'], ['d', 'deny']] as const) {
      actions.push({
        key,
        label: `answering ${who}: ${decision}`,
        question: `${decision.toUpperCase()} ${who}'s request: ${safe(row.detail?.replace(/^asks: /, '') ?? 'its request')}?`,
        run: async () => `${who}: ${decision} given, now ${(await answerPermission(ctx, { id: row.id, decision })).status}`,
      });
    }
  }
  if (row.state !== 'exited') {
    actions.push({
      key: 'x',
      label: `stopping ${who}`,
      question: `stop ${who}? (its session stays resumable with revive)`,
      run: async () => `${who}: ${(await stopInstances(ctx, { ids: [row.id] }))[0]?.status ?? 'stopped'}`,
    });
  }
  return actions;
}

async function instanceDetail(ctx: AppContext, row: OverviewRow): Promise<string[]> {
  const st = await instanceStatus(ctx, { id: row.id });
  const lines = [
    `${st.id}  ${st.name}  ${st.status} since ${st.since} (from ${st.source}${st.why ? `: ${safe(st.why)}` : ''})`,
    `role:     ${st.role ?? '-'}  agent: ${st.agent}${st.model ? ` (${st.model})` : ''}`,
    `project:  ${st.project ?? '-'}  cwd: ${safe(st.cwd)}`,
    `parent:   ${st.parent ?? '-'}  session: ${st.session_id ?? '-'}`,
  ];
  if (st.pane) lines.push(`pane:     ${st.pane} (g jumps there)`);
  if (st.permission) lines.push('', `asks permission: ${safe(st.permission.tool)}`, ...block(JSON.stringify(st.permission.input, null, 2) ?? '', 20), '(a allows, d denies)');
  lines.push('', 'status changes:', ...st.events.map((e) => `  ${e.t}  ${e.status ?? ''} (${e.source})${e.why ? `  ${safe(e.why)}` : ''}`));
  let turns: Awaited<ReturnType<typeof readConversation>> = [];
  try {
    turns = await readConversation(ctx, { id: row.id, last: 20 });
  } catch (err) {
    lines.push('', `conversation: ${(err as Error).message}`);
  }
  for (const t of turns) {
    lines.push('', `turn ${t.n} (${t.outcome})${t.at ? `  ${t.at}` : ''}`, '> asked:', ...block(t.prompt, 30));
    for (const tool of t.tools ?? []) lines.push(`  tool ${safe(tool.name)} ${safe(JSON.stringify(tool.input) ?? '').slice(0, 200)}`);
    lines.push('< replied:', ...block(t.reply ?? t.error ?? '(no reply)', 60));
  }
  return lines;
}

async function workflowDetail(ctx: AppContext, row: OverviewRow): Promise<string[]> {
  const st = workflowStatus(ctx, row.id);
  return [
    `${st.workflow_id}  workflow ${st.name}  ${st.outcome ?? st.status}${st.stop_reason ? `: ${safe(st.stop_reason)}` : ''}`,
    `iteration ${st.iteration}/${st.max_iterations}, ${st.steps_run} steps, findings ${st.open_findings} open of ${st.findings}`,
    ...(st.branch ? [`branch:   ${st.branch}`] : []),
    ...(st.running.length ? [`running:  ${st.running.join(' ')}`] : []),
    '',
    ...workflowLogLines(ctx, row.id).map((l) => safe(l)),
  ];
}

/** The selected row in full: a run's record, prompt, rendered events and result; an instance's conversation; a workflow's report. */
export async function detailLines(ctx: AppContext, row: OverviewRow): Promise<string[]> {
  if (row.kind === 'instance') return instanceDetail(ctx, row);
  if (row.kind === 'workflow') return workflowDetail(ctx, row);
  const rec = await showRecord(ctx, row.id);
  const logs = await recentLogs(ctx, { id: row.id, tail: 400 });
  const lines = [
    `${rec.run_id}  ${rec.outcome ?? rec.status}${rec.goal_met === null ? '' : rec.goal_met ? '  goal met' : '  goal not met'}`,
    `title:    ${safe(rec.title)}`,
    `profile:  ${rec.profile} (${rec.agent}${rec.model ? `, ${rec.model}` : ''})`,
    `project:  ${rec.project ?? '-'}`,
    `started:  ${rec.created_at}${rec.duration_s === null ? '' : `  took ${formatSeconds(rec.duration_s)}`}`,
  ];
  if (rec.cost_usd !== null) lines.push(`cost:     $${rec.cost_usd.toFixed(4)}`);
  if (rec.worktree) lines.push(`branch:   ${rec.worktree.branch}${rec.worktree.diff_stat ? `  ${safe(rec.worktree.diff_stat)}` : ''}`);
  if (rec.escalated_from) lines.push(`escalated from ${rec.escalated_from}`);
  if (rec.escalated_to) lines.push(`escalated to ${rec.escalated_to}`);
  if (rec.tmux.pane) lines.push(`pane:     ${rec.tmux.pane} (g jumps there)`);
  lines.push('', 'prompt:', ...block(readFileOrNull(rec.files.prompt) ?? '(missing)', 40));
  lines.push('', `events (${logs.total_lines}):`, ...logs.lines.map((l) => safe(l)));
  if (logs.footer.length) lines.push('', ...logs.footer.map((l) => safe(l)));
  if (rec.result) lines.push('', 'result:', ...block(JSON.stringify(rec.result, null, 2), 200));
  return lines;
}

/** Bring the row's worker pane to the front of its tmux window; says what happened. */
export function jumpToPane(ctx: AppContext, row: OverviewRow): string {
  if (!row.pane) return `${row.kind} ${row.id} has no pane`;
  const tmux = new Tmux({ socket: row.pane.socket, socketName: row.pane.socket_name }).within(2000);
  if (!tmux.paneInfo(row.pane.pane)) return `${row.kind} ${row.id}'s pane ${row.pane.pane} is gone`;
  return tmux.focusPane(row.pane.pane, ctx.env) ? `went to pane ${row.pane.pane}` : `could not go to pane ${row.pane.pane}`;
}
