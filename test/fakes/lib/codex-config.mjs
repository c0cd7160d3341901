// What fake codex needs from $CODEX_HOME/config.toml: the legacy profile settings that codex
// 0.134 and later refuse (docs/agent-clis.md, "Codex CLI", profiles). A line scanner that knows
// TOML's table headers, dotted and quoted keys and multi-line strings: enough to find
// `[profiles.NAME]` in any spelling and a top-level `profile = "..."`, not a full parser.
import fs from 'node:fs';
import path from 'node:path';

const BARE = /[A-Za-z0-9_-]/;

/**
 * The reason codex 0.171 gives for refusing config.toml with `-p profile` (undefined: none),
 * word for word; codexHome is absolute.
 */
export function legacyProfileError(codexHome, profile) {
  const file = path.join(codexHome, 'config.toml');
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const { selector, tables } = scan(text);
  if (profile !== undefined && (selector === profile || tables.has(profile))) {
    return `Error loading config.toml: --profile \`${profile}\` cannot be used while ${file} contains legacy `
      + `\`profile = "${profile}"\` or \`[profiles.${profile}]\` config; move those settings into `
      + `${path.join(codexHome, `${profile}.config.toml`)} and remove the legacy profile selector/table. `
      + 'See https://developers.openai.com/codex/config-advanced#profiles for more information.';
  }
  if (selector !== undefined) {
    // codex's own wording, with the (symbol-less) backtrace its error reporter adds
    const frames = Array.from({ length: 8 }, (_, i) => `${String(i).padStart(4)}: <unknown>`).join('\n');
    return `Error: legacy \`profile = "${selector}"\` config is no longer supported; use \`--profile ${selector}\` `
      + `with \`${selector}.config.toml\` instead\n\nStack backtrace:\n${frames}`;
  }
  return undefined;
}

/** The top-level `profile` value and the NAMEs of every `profiles.NAME...` key or table. */
function scan(text) {
  let table = [];
  let closing = null;
  let selector;
  const tables = new Set();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (closing) {
      if (line.includes(closing)) closing = null;
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    let keys;
    if (line.startsWith('[')) {
      const inner = line.startsWith('[[') ? line.slice(2) : line.slice(1);
      keys = keyPath(inner)?.keys;
      if (!keys) continue;
      table = keys;
    } else {
      const parsed = keyPath(line);
      if (!parsed || line[parsed.end] !== '=') continue;
      keys = [...table, ...parsed.keys];
      const value = line.slice(parsed.end + 1).trim();
      for (const quote of ['"""', "'''"]) {
        if (value.startsWith(quote) && !value.slice(3).includes(quote)) closing = quote;
      }
      if (keys.length === 1 && keys[0] === 'profile') selector = stringValue(value);
    }
    if (keys[0] === 'profiles' && keys.length >= 2) tables.add(keys[1]);
  }
  return { selector, tables };
}

/** A dotted key at the start of s: { keys, end } with end just past it (and its spaces). */
function keyPath(s) {
  const keys = [];
  let i = 0;
  for (;;) {
    while (s[i] === ' ' || s[i] === '\t') i++;
    let key = '';
    if (s[i] === '"' || s[i] === "'") {
      const quote = s[i];
      const end = s.indexOf(quote, i + 1);
      if (end === -1) return undefined;
      key = s.slice(i + 1, end);
      i = end + 1;
    } else {
      while (i < s.length && BARE.test(s[i])) key += s[i++];
      if (!key) return undefined;
    }
    keys.push(key);
    while (s[i] === ' ' || s[i] === '\t') i++;
    if (s[i] !== '.') return { keys, end: i };
    i++;
  }
}

function stringValue(value) {
  const m = /^"((?:[^"\\]|\\.)*)"|^'([^']*)'/.exec(value);
  return m ? (m[1] ?? m[2]) : undefined;
}
