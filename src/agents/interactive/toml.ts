// TOML values written inline, for codex's `-c key=value` overrides (codex parses the value as
// TOML, and takes it as a plain string when that fails: a bad quote would silently turn a hook
// list into a string).

export type TomlValue = string | number | boolean | TomlValue[] | { [key: string]: TomlValue };

/** A TOML basic string: JSON's escapes are TOML's, except lone surrogates, which TOML cannot hold. */
export function tomlString(s: string): string {
  return JSON.stringify(s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'));
}

const BARE_KEY = /^[A-Za-z0-9_-]+$/;
export const tomlKey = (k: string): string => (BARE_KEY.test(k) ? k : tomlString(k));

export function tomlInline(v: TomlValue): string {
  if (typeof v === 'string') return tomlString(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(tomlInline).join(',')}]`;
  return `{${Object.entries(v).map(([k, x]) => `${tomlKey(k)}=${tomlInline(x)}`).join(',')}}`;
}
