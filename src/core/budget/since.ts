// `--since`: a duration back from now (7d, 12h, 90m), a day (2026-11-30: its local midnight),
// a date and time (ISO 8601), or "today".
import { parseDuration } from '../sys/duration.js';
import { AppError } from '../sys/errors.js';
import { startOfDay } from './spent.js';

export function parseSince(text: string, now = new Date(), what = '{opt:since}'): Date {
  const s = text.trim();
  if (s.toLowerCase() === 'today') return startOfDay(now);
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (day) {
    const d = new Date(Number(day[1]), Number(day[2]) - 1, Number(day[3]));
    if (d.getMonth() === Number(day[2]) - 1 && d.getDate() === Number(day[3])) return d;
  } else if (/^\d{4}-\d{2}-\d{2}T/.test(s) && !Number.isNaN(Date.parse(s))) {
    return new Date(Date.parse(s));
  } else if (/^[\d.]+(ms|s|m|h|d)?([\d.]+(ms|s|m|h|d))*$/i.test(s)) {
    return new Date(now.getTime() - parseDuration(s, what) * 1000);
  }
  throw new AppError(`invalid ${what} ${JSON.stringify(text)}: give a duration back from now (7d, 12h), a day (2026-11-30), a date and time (ISO 8601) or "today"`);
}
