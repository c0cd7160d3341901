// `agentctl cost`: what was spent, from the run records. Registered by program.ts through
// registerCostCommands; the report itself is loaded only when the command runs.
import { type Command, Option } from 'commander';
import type { AppContext } from '../../app/context.js';
import type { CostLine, CostReport, CostRequest } from '../../app/cost.js';
import { formatUsd } from '../../core/budget/cost.js';
import { terminalWidth, truncate, visible } from '../terminal.js';

export function registerCostCommands(program: Command, ctx: (cmd: Command) => AppContext | Promise<AppContext>): void {
  program
    .command('cost')
    .description('what the runs cost, from their records: per project (or profile, agent, workflow, model), with the total')
    .option('--since <when>', 'only runs started since: a duration back from now (7d, 12h), a day (2026-11-30), an ISO date and time, or "today"')
    .addOption(new Option('--by <group>', 'group by').choices(['project', 'profile', 'agent', 'workflow', 'model']).default('project'))
    .option('--json', 'one JSON object per group, then one with "total": true')
    .addHelpText(
      'after',
      `
A run's cost is what its agent reported (claude), else an estimate from the tokens it reported
and the price table in config.json ("prices"), shown with "~" (codex, gemini). Only ended runs
count; runs that recorded no usage are counted apart. Limits: start --max-cost / --max-tokens and
config.json "budgets" (see docs/budgets.md).`,
    )
    .action(async (opts, cmd) => costCmd(await ctx(cmd), opts));
}

export async function costCmd(ctx: AppContext, o: CostRequest & { json?: boolean }): Promise<void> {
  const { costReport } = await import('../../app/cost.js');
  const report = costReport(ctx, o);
  if (o.json) {
    for (const g of report.groups) ctx.stdout.write(`${JSON.stringify({ [report.by]: g.key, ...jsonLine(g) })}\n`);
    ctx.stdout.write(`${JSON.stringify({ total: true, since: report.since, ...jsonLine(report.total) })}\n`);
    return;
  }
  if (!report.total.runs) {
    ctx.stdout.write(o.since ? 'no runs since then\n' : 'no runs yet\n');
    return;
  }
  ctx.stdout.write(table(report, terminalWidth(ctx)));
}

function jsonLine(l: CostLine): Omit<CostLine, 'key'> {
  const { key: _key, ...rest } = l;
  return { ...rest, usd: Math.round(l.usd * 1e6) / 1e6 };
}

/** 1234 -> 1.2k, 2500000 -> 2.5M. */
function tokens(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1e6) return `${(n / 1e3).toFixed(n < 1e4 ? 1 : 0)}k`;
  return `${(n / 1e6).toFixed(n < 1e7 ? 1 : 0)}M`;
}

function table(r: CostReport, width: number | null): string {
  const row = (name: string, l: CostLine) => [name, String(l.runs), formatUsd(l.usd, l.estimated), tokens(l.input_tokens), tokens(l.cached_input_tokens), tokens(l.output_tokens)];
  const cells = [
    [r.by.toUpperCase(), 'RUNS', 'COST', 'IN', 'CACHED', 'OUT'],
    ...r.groups.map((g) => row(visible(g.key ?? '(none)', { oneLine: true }), g)),
    row('TOTAL', r.total),
  ];
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  // the name left-aligned, numbers right-aligned
  const fmt = (c: string[]) => {
    const line = c.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ').trimEnd();
    return width === null ? line : truncate(line, width);
  };
  const notes: string[] = [];
  if (r.total.estimated) notes.push('~ estimated from tokens and the price table (config.json "prices")');
  if (r.total.unknown_runs) notes.push(`${r.total.unknown_runs} run${r.total.unknown_runs === 1 ? '' : 's'} recorded no usage: not in the cost`);
  return `${[...cells.map(fmt), ...notes].join('\n')}\n`;
}
