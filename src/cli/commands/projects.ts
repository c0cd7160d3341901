import type { AppContext } from '../../app/context.js';
import { visible } from '../terminal.js';
import { type AddProjectOptions, addProjectEntry, projectEntries, removeProjectEntry } from '../../app/projects.js';

export function addProjectCmd(ctx: AppContext, o: AddProjectOptions): void {
  ctx.stdout.write(`${addProjectEntry(ctx, o).message}\n`);
}

export function listProjectsCmd(ctx: AppContext, o: { json?: boolean }): void {
  const entries = projectEntries(ctx);
  if (o.json) {
    ctx.stdout.write(`${JSON.stringify(entries)}\n`);
    return;
  }
  if (!entries.length) {
    ctx.stdout.write('no projects: add one with "agentctl add-project <name> <path>"\n');
    return;
  }
  const width = Math.max(4, ...entries.map((e) => e.name.length));
  ctx.stdout.write(`${'NAME'.padEnd(width)}  PROFILE  WORKTREE  PATH\n`);
  for (const e of entries) {
    const wt = e.worktree === undefined ? '-' : e.worktree ? 'on' : 'off';
    ctx.stdout.write(`${e.name.padEnd(width)}  ${(e.default_profile ?? '-').padEnd(7)}  ${wt.padEnd(8)}  ${visible(e.path, { oneLine: true })}\n`);
  }
}

export function removeProjectCmd(ctx: AppContext, name: string): void {
  const p = removeProjectEntry(ctx, name);
  ctx.stdout.write(`removed project ${name} (${p.path}; files and runs kept)\n`);
}
