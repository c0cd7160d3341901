// Text that came from outside (a title, an agent's summary or event, a path typed by someone)
// printed for a person: a terminal would act on its control characters (retitle the window,
// clear the screen, overwrite a row with \r), so they are shown as text instead. Machine output
// (JSON) never goes through this: it must stay exact.

const NAMED: Record<string, string> = { '\x1b': '\\e', '\r': '\\r', '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\v': '\\v', '\n': '\\n', '\t': '\\t' };

// C0 controls, DEL, C1 controls, and the bidi controls that reorder what is shown
const CONTROL = /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

/**
 * `text` with every control character shown as an escape (`\e`, `\r`, `\x9b`, `\u202e`).
 * Multi-line text keeps its newlines and tabs; a one-line field (a table cell, a title) shows
 * them as `\n` and `\t` too, so it stays on its row.
 */
export function visible(text: string, o: { oneLine?: boolean } = {}): string {
  return text.replace(CONTROL, (c) => {
    if (!o.oneLine && (c === '\n' || c === '\t')) return c;
    const named = NAMED[c];
    if (named) return named;
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
  });
}
