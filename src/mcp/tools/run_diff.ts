import * as z from 'zod';
import { diffWith } from '../../app/worktree.js';
import { defineTool, READ, runId } from './tool.js';

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

const FORMS = ['patch', 'stat', 'name_only'] as const;

export const runDiff = defineTool({
  definition: {
    name: 'run_diff',
    title: "A run's change",
    description: `Return what a run changed, as a unified diff (form "patch", the default), a per-file summary with line counts ("stat"), or just the changed paths ("name_only"). For a run started with worktree true this is its branch (plus anything still uncommitted in its worktree) against the commit it started from: exactly what merge_run would bring in, so read it before merging. For another run it is the change the run made to its checkout, from snapshots taken at its start and end. A patch longer than ${MAX_DIFF_BYTES / 1000} KB is cut at a line end, with truncated true and a note on how to get all of it; ask for "stat" or "name_only" first on a big change. Works on a run still going too (its change so far).`,
    input: {
      id: runId,
      form: z.enum(FORMS).optional().describe('patch (default): the unified diff; stat: files with +/- line counts; name_only: changed paths, one per line'),
    },
    output: {
      run_id: z.string(),
      form: z.enum(FORMS),
      branch: z.string().nullable().describe('worktree runs: the branch the diff is of; null for other runs'),
      diff: z.string().describe('the diff text, empty when nothing changed (cut short when truncated is true)'),
      truncated: z.boolean().describe('the patch was longer than the limit and diff holds only its beginning'),
      bytes: z.number().describe('size of the whole diff in bytes'),
    },
    annotations: READ,
  },
  async run(a, { ctx }) {
    const form = a.form ?? 'patch';
    const { meta, text } = await diffWith(ctx, { id: a.id, form: form === 'name_only' ? 'name-only' : form });
    const bytes = Buffer.byteLength(text, 'utf8');
    const cut = truncateLines(text, MAX_DIFF_BYTES);
    const data = { run_id: meta.run_id, form, branch: meta.worktree?.branch ?? null, diff: cut ?? text, truncated: cut !== null, bytes };
    if (cut === null) return { data, text: text || `run ${meta.run_id} changed nothing` };
    const note =
      `[truncated: the first ${Buffer.byteLength(cut, 'utf8')} of ${bytes} bytes of run ${meta.run_id}'s patch. ` +
      `Call run_diff with form "stat" or "name_only" to see every changed file, or get the whole patch in a shell: agentctl --home ${ctx.home} diff ${meta.run_id} > ${meta.run_id}.patch]`;
    return { data, text: `${cut}${note}` };
  },
});
