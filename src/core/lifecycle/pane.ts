// What the supervisor shows in the worker's pane: a header, the agent's progress as readable
// lines, and how the run ended. Display only: nothing here decides anything. Text from the
// agent or the user (title, summary, progress, stderr) goes through visible() before colouring,
// so only this module's own colour sequences reach the terminal.
import type { ProgressLine } from '../../agents/types.js';
import { formatSeconds } from '../sys/duration.js';
import type { Meta } from '../runs/meta.js';
import { visible } from '../sys/terminal.js';

export const color = {
  dim: (s: string) => `\x1b[2m${s}\x1b[0m`,
  bold: (s: string) => `\x1b[1m${s}\x1b[0m`,
  red: (s: string) => `\x1b[31m${s}\x1b[0m`,
  green: (s: string) => `\x1b[32m${s}\x1b[0m`,
  yellow: (s: string) => `\x1b[33m${s}\x1b[0m`,
  cyan: (s: string) => `\x1b[36m${s}\x1b[0m`,
};

const KIND_MARK: Record<ProgressLine['kind'], (s: string) => string> = {
  session: (s) => color.dim(`• ${s}`),
  message: (s) => `» ${s}`,
  reasoning: (s) => color.dim(`… ${s}`),
  command: (s) => color.cyan(s),
  file: (s) => color.yellow(`± ${s}`),
  tool: (s) => color.cyan(`⚙ ${s}`),
  error: (s) => color.red(`✗ ${s}`),
  usage: (s) => color.dim(`Σ ${s}`),
  result: (s) => color.bold(`= ${s}`),
  output: (s) => s,
};

/** Pane output; the pane may vanish at any time, so a failed write is not an error. */
export function say(text: string): void {
  try {
    process.stdout.write(`${text}\n`);
  } catch {
    // pane gone
  }
}

export function clock(): string {
  return new Date().toTimeString().slice(0, 8);
}

export function sayProgress(p: ProgressLine): void {
  say(`${color.dim(clock())} ${KIND_MARK[p.kind](visible(p.text))}`);
}

/** A line the agent wrote to stderr. */
export function sayStderr(line: string): void {
  say(color.dim(`${clock()} stderr│ ${visible(line, { oneLine: true })}`));
}

/** The pane's title: the run, its profile, branch and title, on one line. */
export function paneTitle(m: Meta): string {
  const branch = m.worktree ? ` · ⎇ ${m.worktree.branch}` : '';
  return visible(`${m.run_id} · ${m.profile}${branch} · ${m.title}`, { oneLine: true });
}

/** The run, its profile, title and where it works. */
export function sayHeader(m: Meta, cwd: string): void {
  say(color.bold(`agentctl ${m.run_id}`) + color.dim(` · ${m.agent} · profile ${m.profile}${m.mode !== 'new' ? ` · ${m.mode} of ${m.parent_run_id}` : ''}`));
  const where = m.worktree ? `${cwd} · branch ${m.worktree.branch} from ${m.worktree.base_ref} (${m.worktree.base.slice(0, 10)})` : cwd;
  say(color.dim(`${visible(m.title, { oneLine: true })}\n${visible(where, { oneLine: true })}${m.timeout_s ? ` · timeout ${formatSeconds(m.timeout_s)}` : ''}`));
}

export function reportInPane(m: Meta, child: string | null): void {
  const ok = m.outcome === 'goal_met';
  const paint = ok ? color.green : color.red;
  say('');
  say(paint(color.bold(`${ok ? '✔' : '✘'} ${m.outcome} · exit ${m.exit_code ?? m.signal ?? 'none'} · ${formatSeconds((m.timings.duration_ms ?? 0) / 1000)}`)));
  if (m.summary) say(visible(m.summary));
  if (m.git_diff_stat) say(color.dim(`git: ${m.git_diff_stat}`));
  const wt = m.worktree;
  if (wt) say(color.dim(`branch ${wt.branch}: ${wt.commit ? `committed ${wt.commit.slice(0, 10)}` : 'nothing new committed'}; against ${wt.base_ref}: ${wt.diff_stat ?? 'unknown'}`));
  for (const e of m.validation_errors.slice(0, 5)) say(color.red(`schema: ${visible(e)}`));
  if (child) say(color.yellow(`escalated to ${child}`));
}
