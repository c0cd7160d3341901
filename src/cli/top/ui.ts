// The full-screen `top` view, drawn with Ink (React for terminals). It re-reads the overview
// when something changes on disk (fs.watch on the runs directory and on each active run's
// directory), never on a timer: the only timers redraw ages and check that active workers are
// still alive. Actions go through the same app calls as the CLI commands, each confirmed first.
import { join } from 'node:path';
import type { AppContext } from '../../app/context.js';
import { type OverviewRow, type Tone, overview } from '../../app/overview.js';
import { onChanges, type Changes } from '../../core/sys/follow.js';
import { trace } from '../../core/sys/trace.js';
import { TOP_HEAD, columnWidths, formatRow, rowCells } from '../commands/top.js';
import { type Action, actionsFor, detailLines, jumpToPane } from './actions.js';

const TONE_COLOUR: Record<Tone, string> = { active: 'yellow', attention: 'magenta', good: 'green', bad: 'red', quiet: 'gray' };
const STATUS_FILTERS: (Tone | null)[] = [null, 'active', 'attention', 'good', 'bad'];
const STATUS_WORD: Record<string, string> = { active: 'working', attention: 'needs you', good: 'done', bad: 'failed' };

export const HELP = [
  'agentctl top: runs (R), instances (I) and workflows (W), newest first',
  '',
  '  up/down, k/j    move            pgup/pgdn   page',
  '  enter, v        details (esc or q to go back; up/down/pgup/pgdn scroll)',
  '  g               go to the worker\'s tmux pane',
  '  p               filter by project (cycles)',
  '  s               filter by status: working, needs you, done, failed (cycles)',
  '  c               cancel the run (asks first)',
  '  i               interrupt the instance\'s turn (asks first)',
  '  x               stop the instance (asks first)',
  '  a               answer the instance\'s permission request (asks first)',
  '  ?               this help        q, ctrl-c   quit',
];

interface Filters {
  project: string | null;
  status: string | null;
}

type Mode =
  | { kind: 'list' }
  | { kind: 'help' }
  | { kind: 'detail'; title: string; lines: string[]; top: number }
  | { kind: 'confirm'; question: string; action: Action };

export async function runTop(ctx: AppContext, initial: Filters): Promise<void> {
  const React = (await import('react')).default;
  const { render, Box, Text, useApp, useInput, useStdout } = await import('ink');
  const h = React.createElement;
  const { useEffect, useRef, useState } = React;
  const colour = !ctx.env.NO_COLOR;

  function App() {
    const { exit } = useApp();
    const { stdout } = useStdout();
    const [size, setSize] = useState({ rows: stdout.rows || 24, columns: stdout.columns || 80 });
    const [rows, setRows] = useState<OverviewRow[]>([]);
    const [more, setMore] = useState(false);
    const [selected, setSelected] = useState<string | null>(null);
    const [filters, setFilters] = useState<Filters>(initial);
    const [mode, setMode] = useState<Mode>({ kind: 'list' });
    const [message, setMessage] = useState<string | null>(null);
    const [now, setNow] = useState(Date.now());
    const listRows = Math.max(3, size.rows - 4);
    const loading = useRef<Promise<void> | null>(null);
    const again = useRef(false);
    const projects = useRef(new Set<string>());

    const load = async (): Promise<void> => {
      // one read at a time; changes during a read ask for one more
      if (loading.current) {
        again.current = true;
        return;
      }
      const run = (async () => {
        do {
          again.current = false;
          try {
            const view = await overview(ctx, { limit: listRows, project: filters.project ?? undefined, status: filters.status ?? undefined });
            for (const r of view.rows) if (r.project) projects.current.add(r.project);
            setRows(view.rows);
            setMore(view.more);
            setNow(Date.now());
            trace(`top rows ${view.rows.map((r) => `${r.id}:${r.state}`).join(' ')}`);
          } catch (err) {
            setMessage(`cannot read the workspace: ${(err as Error).message}`);
          }
        } while (again.current);
      })();
      loading.current = run;
      await run;
      loading.current = null;
    };

    // re-read on every change below the runs directory that matters: new runs, active runs' records
    const active = rows.filter((r) => r.kind === 'run' && r.tone === 'active').map((r) => r.id).join(' ');
    useEffect(() => {
      const paths = [ctx.ws.runs, join(ctx.home, 'instances'), join(ctx.home, 'workflows'), ...active.split(' ').filter(Boolean).map((id) => join(ctx.ws.runs, id))];
      let changes: Changes | null = null;
      let timer: NodeJS.Timeout | null = null;
      changes = onChanges(paths, () => {
        timer ??= setTimeout(() => {
          timer = null;
          void load();
        }, 15);
      });
      return () => {
        if (timer) clearTimeout(timer);
        void changes?.stop();
      };
    }, [active, filters.project, filters.status, listRows]);

    useEffect(() => void load(), [filters.project, filters.status, listRows]);

    // ages move on; a worker that died leaves no write behind, so active rows are re-checked
    useEffect(() => {
      const clock = setInterval(() => setNow(Date.now()), 1000);
      const liveness = active ? setInterval(() => void load(), 2000) : null;
      return () => {
        clearInterval(clock);
        if (liveness) clearInterval(liveness);
      };
    }, [active]);

    useEffect(() => {
      const onResize = () => setSize({ rows: stdout.rows || 24, columns: stdout.columns || 80 });
      stdout.on('resize', onResize);
      return () => void stdout.off('resize', onResize);
    }, [stdout]);

    const index = Math.max(0, rows.findIndex((r) => r.id === selected));
    const current = rows[index] ?? null;
    const move = (by: number) => {
      if (!rows.length) return;
      const next = Math.min(rows.length - 1, Math.max(0, index + by));
      setSelected(rows[next]!.id);
    };
    const cycle = <T,>(list: T[], value: T): T => list[(list.indexOf(value) + 1) % list.length]!;

    useInput((input, key) => {
      if (mode.kind === 'confirm') {
        if (input === 'y' || input === 'Y') {
          setMode({ kind: 'list' });
          setMessage(`${mode.action.label}...`);
          mode.action.run().then(
            (done) => setMessage(done),
            (err: Error) => setMessage(`failed: ${err.message}`),
          );
        } else {
          setMode({ kind: 'list' });
          setMessage('nothing done');
        }
        return;
      }
      if (mode.kind === 'help') {
        setMode({ kind: 'list' });
        return;
      }
      if (mode.kind === 'detail') {
        const page = Math.max(1, size.rows - 3);
        const last = Math.max(0, mode.lines.length - page);
        if (key.escape || input === 'q') setMode({ kind: 'list' });
        else if (key.upArrow || input === 'k') setMode({ ...mode, top: Math.max(0, mode.top - 1) });
        else if (key.downArrow || input === 'j') setMode({ ...mode, top: Math.min(last, mode.top + 1) });
        else if (key.pageUp) setMode({ ...mode, top: Math.max(0, mode.top - page) });
        else if (key.pageDown || input === ' ') setMode({ ...mode, top: Math.min(last, mode.top + page) });
        return;
      }
      setMessage(null);
      if (input === 'q' || key.escape) exit();
      else if (key.upArrow || input === 'k') move(-1);
      else if (key.downArrow || input === 'j') move(1);
      else if (key.pageUp) move(-listRows);
      else if (key.pageDown) move(listRows);
      else if (input === '?') setMode({ kind: 'help' });
      else if (input === 'p') setFilters({ ...filters, project: cycle([null, ...[...projects.current].sort()], filters.project) });
      else if (input === 's') setFilters({ ...filters, status: cycle(STATUS_FILTERS, filters.status as Tone | null) });
      else if (!current) setMessage('nothing selected');
      else if (key.return || input === 'v') {
        detailLines(ctx, current).then(
          (lines) => setMode({ kind: 'detail', title: `${current.kind} ${current.id}`, lines, top: 0 }),
          (err: Error) => setMessage(err.message),
        );
      } else if (input === 'g') setMessage(jumpToPane(ctx, current));
      else {
        const action = actionsFor(ctx, current).find((a) => a.key === input);
        if (action) setMode({ kind: 'confirm', question: action.question, action });
        else if ('cixa'.includes(input)) setMessage(`nothing to do with "${input}" on this ${current.kind} (? for help)`);
      }
    });

    const width = size.columns;
    const text = (s: string, o: Record<string, unknown> = {}) => h(Text, { wrap: 'truncate-end', ...o }, s);
    const filterText = `project: ${filters.project ?? 'all'}  status: ${filters.status ? STATUS_WORD[filters.status] ?? filters.status : 'all'}`;
    const counts = (['active', 'attention', 'bad'] as Tone[]).map((t) => `${rows.filter((r) => r.tone === t).length} ${STATUS_WORD[t]}`).join(' · ');
    const header = text(`agentctl top  ${counts}  ${filterText}  ? help`, { bold: true });

    if (mode.kind === 'help') return h(Box, { flexDirection: 'column' }, ...HELP.map((l) => text(l)), text(''), text('any key: back', { dimColor: true }));
    if (mode.kind === 'detail') {
      const page = Math.max(1, size.rows - 3);
      const shown = mode.lines.slice(mode.top, mode.top + page);
      return h(
        Box,
        { flexDirection: 'column' },
        text(`${mode.title}  (${mode.top + 1}-${Math.min(mode.lines.length, mode.top + page)} of ${mode.lines.length})  esc: back`, { bold: true }),
        ...shown.map((l) => text(l || ' ')),
      );
    }

    const cells = rows.map((r) => rowCells(r, now));
    const widths = columnWidths(TOP_HEAD, cells);
    const first = Math.min(Math.max(0, index - listRows + 1), Math.max(0, rows.length - listRows));
    const body = rows.slice(first, first + listRows).map((r, i) => {
      const line = formatRow(cells[first + i]!, widths, width - 2);
      const mark = first + i === index ? '>' : ' ';
      return text(`${mark} ${line}`, { key: r.id, inverse: first + i === index, ...(colour ? { color: TONE_COLOUR[r.tone] } : {}) });
    });
    const footer =
      mode.kind === 'confirm'
        ? text(`${mode.question} (y/n)`, { bold: true, ...(colour ? { color: 'magenta' } : {}) })
        : text(message ?? (more ? 'more below the fold: filter with p / s' : rows.length ? '' : filters.project || filters.status ? 'nothing matches the filter (p / s change it)' : 'nothing yet: start a run with "agentctl start"'), { dimColor: !message });
    return h(Box, { flexDirection: 'column' }, header, text(`  ${formatRow(TOP_HEAD, widths, width - 2)}`, { dimColor: true }), ...body, footer);
  }

  // the alternate screen, like other full-screen tools: the shell's screen comes back on quit
  const { default: ansi } = await import('ansi-escapes');
  process.stdout.write(ansi.enterAlternativeScreen);
  try {
    const app = render(h(App), { exitOnCtrlC: true, patchConsole: false });
    await app.waitUntilExit();
  } finally {
    process.stdout.write(ansi.exitAlternativeScreen);
  }
}
