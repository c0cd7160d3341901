// Result schemas: loading a user's schema file, checking it compiles, and validating a final
// answer against it. ajv is loaded only here, off the `start` fast path for the default schema.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import AjvModule, { type ErrorObject } from 'ajv';
import { formatSeconds } from '../sys/duration.js';
import { AppError } from '../sys/errors.js';
import { jsonSyntaxDetail } from '../sys/jsonfile.js';
import { readRegularFile, type UnreadableFile } from '../sys/userfile.js';

type AjvCtor = typeof AjvModule.default;
const AJV_OPTIONS = { allErrors: true, strict: false, validateSchema: true };
let ajvInstance: InstanceType<AjvCtor> | null = null;

async function ajv(): Promise<InstanceType<AjvCtor>> {
  if (!ajvInstance) {
    // ajv is CommonJS: its class is the module itself or its `default`, depending on the loader
    const Ajv = ((AjvModule as unknown as { default?: AjvCtor }).default ?? AjvModule) as unknown as AjvCtor;
    ajvInstance = new Ajv(AJV_OPTIONS);
  }
  return ajvInstance;
}

/** A schema file bigger than this is a mistake, and the MCP server must not load it whole. */
const SCHEMA_FILE_MAX = 1024 * 1024;

export function readSchemaFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readRegularFile(path, SCHEMA_FILE_MAX).toString('utf8');
  } catch (err) {
    const reason = (err as UnreadableFile).reason ?? (err as Error).message;
    const fix = reason.startsWith('larger than') ? `make it smaller (agents get the schema on their command line: at most ${MAX_SCHEMA_BYTES / 1024} KB as compact JSON)` : 'give an existing JSON Schema file';
    throw new AppError(`cannot read schema file ${path}: ${reason}`, { fix });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    // the parser's message quotes the text: the file may be a secret given by mistake
    throw new AppError(`schema file ${path} is not valid JSON (${jsonSyntaxDetail(err, text)}): fix the file`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AppError(`schema file ${path} must hold a JSON Schema object`);
  }
  return value as Record<string, unknown>;
}

/**
 * The largest result schema, as compact JSON: claude and gemini get it inline in one argument,
 * and Linux caps one argument at 128 KiB.
 */
export const MAX_SCHEMA_BYTES = 100 * 1024;

const SELF_REFERENCE = 'refers to itself without end (a "$ref" cycle that checks the same value again)';

/** Throws a AppError when the schema is too big, does not compile, or refers to itself without end. */
export async function checkSchema(schema: Record<string, unknown>, source: string): Promise<void> {
  const size = Buffer.byteLength(JSON.stringify(schema));
  if (size > MAX_SCHEMA_BYTES) {
    throw new AppError(`schema ${source} is ${Math.ceil(size / 1024)} KB as compact JSON, over the limit of ${MAX_SCHEMA_BYTES / 1024} KB (agents get the schema on their command line): make it smaller`);
  }
  const a = await ajv();
  let validate;
  try {
    validate = a.compile(stripId(schema));
  } catch (err) {
    if (err instanceof RangeError) throw new AppError(`schema ${source} ${SELF_REFERENCE}: fix the schema`);
    throw new AppError(`schema ${source} is not a valid JSON Schema (${(err as Error).message}): fix the schema`);
  }
  // a cycle that never descends into the value shows on the simplest values
  for (const sample of [null, true, 0, '', [], {}]) {
    try {
      validate(sample);
    } catch {
      throw new AppError(`schema ${source} ${SELF_REFERENCE}: fix the schema`);
    }
  }
}

/**
 * Codex's --output-schema follows OpenAI strict structured output: every object lists all its
 * properties in `required` and sets additionalProperties false. Returns the first violation.
 */
export function strictModeProblem(schema: unknown, path = '#'): string | null {
  if (typeof schema !== 'object' || schema === null) return null;
  const s = schema as Record<string, unknown>;
  if (s.type === 'object' || (s.properties && typeof s.properties === 'object')) {
    if (s.additionalProperties !== false) return `${path}: set "additionalProperties": false`;
    const props = Object.keys((s.properties as Record<string, unknown>) ?? {});
    const required = Array.isArray(s.required) ? (s.required as string[]) : [];
    const missing = props.filter((p) => !required.includes(p));
    if (missing.length) return `${path}: list every property in "required" (missing ${missing.join(', ')})`;
  }
  for (const key of ['properties', '$defs', 'definitions'] as const) {
    const group = s[key];
    if (group && typeof group === 'object') {
      for (const [name, sub] of Object.entries(group as Record<string, unknown>)) {
        const p = strictModeProblem(sub, `${path}/${key}/${name}`);
        if (p) return p;
      }
    }
  }
  for (const key of ['items', 'anyOf', 'oneOf', 'allOf'] as const) {
    const sub = s[key];
    const list = Array.isArray(sub) ? sub : sub ? [sub] : [];
    for (const [i, item] of list.entries()) {
      const p = strictModeProblem(item, `${path}/${key}${Array.isArray(sub) ? `/${i}` : ''}`);
      if (p) return p;
    }
  }
  return null;
}

/** Validation errors as readable strings; empty when the value matches. */
export async function validateAnswer(schema: Record<string, unknown>, value: unknown): Promise<string[]> {
  const a = await ajv();
  let validate;
  try {
    validate = a.compile(stripId(schema));
  } catch (err) {
    return [`schema does not compile: ${(err as Error).message}`];
  }
  try {
    if (validate(value)) return [];
  } catch (err) {
    return [endlessRecursion(err)];
  }
  return readable(validate.errors ?? []);
}

/** How long checking one answer may take before it is given up. */
export const VALIDATE_LIMIT_MS = 10_000;

export interface BoundedValidation {
  /** As validateAnswer's; when the check could not finish, the one error that says why. */
  errors: string[];
  /** Why the check could not finish (it took too long, or the schema recurses without end). */
  failure: string | null;
}

// Runs in a worker thread, so a check that never ends (a pattern that backtracks
// catastrophically) can be stopped: a regular expression cannot be interrupted on the main
// thread. ajv is required from where this module finds it: a worker shares no module graph.
const WORKER_CODE = `
const { parentPort, workerData: d } = require('node:worker_threads');
const m = require(d.ajvPath);
const Ajv = m.default || m;
let out;
try {
  const validate = new Ajv(d.options).compile(d.schema);
  try {
    out = validate(d.value) ? { errors: [] } : { errors: JSON.parse(JSON.stringify(validate.errors || [])) };
  } catch (e) {
    out = { threw: { name: e && e.name, message: String(e && e.message) } };
  }
} catch (e) {
  out = { compile: String(e && e.message) };
}
parentPort.postMessage(out);
`;

type WorkerReply = { errors: ErrorObject[] } | { threw: { name: string; message: string } } | { compile: string };

/** validateAnswer in a worker thread that is stopped after limitMs: validation always ends. */
export async function validateAnswerWithin(schema: Record<string, unknown>, value: unknown, limitMs = VALIDATE_LIMIT_MS): Promise<BoundedValidation> {
  const ajvPath = createRequire(import.meta.url).resolve('ajv');
  const worker = new Worker(WORKER_CODE, { eval: true, workerData: { ajvPath, options: AJV_OPTIONS, schema: stripId(schema), value } });
  const failed = (failure: string): BoundedValidation => ({ errors: [failure], failure });
  try {
    const reply = await new Promise<WorkerReply | 'late'>((resolve, reject) => {
      const timer = setTimeout(() => resolve('late'), limitMs);
      worker.once('message', (m: WorkerReply) => (clearTimeout(timer), resolve(m)));
      worker.once('error', (err) => (clearTimeout(timer), reject(err)));
      worker.once('exit', (code) => (clearTimeout(timer), reject(new Error(`the validating thread exited (${code})`))));
    });
    if (reply === 'late') return failed(`validating the answer took over ${formatSeconds(limitMs / 1000)} and was stopped: ${costlyPart(schema)}`);
    if ('compile' in reply) return { errors: [`schema does not compile: ${reply.compile}`], failure: null };
    if ('threw' in reply) return failed(endlessRecursion(reply.threw));
    return { errors: readable(reply.errors), failure: null };
  } catch (err) {
    return failed(`validating the answer failed: ${(err as Error).message}`);
  } finally {
    void worker.terminate();
  }
}

/** What in a schema can make checking an answer take forever: its patterns, named. */
function costlyPart(schema: unknown): string {
  const patterns = new Set<string>();
  const visit = (s: unknown): void => {
    if (Array.isArray(s)) return s.forEach(visit);
    if (typeof s !== 'object' || s === null) return;
    for (const [k, v] of Object.entries(s)) {
      if (k === 'pattern' && typeof v === 'string') patterns.add(v);
      if (k === 'patternProperties' && v && typeof v === 'object') for (const p of Object.keys(v)) patterns.add(p);
      visit(v);
    }
  };
  visit(schema);
  const list = [...patterns].map((p) => JSON.stringify(p));
  if (list.length === 0) return 'the schema is too costly to check against this answer';
  if (list.length === 1) return `the schema's pattern ${list[0]} backtracks catastrophically on it`;
  return `one of the schema's patterns (${list.slice(0, 5).join(', ')}${list.length > 5 ? ', ...' : ''}) backtracks catastrophically on it`;
}

function endlessRecursion(err: unknown): string {
  const e = err as { name?: string; message?: string };
  if (e.name === 'RangeError') return `the schema ${SELF_REFERENCE}`;
  return `validating the answer failed: ${e.message ?? String(err)}`;
}

function readable(errors: ErrorObject[]): string[] {
  return errors.map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`);
}

// ajv caches schemas by $id (two runs' schemas with one $id must not clash), and knows only
// draft-07 meta-schemas by default: validate by the keywords, whatever draft is declared.
function stripId(schema: Record<string, unknown>): Record<string, unknown> {
  const { $id: _id, $schema: _draft, ...rest } = schema;
  return rest;
}
