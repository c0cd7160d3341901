// A run's agent events rendered readably (by its agent's adapter), then how it ended.
import { getAdapter } from '../agents/index.js';
import { LineReader, onChanges } from '../core/sys/follow.js';
import { readFileOrNull } from '../core/sys/fsutil.js';
import { type Meta, isEnded } from '../core/runs/meta.js';
import { LIVENESS_INTERVAL_MS } from '../core/runs/watch.js';
import { runFiles } from '../core/workspace/paths.js';
import type { AppContext } from './context.js';
import { openRun } from './runs.js';
import type { LogsView } from './views.js';

/** Turns raw event lines into readable ones ("kind      text"), keeping the adapter's state across calls. */
function eventRenderer(meta: Meta, raw?: boolean): (lines: string[]) => string[] {
  if (raw) return (lines) => lines;
  const reader = getAdapter(meta.agent).newReader();
  return (lines) => lines.flatMap((line) => reader.onLine(line).map((p) => `${p.kind.padEnd(9)} ${p.text}`));
}

/** The last `tail` readable event lines of a run (all when tail is 0), and how it ended. */
export async function recentLogs(ctx: AppContext, o: { id: string; tail: number; raw?: boolean }): Promise<LogsView> {
  const meta = await openRun(ctx, o.id);
  const files = runFiles(ctx.home, meta.run_id);
  const lines = eventRenderer(meta, o.raw)(new LineReader(files.events).read(true));
  return {
    run_id: meta.run_id,
    status: meta.status,
    outcome: meta.outcome,
    lines: o.tail ? lines.slice(-o.tail) : lines,
    total_lines: lines.length,
    footer: footer(meta, files.stderr, o.raw),
  };
}

/**
 * Every readable event line of a run, then its footer, each handed to `out` as it comes; with
 * follow, lines keep coming as the agent writes them until the run ends.
 */
export async function followLogs(ctx: AppContext, o: { id: string; follow?: boolean; raw?: boolean }, out: (line: string) => void): Promise<void> {
  let meta = await openRun(ctx, o.id);
  const files = runFiles(ctx.home, meta.run_id);
  const render = eventRenderer(meta, o.raw);
  const reader = new LineReader(files.events);
  let printed = 0;
  const print = (lines: string[]) => {
    const shown = render(lines);
    printed += shown.length;
    shown.forEach(out);
  };
  print(reader.read(!o.follow || isEnded(meta)));
  if (o.follow && !isEnded(meta)) {
    // without a word, a following command that prints nothing looks hung
    if (!printed && !o.raw) out(NOTHING_YET);
    await new Promise<void>((resolve) => {
      let done = false;
      const check = async () => {
        print(reader.read());
        meta = await openRun(ctx, meta.run_id);
        if (isEnded(meta) && !done) {
          done = true;
          clearInterval(timer);
          print(reader.read(true));
          void watcher.stop().then(resolve);
        }
      };
      const watcher = onChanges([files.dir], () => void check());
      const timer = setInterval(() => void check(), LIVENESS_INTERVAL_MS);
    });
  }
  footer(meta, files.stderr, o.raw).forEach(out);
}

const NOTHING_YET = '(no events yet; following until the run ends)';

const STDERR_TAIL_LINES = 40;

/** How the run ended, and the end of its stderr: where an agent error is usually explained. */
function footer(m: Meta, stderrPath: string, raw?: boolean): string[] {
  if (!isEnded(m) || raw) return [];
  const out: string[] = [];
  const stderr = (readFileOrNull(stderrPath) ?? '').trimEnd();
  if (stderr) {
    const lines = stderr.split('\n');
    out.push(`-- stderr${lines.length > STDERR_TAIL_LINES ? ` (last ${STDERR_TAIL_LINES} of ${lines.length} lines)` : ''}`, ...lines.slice(-STDERR_TAIL_LINES));
  }
  out.push(`-- ${m.outcome ?? m.status} · exit ${m.exit_code ?? m.signal ?? 'none'}${m.summary ? ` · ${m.summary}` : ''}`);
  return out;
}
