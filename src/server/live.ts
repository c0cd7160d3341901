// Live updates: fs.watch on what the sources show (core/sys/follow.ts) tells the browsers,
// through server-sent events, to fetch their page again; nothing polls. A run's meta.json is
// watched once the run has been shown or has appeared while serving. A worker that dies writes
// nothing, so while runs are going a slow liveness check reads them (as `wait` does), which
// marks a dead one lost: that write is seen like any other.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename, dirname, join } from 'node:path';
import type { AppContext } from '../app/context.js';
import { openRun } from '../app/runs.js';
import { isValidRunId } from '../core/runs/ids.js';
import { isEnded } from '../core/runs/meta.js';
import { tryReadMeta } from '../core/runs/repository.js';
import { LIVENESS_INTERVAL_MS } from '../core/runs/watch.js';
import { type Changes, onChanges } from '../core/sys/follow.js';
import { Histogram } from './metrics-text.js';

/** A run's row changes with its record only (events and the rest are its page's). */
const RUN_LIST_FILES = ['meta.json'];
/** Every file of a directory. */
const ANY: readonly string[] = ['*'];

/** Changes closer together than this are told once. */
const SETTLE_MS = 15;
/** A comment line now and then keeps proxies from closing an idle stream (not a poll: nothing is read). */
const KEEPALIVE_MS = 25_000;

export class Live {
  private readonly clients = new Set<ServerResponse>();
  private readonly changes: Changes;
  /** Item directories watched: the item's id, and the files in it whose change changes the lists. */
  private readonly items = new Map<string, { id: string; listFiles: readonly string[] }>();
  /** Runs seen, and whether they had ended: an end seen while serving is a wait latency sample. */
  private readonly ended = new Map<string, boolean>();
  private version = 0;
  private settle: NodeJS.Timeout | null = null;
  /** What changed since the last event: lists (a record, a new run) and items (any of their files). */
  private pending = { list: false, ids: new Set<string>() };
  private readonly liveness: NodeJS.Timeout;
  private readonly keepalive: NodeJS.Timeout;
  /** From a run's recorded end to this server noticing it. */
  readonly waitLatency = new Histogram([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]);

  constructor(
    private readonly ctx: () => AppContext,
    paths: string[],
    private readonly onChange: () => void,
  ) {
    this.changes = onChanges(paths, (path) => this.seen(path));
    this.liveness = setInterval(() => void this.checkLiveness(), LIVENESS_INTERVAL_MS);
    this.keepalive = setInterval(() => this.send(': keepalive\n\n'), KEEPALIVE_MS);
    this.liveness.unref();
    this.keepalive.unref();
  }

  /**
   * Watch an item's directory (a run's record, events, result) from now on; a change to one of
   * `listFiles` changes its row in the lists too (other files are its page's only).
   */
  watchItem(dir: string, id: string, listFiles: readonly string[] = RUN_LIST_FILES, listDirs: readonly string[] = []): void {
    if (this.items.has(dir)) return;
    this.items.set(dir, { id, listFiles });
    // directories in it where any change changes the row (an instance's hook inbox, its permission requests)
    for (const sub of listDirs) {
      this.items.set(join(dir, sub), { id, listFiles: ANY });
      this.changes.add(join(dir, sub));
    }
    if (dirname(dir) === this.ctx().ws.runs) {
      const m = tryReadMeta(this.ctx().ws, id);
      if (m) this.ended.set(id, isEnded(m));
    }
    this.changes.add(dir);
  }

  private seen(path: string): void {
    const { ws } = this.ctx();
    const name = basename(path);
    const item = this.items.get(dirname(path));
    if (item !== undefined) {
      this.pending.ids.add(item.id);
      if (item.listFiles === ANY || item.listFiles.includes(name)) this.pending.list = true;
      if (name === 'meta.json' && dirname(dirname(path)) === ws.runs) this.runChanged(item.id);
    } else {
      // a new run is watched at once, shown or not: its end is a wait latency sample
      if (dirname(path) === ws.runs && isValidRunId(name)) this.watchItem(path, name);
      this.pending.list = true;
    }
    if (this.pending.list) this.onChange();
    this.settle ??= setTimeout(() => {
      this.settle = null;
      this.version++;
      const data = JSON.stringify({ v: this.version, list: this.pending.list, ids: [...this.pending.ids] });
      this.pending = { list: false, ids: new Set() };
      this.send(`event: change\ndata: ${data}\n\n`);
    }, SETTLE_MS);
  }

  private runChanged(runId: string): void {
    const m = tryReadMeta(this.ctx().ws, runId);
    if (!m) return;
    const was = this.ended.get(runId);
    const now = isEnded(m);
    this.ended.set(runId, now);
    if (was === false && now && m.ended_at) {
      const s = (Date.now() - Date.parse(m.ended_at)) / 1000;
      if (Number.isFinite(s) && s >= 0) this.waitLatency.observe({}, s);
    }
  }

  private async checkLiveness(): Promise<void> {
    const going = [...this.ended].filter(([, ended]) => !ended).map(([id]) => id);
    for (const id of going) {
      try {
        await openRun(this.ctx(), id); // marks a dead run lost: the write is seen by the watch
      } catch {
        this.ended.delete(id); // removed meanwhile
      }
    }
  }

  /** An event stream for one browser; closed when it goes. */
  subscribe(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    res.write(`retry: 1000\nevent: hello\ndata: ${JSON.stringify({ v: this.version })}\n\n`);
    this.clients.add(res);
    req.on('close', () => this.clients.delete(res));
  }

  private send(chunk: string): void {
    for (const c of this.clients) c.write(chunk);
  }

  async close(): Promise<void> {
    clearInterval(this.liveness);
    clearInterval(this.keepalive);
    if (this.settle) clearTimeout(this.settle);
    for (const c of this.clients) c.end();
    await this.changes.stop();
  }
}
