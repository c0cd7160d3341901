// HTML built from templates whose every interpolated value is escaped unless it is already
// Html: a title, prompt or answer can hold markup and terminal control characters, and both
// are shown as text (controls as visible escapes, see core/sys/terminal.ts).
import { visible } from '../core/sys/terminal.js';

export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for an element's content or an attribute value; oneLine shows newlines as \n too. */
export function esc(text: string, o: { oneLine?: boolean } = {}): string {
  return visible(text, o).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

type Value = Html | string | number | boolean | null | undefined | readonly Value[];

function part(v: Value): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof Html) return v.text;
  if (Array.isArray(v)) return v.map(part).join('');
  // one-line by default: multi-line text goes through pre()
  return esc(String(v), { oneLine: true });
}

/** A template whose values are escaped (arrays joined, null/undefined/false left out). */
export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0]!;
  values.forEach((v, i) => (out += part(v) + strings[i + 1]!));
  return new Html(out);
}

/** Multi-line text in a <pre>, newlines kept; focusable, so a keyboard can scroll a long one. */
export const pre = (text: string, cls = ''): Html => new Html(`<pre tabindex="0"${cls ? ` class="${esc(cls)}"` : ''}>${esc(text)}</pre>`);

/** Markup made here, never from outside data. */
export const trusted = (text: string): Html => new Html(text);
