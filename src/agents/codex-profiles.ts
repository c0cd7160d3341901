// Codex profile files. Since Codex CLI 0.134, `codex -p NAME` layers $CODEX_HOME/NAME.config.toml
// (top-level keys) over config.toml, and refuses to run while config.toml still holds a legacy
// `[profiles.NAME]` table or a top-level `profile = "NAME"` selector (docs/agent-clis.md). This
// module finds such leftovers and moves them into profile files, changing a user's config only
// when a TOML parser confirms that nothing but the moved tables changed.
import { copyFileSync, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { format } from 'date-fns';
import { parse } from 'smol-toml';

/** Codex's home: $CODEX_HOME, else ~/.codex. */
export function codexHome(env: NodeJS.ProcessEnv): string {
  return env.CODEX_HOME || join(env.HOME || homedir(), '.codex');
}

/** `codex -p` accepts these names; anything else cannot be a profile file name either. */
export const PROFILE_NAME = /^[A-Za-z0-9_-]+$/;

export const profileFile = (home: string, name: string): string => join(home, `${name}.config.toml`);

/** The first codex that reads NAME.config.toml and refuses legacy [profiles.NAME] tables. */
export const PROFILE_FILES_SINCE = [0, 134, 0] as const;

/** "codex-cli 0.169.0" -> [0, 169, 0]; null when no version is in the text. */
export function parseCodexVersion(text: string): [number, number, number] | null {
  const m = /(\d+)\.(\d+)\.(\d+)/.exec(text);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
}

/** Whether this codex reads profile files (true when the version is unknown: today's codex does). */
export function usesProfileFiles(version: readonly number[] | null): boolean {
  if (!version) return true;
  for (let i = 0; i < 3; i++) if (version[i] !== PROFILE_FILES_SINCE[i]) return version[i]! > PROFILE_FILES_SINCE[i]!;
  return true;
}

/** The codex profile names agentctl's codex profiles use (`codex_profile`), that codex accepts. */
export function wantedProfiles(profiles: Record<string, { agent: string; codex_profile?: string }>): string[] {
  return [...new Set(Object.values(profiles).flatMap((p) => (p.agent === 'codex' && p.codex_profile && PROFILE_NAME.test(p.codex_profile) ? [p.codex_profile] : [])))];
}

export interface ProfileState {
  config: string;
  /** config.toml could not be read as TOML: nothing can be said about legacy tables. */
  unreadable: string | null;
  /** Names with a legacy [profiles.NAME] table in config.toml (these make `-p NAME` fail). */
  legacy: string[];
  /** A top-level `profile = "NAME"` selector in config.toml, which also makes `-p` fail. */
  selector: string | null;
  /** Names with no NAME.config.toml (and no legacy table to move into one). */
  missing: string[];
}

type Toml = Record<string, unknown>;

const isTable = (v: unknown): v is Toml => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

function readToml(path: string): { text: string | null; data: Toml; error: string | null } {
  if (!existsSync(path)) return { text: null, data: {}, error: null };
  const text = readFileSync(path, 'utf8');
  try {
    return { text, data: parse(text) as Toml, error: null };
  } catch (err) {
    // the parser's first line names the line and column; the file's text is never quoted
    return { text, data: {}, error: ((err as Error).message.split('\n')[0] ?? 'invalid TOML').slice(0, 200) };
  }
}

/** What stands in the way of `codex -p NAME` for each name, and which profile files are missing. */
export function inspectProfiles(home: string, names: readonly string[]): ProfileState {
  const config = join(home, 'config.toml');
  const { data, error } = readToml(config);
  const profiles = isTable(data.profiles) ? data.profiles : {};
  const legacy = names.filter((n) => n in profiles);
  const selector = typeof data.profile === 'string' ? data.profile : null;
  const missing = names.filter((n) => !legacy.includes(n) && !existsSync(profileFile(home, n)));
  return { config, unreadable: error, legacy, selector, missing };
}

// ---- moving legacy tables out of config.toml, line by line, so comments and layout survive ----

interface Block {
  /** The table's key path; [] for the top-level keys before the first header. */
  path: string[];
  array: boolean;
  /** The comment lines right above the header: they describe the table and move with it. */
  comments: string[];
  header: string | null;
  body: string[];
}

const blockLines = (b: Block): string[] => [...b.comments, ...(b.header === null ? [] : [b.header]), ...b.body];

const HEADER = /^\s*(\[\[?)\s*([^\]]+?)\s*(\]\]?)\s*(#.*)?$/;

/** A dotted TOML key path: bare keys and "quoted" or 'literal' keys. Null when it is not one. */
function keyPath(text: string): string[] | null {
  const parts: string[] = [];
  const re = /\s*(?:([A-Za-z0-9_-]+)|"((?:[^"\\]|\\.)*)"|'([^']*)')\s*(\.|$)/y;
  let at = 0;
  while (at < text.length) {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) return null;
    parts.push(m[1] ?? (m[2] !== undefined ? (JSON.parse(`"${m[2]}"`) as string) : m[3]!));
    at = re.lastIndex;
    if (m[4] === '') break;
  }
  return parts.length ? parts : null;
}

const keyText = (k: string): string => (/^[A-Za-z0-9_-]+$/.test(k) ? k : JSON.stringify(k));

function blocks(text: string): Block[] {
  const out: Block[] = [{ path: [], array: false, comments: [], header: null, body: [] }];
  for (const line of text.split('\n')) {
    const m = HEADER.exec(line);
    const path = m && (m[1] === '[[') === (m[3] === ']]') ? keyPath(m[2]!) : null;
    if (!path) {
      out[out.length - 1]!.body.push(line);
      continue;
    }
    const prev = out[out.length - 1]!.body;
    let cut = prev.length;
    while (cut > 0 && /^\s*#/.test(prev[cut - 1]!)) cut--;
    out.push({ path, array: m![1] === '[[', comments: prev.splice(cut), header: line, body: [] });
  }
  return out;
}

const SELECTOR = /^\s*profile\s*=/;

export interface MoveReport {
  codex_home: string;
  config: string;
  /** The copy of config.toml taken before it was changed; null when it was not changed. */
  backup: string | null;
  /** Profile files written: from a legacy table in config.toml, or from agentctl's template. */
  written: { name: string; path: string; from: 'config.toml' | 'template' }[];
  /** Legacy tables removed from config.toml whose profile file already existed (kept as it was). */
  dropped: string[];
  /** The top-level `profile = ...` selector commented out in config.toml. */
  selector_disabled: string | null;
  /** What could not be done automatically, each with what to do by hand. */
  problems: string[];
}

/**
 * Make `codex -p NAME` work for each name: move legacy [profiles.NAME] tables out of config.toml
 * into NAME.config.toml, comment out a top-level `profile = ...` selector, and write missing
 * profile files from `templates/NAME.config.toml`. Never overwrites an existing profile file;
 * backs config.toml up (config.toml.bak.<timestamp>) before changing it, and changes it only
 * when the result parses to exactly the old data less the moved tables.
 */
export function moveProfiles(home: string, names: readonly string[], templates: string, now = new Date()): MoveReport {
  const state = inspectProfiles(home, names);
  const report: MoveReport = { codex_home: home, config: state.config, backup: null, written: [], dropped: [], selector_disabled: null, problems: [] };
  const write = (name: string, text: string, from: 'config.toml' | 'template') => {
    const path = profileFile(home, name);
    writeFileSync(path, text, { flag: 'wx', mode: 0o600 }); // wx: never over a file that appeared meanwhile
    report.written.push({ name, path, from });
  };

  if (state.unreadable) {
    report.problems.push(`${state.config} is not valid TOML (${state.unreadable}): fix it, then run this again`);
  } else if (state.legacy.length || state.selector !== null) {
    moveLegacy(home, state, report, write, now);
  }
  for (const name of state.missing) {
    const template = join(templates, `${name}.config.toml`);
    if (!existsSync(template)) {
      report.problems.push(`no template for codex profile ${name}: write ${profileFile(home, name)} yourself (top-level keys such as model, model_reasoning_effort, sandbox_mode)`);
      continue;
    }
    write(name, readFileSync(template, 'utf8'), 'template');
  }
  return report;
}

function moveLegacy(home: string, state: ProfileState, report: MoveReport, write: (name: string, text: string, from: 'config.toml') => void, now: Date): void {
  const { text, data } = readToml(state.config);
  const all = blocks(text ?? '');
  const owned = (b: Block, name: string) => b.path[0] === 'profiles' && b.path[1] === name;
  const files = new Map<string, string>();
  for (const name of state.legacy) {
    const mine = all.filter((b) => owned(b, name));
    const top = mine.filter((b) => b.path.length === 2).flatMap((b) => [...b.comments, ...b.body]);
    const subs = mine
      .filter((b) => b.path.length > 2)
      .flatMap((b) => blockLines({ ...b, header: `${b.array ? '[[' : '['}${b.path.slice(2).map(keyText).join('.')}${b.array ? ']]' : ']'}` }));
    files.set(name, `# codex profile "${name}", moved here from config.toml by agentctl (codex >= 0.134 reads profiles from NAME.config.toml)\n${[...top, ...subs].join('\n').trim()}\n`);
  }
  const kept = all.filter((b) => !state.legacy.some((n) => owned(b, n)));
  if (state.selector !== null) {
    const top = kept[0]!;
    top.body = top.body.map((l) => (SELECTOR.test(l) ? `# ${l.trim()}  # disabled by agentctl: codex >= 0.134 refuses -p while a profile selector is set; pass -p ${state.selector} instead` : l));
  }
  const newConfig = kept.flatMap(blockLines).join('\n');

  // the line edit must change exactly what was meant, or nothing at all
  const expected = JSON.parse(JSON.stringify(data)) as Toml;
  for (const name of state.legacy) delete (expected.profiles as Toml)[name];
  if (state.selector !== null) delete expected.profile;
  let ok = false;
  try {
    ok = same(withoutEmptyProfiles(parse(newConfig)), withoutEmptyProfiles(expected)) && [...files].every(([name, t]) => same(parse(t), (data.profiles as Toml)[name]));
  } catch {
    ok = false;
  }
  if (!ok) {
    report.problems.push(
      `could not move ${[...state.legacy.map((n) => `[profiles.${n}]`), ...(state.selector !== null ? ['profile = ...'] : [])].join(', ')} out of ${state.config} automatically (written in a form agentctl does not edit): move each [profiles.NAME] table's keys into ${join(home, 'NAME.config.toml')} as top-level keys and delete the table and any top-level profile = line`,
    );
    return;
  }
  const backup = `${state.config}.bak.${format(now, 'yyyyMMdd-HHmmss')}`;
  report.backup = existsSync(backup) ? `${backup}.${process.pid}` : backup;
  copyFileSync(state.config, report.backup);
  for (const [name, t] of files) {
    if (existsSync(profileFile(home, name))) report.dropped.push(name);
    else write(name, t, 'config.toml');
  }
  const tmp = `${state.config}.agentctl-${process.pid}`;
  writeFileSync(tmp, newConfig, { mode: statSync(state.config).mode & 0o777 });
  renameSync(tmp, state.config);
  report.selector_disabled = state.selector;
}

/** The parser's tables have no prototype and its dates are objects: compare their JSON, keys sorted. */
const canonical = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(canonical) : isTable(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical(v[k])])) : v;
const same = (a: unknown, b: unknown): boolean => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

/** An emptied [profiles] table may stay in the file: it is harmless. */
function withoutEmptyProfiles(t: Toml): Toml {
  const { profiles, ...rest } = t;
  return isTable(profiles) && !Object.keys(profiles).length ? rest : t;
}

/** The lines install.sh and `init` print about what moveProfiles did. */
export function moveLines(r: MoveReport): string[] {
  const lines: string[] = [];
  if (r.backup) lines.push(`backed up ${r.config} to ${r.backup}`);
  for (const w of r.written) lines.push(w.from === 'config.toml' ? `moved [profiles.${w.name}] from ${r.config} to ${w.path}` : `wrote codex profile ${w.name} to ${w.path} (adjust its model if needed)`);
  for (const n of r.dropped) lines.push(`removed [profiles.${n}] from ${r.config}; kept the existing ${profileFile(r.codex_home, n)} (the old table is in the backup)`);
  if (r.selector_disabled !== null) lines.push(`commented out profile = "${r.selector_disabled}" in ${r.config} (codex -p refuses to run while it is set)`);
  return lines;
}
