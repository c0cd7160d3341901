import { getAdapter } from '../agents/index.js';
import { LineReader, onChanges } from '../core/follow.js';
import { readFileOrNull } from '../core/fsutil.js';
import { refreshLiveness } from '../core/liveness.js';
import { isEnded } from '../core/meta.js';
import { resolveHome, runFiles, workspace } from '../core/paths.js';
import { loadConfigOrNull } from '../core/runview.js';
import { readMeta, resolveRunId } from '../core/store.js';
import { LIVENESS_INTERVAL_MS } from '../core/watch.js';

export async function logsCmd(o: { home?: string; id: string; follow?: boolean; raw?: boolean }): Promise<void> {
  const ws = workspace(resolveHome(o.home));
  const id = resolveRunId(ws, o.id);
  const files = runFiles(ws.home, id);
  let meta = readMeta(ws, id);
  const adapter = getAdapter(meta.agent);
  const state = adapter.newState();
  const reader = new LineReader(files.events);
  const print = (lines: string[]) => {
    for (const line of lines) {
      if (o.raw) {
        process.stdout.write(`${line}\n`);
        continue;
      }
      for (const p of adapter.onLine(line, state)) process.stdout.write(`${p.kind.padEnd(9)} ${p.text}\n`);
    }
  };
  process.stdout.on('error', () => process.exit(0));
  print(reader.read(!o.follow || isEnded(meta)));
  if (!o.follow || isEnded(meta)) return footer(meta, files.stderr, o.raw);

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
  footer(meta, files.stderr, o.raw);
}

const STDERR_TAIL_LINES = 40;

/** How the run ended, and the end of its stderr: where an agent error is usually explained. */
function footer(m: ReturnType<typeof readMeta>, stderrPath: string, raw?: boolean): void {
  if (!isEnded(m) || raw) return;
  const stderr = (readFileOrNull(stderrPath) ?? '').trimEnd();
  if (stderr) {
    const lines = stderr.split('\n');
    process.stdout.write(`-- stderr${lines.length > STDERR_TAIL_LINES ? ` (last ${STDERR_TAIL_LINES} of ${lines.length} lines)` : ''}\n`);
    for (const l of lines.slice(-STDERR_TAIL_LINES)) process.stdout.write(`${l}\n`);
  }
  process.stdout.write(`-- ${m.outcome ?? m.status} · exit ${m.exit_code ?? m.signal ?? 'none'}${m.summary ? ` · ${m.summary}` : ''}\n`);
}
