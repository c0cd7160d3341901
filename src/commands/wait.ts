import { parseDuration } from '../core/duration.js';
import { ExitCode } from '../core/errors.js';
import { refreshLiveness } from '../core/liveness.js';
import { type Meta, isEnded } from '../core/meta.js';
import { resolveHome, workspace } from '../core/paths.js';
import { compactResult, exitCodeFor } from '../core/result.js';
import { loadConfigOrNull } from '../core/runview.js';
import { readMeta, resolveRunId } from '../core/store.js';
import type { RunWatcher } from '../core/watch.js';

export interface WaitOptions {
  home?: string;
  ids: string[];
  timeout?: string;
  any?: boolean;
  follow?: boolean;
}

interface Tracked {
  current: string;
  chain: string[];
  done: Meta | null;
}

export async function waitCmd(o: WaitOptions): Promise<void> {
  const ws = workspace(resolveHome(o.home));
  const timeoutS = o.timeout !== undefined ? parseDuration(o.timeout, '--timeout') : null;
  const tracked: Tracked[] = [...new Set(o.ids.map((q) => resolveRunId(ws, q)))].map((id) => ({ current: id, chain: [id], done: null }));
  const cfg = loadConfigOrNull(ws);
  const codes: number[] = [];

  const print = (t: Tracked, m: Meta) => {
    const line = o.follow ? { ...compactResult(m), chain: t.chain } : compactResult(m);
    process.stdout.write(`${JSON.stringify(line)}\n`);
    codes.push(exitCodeFor(m));
  };
  const finished = () => (o.any ? tracked.some((t) => t.done) : tracked.every((t) => t.done));

  let watcher: RunWatcher | null = null;
  /** Advance every run that ended; returns true when waiting is over. */
  const check = async (changed: string | null): Promise<boolean> => {
    for (const t of tracked) {
      while (!t.done && (changed === null || changed === t.current)) {
        const m = await refreshLiveness(ws, cfg, readMeta(ws, t.current));
        if (!isEnded(m)) break;
        if (o.follow && m.escalated_to) {
          t.current = m.escalated_to;
          t.chain.push(m.escalated_to);
          watcher?.add(m.escalated_to);
          changed = null;
          continue;
        }
        t.done = m;
        print(t, m);
        if (o.any) return true;
      }
    }
    return finished();
  };

  if (!(await check(null))) {
    const { watchRuns } = await import('../core/watch.js');
    await new Promise<void>((resolve, reject) => {
      let busy = false;
      let again = false;
      let timer: NodeJS.Timeout | undefined;
      let over = false;
      const end = (timedOut: boolean) => {
        if (over) return;
        over = true;
        if (timer) clearTimeout(timer);
        if (timedOut) {
          for (const t of tracked) {
            if (t.done) continue;
            const m = readMeta(ws, t.current);
            process.stdout.write(`${JSON.stringify(o.follow ? { ...compactResult(m), chain: t.chain } : compactResult(m))}\n`);
            codes.push(exitCodeFor(m));
          }
        }
        void watcher!.close().then(resolve, reject);
      };
      const run = async (changed: string | null) => {
        if (over) return;
        if (busy) {
          again = true;
          return;
        }
        busy = true;
        try {
          let done = await check(changed);
          while (!done && again) {
            again = false;
            done = await check(null);
          }
          if (done) end(false);
        } catch (err) {
          if (timer) clearTimeout(timer);
          void watcher!.close();
          reject(err);
        } finally {
          busy = false;
        }
      };
      watcher = watchRuns(
        ws,
        tracked.map((t) => t.current),
        (id) => void run(id),
      );
      if (timeoutS !== null) timer = setTimeout(() => end(true), timeoutS * 1000);
    });
  }
  const code = o.any ? (codes[0] ?? 0) : Math.max(0, ...codes);
  if (code !== 0) throw new ExitCode(code);
}
