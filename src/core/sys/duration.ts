import { AppError } from './errors.js';

const UNIT_S: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

/** The longest duration accepted anywhere (a run's timeout, a wait): a year. */
export const MAX_DURATION_S = 365 * 86400;

/** Parse "90", "90s", "15m", "1h30m", "1.5h", "500ms" into seconds. */
export function parseDuration(text: string, what = 'duration'): number {
  const s = text.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(s)) return positive(Number(s), text, what);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    total += Number(m[1]) * UNIT_S[m[2]!]!;
    matched = re.lastIndex;
  }
  if (matched === 0 || matched !== s.length) {
    throw new AppError(`invalid ${what} ${JSON.stringify(text)}: use seconds or units like 90s, 15m, 1h30m`);
  }
  return positive(total, text, what);
}

function positive(n: number, text: string, what: string): number {
  if (!(n > 0)) throw new AppError(`invalid ${what} ${JSON.stringify(text)}: must be greater than zero`);
  if (!(n <= MAX_DURATION_S)) throw new AppError(`invalid ${what} ${JSON.stringify(text.length > 40 ? `${text.slice(0, 37)}...` : text)}: the maximum is 365d`);
  return n;
}

/** Node's timers hold at most 2^31-1 ms (~24.8 days); a longer delay fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * setTimeout for any delay up to MAX_DURATION_S: timers of at most `chunkMs` chained towards a
 * deadline on the monotonic clock (a wall-clock step neither shortens nor stretches it).
 * Returns what cancels it.
 */
export function setLongTimeout(fn: () => void, ms: number, chunkMs = MAX_TIMER_MS): () => void {
  const deadline = performance.now() + ms;
  let timer: NodeJS.Timeout;
  const arm = () => {
    const left = deadline - performance.now();
    if (left <= 0) fn();
    else timer = setTimeout(arm, Math.min(left, chunkMs));
  };
  timer = setTimeout(arm, Math.min(Math.max(ms, 0), chunkMs));
  return () => clearTimeout(timer);
}

/** 75 -> "1m15s"; for tables and pane output. */
export function formatSeconds(sec: number): string {
  if (sec < 60) return `${Math.round(sec * 10) / 10}s`.replace('.0s', 's');
  const total = Math.round(sec);
  const d = Math.floor(total / 86400);
  const h = Math.floor((total % 86400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const r = total % 60;
  if (d) return `${d}d${h}h`;
  if (h) return `${h}h${m}m`;
  return r ? `${m}m${r}s` : `${m}m`;
}
