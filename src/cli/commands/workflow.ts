// `agentctl workflow run|resume|list` and the hidden `_workflow` driver; registered from
// program.ts with one call. wait, show, cancel, logs and list take workflow ids too (their
// own printers dispatch on the id's shape).
import type { Command } from 'commander';
import type { AppContext } from '../../app/context.js';
import type { Plan, WorkflowView } from '../../app/workflows.js';

type Ctx = (cmd: Command) => AppContext | Promise<AppContext>;

export function registerWorkflowCommands(program: Command, ctx: Ctx): void {
  const wf = program
    .command('workflow')
    .description('multi-step workflows (implement, review, refine ...) run as ordinary runs in one worktree');

  wf.command('run')
    .description('start a workflow and print its id at once (task on stdin)')
    .argument('<name>', 'default, quick, thorough, review-only, document, or workflows/NAME.yaml of the project or workspace')
    .option('--project <name|path>', 'registered project name or a directory (default: current directory)')
    .option('--max-iterations <n>', "override the workflow's max_iterations")
    .option('--max-cost <usd>', 'stop before a step that would go beyond this many US dollars')
    .option('--prompt-file <file>', 'read the task from a file instead of stdin')
    .option('--dry-run', 'print the plan (steps, profiles, missing CLIs, budget) and start nothing')
    .option('--json', 'print JSON instead of just the id')
    .addHelpText(
      'after',
      `
Then: agentctl wait wf-ID (exit 0 when the workflow met its goal), show wf-ID, logs wf-ID
(its report so far), cancel wf-ID. The orchestrator is woken once, when the workflow ends:
  [AI_ORCH DONE workflow_id=wf-ID goal_met=true exit=0]
See docs/workflows.md for the YAML format.`,
    )
    .action(async (name: string, opts, cmd) => runCmd(await ctx(cmd), name, opts));

  wf.command('resume')
    .description('go on from the last finished step: a workflow whose driver died, or one stopped by a failed step (tried once more), its budget or a cancel')
    .argument('<id>')
    .option('--max-cost <usd>', 'its new budget (US dollars)')
    .option('--json', 'print JSON')
    .action(async (id: string, opts, cmd) => {
      const c = await ctx(cmd);
      const { resumeWorkflow } = await import('../../app/workflows.js');
      const v = resumeWorkflow(c, id, { budgetUsd: await usd(opts.maxCost) });
      c.stdout.write(opts.json ? `${JSON.stringify(v)}\n` : `${v.workflow_id}\n`);
    });

  wf.command('list')
    .description('workflows, newest first')
    .option('-n, --limit <n>', 'at most this many (0: all)', '20')
    .option('--json', 'print a JSON array')
    .action(async (opts, cmd) => {
      const c = await ctx(cmd);
      const { listWorkflowViews } = await import('../../app/workflows.js');
      const views = listWorkflowViews(c, { limit: Number(opts.limit) });
      const { visible } = await import('../terminal.js');
      if (opts.json) c.stdout.write(`${JSON.stringify(views)}\n`);
      else c.stdout.write(views.length ? workflowTable(views, visible) : 'no workflows yet: start one with "agentctl workflow run default"\n');
    });

  program
    .command('_workflow', { hidden: true })
    .argument('<id>')
    .action(async (id: string, _opts, cmd) => (await import('../../app/workflows.js')).driveWorkflowHere(await ctx(cmd), id));
}

async function runCmd(ctx: AppContext, name: string, o: { project?: string; maxIterations?: string; maxCost?: string; promptFile?: string; dryRun?: boolean; json?: boolean }): Promise<void> {
  const { planFor, runWorkflow } = await import('../../app/workflows.js');
  const budgetUsd = await usd(o.maxCost);
  const opts = { name, project: o.project, maxIterations: o.maxIterations, budgetUsd };
  if (o.dryRun) {
    const plan = planFor(ctx, opts);
    ctx.stdout.write(o.json ? `${JSON.stringify(plan)}\n` : planText(plan));
    return;
  }
  const task = async () => {
    const { readPrompt } = await import('../../core/sys/stdin.js');
    const t = await readPrompt({ promptFile: o.promptFile, optional: false });
    return typeof t === 'string' ? t : t.toString('utf8');
  };
  const v = await runWorkflow(ctx, opts, task);
  ctx.stdout.write(o.json ? `${JSON.stringify(v)}\n` : `${v.workflow_id}\n`);
}

/** --max-cost as typed: a number of US dollars above 0. */
async function usd(text: string | undefined): Promise<number | undefined> {
  if (text === undefined) return undefined;
  const { parseUsd } = await import('../../core/budget/limits.js');
  return parseUsd(text);
}

export function planText(p: Plan): string {
  const lines = [
    `workflow ${p.name} (${p.source}): ${p.description || 'no description'}`,
    `project: ${p.project ?? p.project_dir}`,
    `iterations: at most ${p.max_iterations}; budget: ${p.budget_usd === null ? 'none' : `$${p.budget_usd}`}`,
    `stop when: ${stopText(p.stop)}`,
    'steps:',
  ];
  const groups = new Map<number, Plan['steps']>();
  for (const s of p.steps) groups.set(s.group, [...(groups.get(s.group) ?? []), s]);
  for (const [g, steps] of groups) {
    const par = steps.length > 1 ? ' (in parallel)' : '';
    for (const s of steps) {
      const state = s.problem ? `PROBLEM: ${s.problem}` : s.missing ? `MISSING: ${s.missing} not on PATH` : 'ok';
      lines.push(`  ${g + 1}. ${s.step}${par}: ${s.kind} by profile ${s.profile} (${s.agent ?? '?'})${s.repeat ? '' : ', first iteration only'}: ${state}`);
    }
  }
  lines.push(p.missing.length ? `missing CLIs: ${p.missing.join(', ')}` : 'every CLI is installed');
  return `${lines.join('\n')}\n`;
}

function stopText(s: Plan['stop']): string {
  const parts: string[] = [];
  if (s.no_open_findings) parts.push('a review leaves no open findings');
  if (s.min_suggestions_threshold !== null) parts.push(`a review round finds fewer than ${s.min_suggestions_threshold}`);
  if (s.quality_score !== null) parts.push(`every review scores at least ${s.quality_score}`);
  return parts.length ? parts.join(', or ') : 'the last iteration ends';
}

export function workflowTable(views: WorkflowView[], visible: (t: string, o: { oneLine: boolean }) => string): string {
  const rows = views.map((v) => [v.workflow_id, v.outcome ?? v.status, `${v.iteration}/${v.max_iterations}`, String(v.open_findings), v.cost_usd === null ? '-' : `$${v.cost_usd.toFixed(2)}`, v.name, visible(v.title, { oneLine: true })]);
  const head = ['WORKFLOW', 'STATE', 'ITER', 'OPEN', 'COST', 'NAME', 'TITLE'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) => r.map((c, i) => (i < r.length - 1 ? c.padEnd(widths[i]!) : c)).join('  ').trimEnd();
  return `${[fmt(head), ...rows.map(fmt)].join('\n')}\n`;
}
