// Files a person may edit by hand (config.json, projects.json) and records agentctl writes
// (meta.json) are read the same way: JSON, then a zod schema, and the first thing wrong becomes
// one error that names the file and says what to do.
import type * as z from 'zod';
import { AppError } from './errors.js';
import { FileTooBig, readFileBounded, sleepSync } from './fsutil.js';

/** What is wrong with a JSON file: absent, not JSON, or JSON the schema refuses (the first issue). */
export type JsonProblem =
  | { kind: 'missing' }
  | { kind: 'syntax'; detail: string }
  | { kind: 'invalid'; path: string; detail: string };

export type JsonParse<T> = { ok: true; value: T } | { ok: false; problem: JsonProblem };

/** Parse text (null: the file does not exist) and validate it against the schema: for callers with their own error (a run's CorruptRun). */
export function parseJson<T>(text: string | null, schema: z.ZodType<T>): JsonParse<T> {
  if (text === null) return { ok: false, problem: { kind: 'missing' } };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { ok: false, problem: { kind: 'syntax', detail: jsonSyntaxDetail(err, text) } };
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0]!;
  return { ok: false, problem: { kind: 'invalid', path: issue.path.join('.'), detail: issue.message } };
}

/**
 * Where JSON.parse gave up, without its quote of the text: the file may not be the JSON it was
 * meant to be (a secrets file given by mistake), and an error is shown to whoever called.
 */
export function jsonSyntaxDetail(err: unknown, text: string): string {
  const message = (err as Error).message;
  if (/unexpected end/i.test(message)) return text.trim() ? 'it ends too early' : 'it is empty';
  const at = /at position (\d+)/.exec(message);
  if (!at) return 'a syntax error';
  const before = text.slice(0, Number(at[1])).split('\n');
  return `a syntax error at line ${before.length} column ${before.at(-1)!.length + 1}`;
}

export interface JsonFileOptions<T> {
  /** The value of a file that does not exist; without it, a missing file is an error. */
  missing?: () => T;
  /** What to do about a file that is not JSON. */
  syntaxFix: string;
  /** What to do about a value the schema refuses. */
  invalidFix: string;
}

/** A hand-edited settings file is a few KB; one far bigger is not read (it would stall every command). */
const JSON_FILE_MAX_BYTES = 1024 * 1024;
/** How long a file that is not JSON is re-read, in case an editor is rewriting it in place (torn). */
const TORN_SETTLE_MS = 300;

/** The file's validated value; any problem is an AppError naming the file, what is wrong and the fix. */
export function readJsonFile<T>(path: string, schema: z.ZodType<T>, o: JsonFileOptions<T>): T {
  const deadline = Date.now() + TORN_SETTLE_MS;
  for (let attempt = 0; ; attempt++) {
    let text: string | null;
    try {
      text = readFileBounded(path, JSON_FILE_MAX_BYTES);
    } catch (err) {
      if (err instanceof FileTooBig) throw new AppError(`${path} is ${err.size} bytes, over the ${err.limit}-byte limit for it`, { fix: o.syntaxFix });
      throw err;
    }
    if (text === null && o.missing) return o.missing();
    const r = parseJson(text, schema);
    if (r.ok) return r.value;
    // a non-atomic rewrite (an editor, `>` in a shell) may be half-way: read it again shortly
    if (r.problem.kind !== 'syntax' || Date.now() >= deadline) throw jsonFileError(path, r.problem, o);
    sleepSync(Math.min(10 * (attempt + 1), 50));
  }
}

function jsonFileError(path: string, p: JsonProblem, o: Pick<JsonFileOptions<unknown>, 'syntaxFix' | 'invalidFix'>): AppError {
  if (p.kind === 'missing') return new AppError(`${path} does not exist`, { fix: o.syntaxFix });
  if (p.kind === 'syntax') return new AppError(`${path} is not valid JSON (${p.detail})`, { fix: o.syntaxFix });
  return new AppError(`${path}: ${p.path || '(top level)'}: ${p.detail}`, { fix: o.invalidFix });
}
