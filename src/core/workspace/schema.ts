// Result schemas: loading a user's schema file, checking it compiles, and validating a final
// answer against it. ajv is loaded only here, off the `start` fast path for the default schema.
import AjvModule from 'ajv';
import { AppError } from '../sys/errors.js';
import { jsonSyntaxDetail } from '../sys/jsonfile.js';
import { readRegularFile, type UnreadableFile } from '../sys/userfile.js';

type AjvCtor = typeof AjvModule.default;
let ajvInstance: InstanceType<AjvCtor> | null = null;

async function ajv(): Promise<InstanceType<AjvCtor>> {
  if (!ajvInstance) {
    // ajv is CommonJS: its class is the module itself or its `default`, depending on the loader
    const Ajv = ((AjvModule as unknown as { default?: AjvCtor }).default ?? AjvModule) as unknown as AjvCtor;
    ajvInstance = new Ajv({ allErrors: true, strict: false, validateSchema: true });
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
    throw new AppError(`cannot read schema file ${path}: ${(err as UnreadableFile).reason ?? (err as Error).message}: give an existing JSON Schema file`);
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

/** Throws a AppError when the schema does not compile. */
export async function checkSchema(schema: Record<string, unknown>, source: string): Promise<void> {
  const a = await ajv();
  try {
    a.compile(stripId(schema));
  } catch (err) {
    throw new AppError(`schema ${source} is not a valid JSON Schema (${(err as Error).message}): fix the schema`);
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
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`);
}

// ajv caches schemas by $id (two runs' schemas with one $id must not clash), and knows only
// draft-07 meta-schemas by default: validate by the keywords, whatever draft is declared.
function stripId(schema: Record<string, unknown>): Record<string, unknown> {
  const { $id: _id, $schema: _draft, ...rest } = schema;
  return rest;
}
