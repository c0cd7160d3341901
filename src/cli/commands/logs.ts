import { getAdapter } from '../../agents/index.js';
import { LineReader, onChanges } from '../../core/sys/follow.js';
import { readFileOrNull } from '../../core/sys/fsutil.js';
import { refreshLiveness } from '../../core/lifecycle/liveness.js';
import { type Meta, isEnded } from '../../core/runs/meta.js';
import { resolveHome, runFiles, workspace } from '../../core/workspace/paths.js';
import { loadConfigOrNull } from '../../core/workspace/runview.js';
import { readMeta, resolveRunId } from '../../core/runs/store.js';
import { LIVENESS_INTERVAL_MS } from '../../core/runs/watch.js';

/** Turns raw event lines into readable ones ("kind      text"), keeping the adapter's state across calls. */
export function eventRenderer(meta: Meta, raw?: boolean): (lines: string[]) => string[] {
  if (raw) return (lines) => lines;
  const reader = getAdapter(meta.agent).newReader();
  return (lines) => lines.flatMap((line) => reader.onLine(line).map((p) => `${p.kind.padEnd(9)} ${p.text}`));
}

/** The last `tail` readable event lines of a run (all when tail is 0), and how it ended: the MCP run_logs tool. */
export async function recentLogs(o: { home?: string; id: string; tail: number; raw?: boolean }) {
  const ws = workspace(resolveHome(o.home));
  const id = resolveRunId(ws, o.id);
  const files = runFiles(ws.home, id);
  const meta = await refreshLiveness(ws, loadConfigOrNull(ws), readMeta(ws, id));
  const lines = eventRenderer(meta, o.raw)(new LineReader(files.events).read(true));
  return { meta, lines: o.tail ? lines.slice(-o.tail) : lines, total: lines.length, footer: footer(meta, files.stderr, o.raw) };
}

export async function logsCmd(o: { home?: string; id: string; follow?: boolean; raw?: boolean }): Promise<void> {
  const ws = workspace(resolveHome(o.home));
  const id = resolveRunId(ws, o.id);
  const files = runFiles(ws.home, id);
  let meta = readMeta(ws, id);
  const render = eventRenderer(meta, o.raw);
  const reader = new LineReader(files.events);
  const print = (lines: string[]) => {
    for (const line of render(lines)) process.stdout.write(`${line}\n`);
  };
  const printFooter = () => {
    for (const line of footer(meta, files.stderr, o.raw)) process.stdout.write(`${line}\n`);
  };
  process.stdout.on('error', () => process.exit(0));
  print(reader.read(!o.follow || isEnded(meta)));
  if (!o.follow || isEnded(meta)) return printFooter();

  const cfg = loadConfigOrNull(ws);
  await new Promise<void>((resolve) => {
    let done = false;
    const check = async () => {
      print(reader.read());
      meta = await refreshLiveness(ws, cfg, readMeta(ws, id));
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
  printFooter();
}

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
