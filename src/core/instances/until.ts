// Waiting on an instance: the lifecycle operations (spawn, send, interrupt, stop, revive) each
// return once the instance has reached some state, told by its hooks (the inbox and the event
// log) or its processes. A change to the instance's files wakes the check at once; a slow tick
// covers what no file tells (a process that died without a word).
import { interactiveAdapter } from '../../agents/interactive/index.js';
import { AppError } from '../sys/errors.js';
import { onChanges } from '../sys/follow.js';
import { readEvents } from './events.js';
import { instanceFiles } from './paths.js';
import { readInstance } from './record.js';
import { deriveStatus, type DerivedStatus } from './status.js';
import type { InstanceEvent, InstanceRecord } from './types.js';

export interface InstanceNow {
  record: InstanceRecord;
  events: InstanceEvent[];
  status: DerivedStatus;
}

/** The instance as it is now: its record, its events (inbox leftovers folded in) and its status. */
export function instanceNow(home: string, id: string): InstanceNow {
  const record = readInstance(home, id);
  const events = readEvents(instanceFiles(home, id));
  return { record, events, status: deriveStatus(record, events, Date.now(), { adapter: interactiveAdapter(record.agent) }) };
}

/** How often the check runs when no file changed: process deaths leave no file behind. */
const TICK_MS = 200;

/**
 * Resolve with check's first non-undefined answer; check runs now, after every change to the
 * instance's files, and every TICK_MS. After timeoutMs, throws an AppError saying what was
 * waited for (`what`), or returns onTimeout's answer when one is given.
 */
export async function until<T>(home: string, id: string, check: (now: InstanceNow) => T | undefined, o: { timeoutMs: number; what: string; onTimeout?: (now: InstanceNow) => T }): Promise<T> {
  const files = instanceFiles(home, id);
  let wake: () => void = () => {};
  const changes = onChanges([files.dir, files.inbox], () => wake());
  try {
    const deadline = Date.now() + o.timeoutMs;
    for (;;) {
      const now = instanceNow(home, id);
      const answer = check(now);
      if (answer !== undefined) return answer;
      const left = deadline - Date.now();
      if (left <= 0) {
        if (o.onTimeout) return o.onTimeout(now);
        throw new AppError(`instance ${now.record.name} (${id}) did not ${o.what} within ${Math.round(o.timeoutMs / 1000)} s (status ${now.status.status}${now.status.why ? `: ${now.status.why}` : ''})`, {
          fix: now.record.tmux.pane ? `look at its pane ${now.record.tmux.pane}` : 'see "{cmd:instances}"',
        });
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(TICK_MS, left));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    await changes.stop();
  }
}
