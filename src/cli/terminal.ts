// Human output on a terminal: control characters from titles, summaries and typed input shown
// as text (the rule lives in core/sys/terminal.ts, which the worker's pane uses too), and lines
// cut to the terminal's width so a table row never wraps.
import type { AppContext } from '../app/context.js';

export { visible } from '../core/sys/terminal.js';

/** Columns to fit: $COLUMNS when set, else the terminal's width when stdout is one; null: no limit. */
export function terminalWidth(ctx: Pick<AppContext, 'env' | 'stdout'>): number | null {
  const env = Number(ctx.env.COLUMNS);
  if (Number.isInteger(env) && env > 0) return env;
  const out = ctx.stdout as { isTTY?: boolean; columns?: number };
  return out.isTTY && out.columns ? out.columns : null;
}

// East Asian wide and emoji ranges take two columns; combining marks none
const WIDE = /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1f300}-\u{1f64f}\u{1f900}-\u{1f9ff}\u{20000}-\u{3fffd}]/u;
const ZERO = /[\u0300-\u036f\u200b-\u200f\ufe00-\ufe0f]/u;

function columns(ch: string): number {
  return ZERO.test(ch) ? 0 : WIDE.test(ch) ? 2 : 1;
}

/** `line` cut to `width` columns, ending in "…" when something was cut. */
export function truncate(line: string, width: number): string {
  let used = 0;
  const chars = [...line];
  for (let i = 0; i < chars.length; i++) {
    used += columns(chars[i]!);
    if (used > width) {
      let keep = i;
      let w = used - columns(chars[i]!);
      // room for the ellipsis
      while (keep > 0 && w + 1 > width) w -= columns(chars[--keep]!);
      return `${chars.slice(0, keep).join('')}…`;
    }
  }
  return line;
}
