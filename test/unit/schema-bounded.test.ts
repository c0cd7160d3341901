// A result schema can make checking an answer never end (a pattern that backtracks
// catastrophically, a $ref cycle): start refuses what it can tell, and validating is bounded.
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/core/sys/errors.js';
import { checkSchema, MAX_SCHEMA_BYTES, validateAnswer, validateAnswerWithin } from '../../src/core/workspace/schema.js';

const BACKTRACKING = { type: 'object', properties: { a: { type: 'string', pattern: '^(a+)+$' } } };
const EVIL = `${'a'.repeat(36)}!`;

async function refusal(schema: Record<string, unknown>): Promise<string> {
  try {
    await checkSchema(schema, 'mine.json');
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return (err as Error).message;
  }
  throw new Error('the schema was accepted');
}

describe('validating an answer within a time limit', () => {
  it('stops a pattern that backtracks catastrophically, and names the pattern', async () => {
    const started = performance.now();
    const r = await validateAnswerWithin(BACKTRACKING, { a: EVIL }, 300);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(r.failure).toBe('validating the answer took over 0.3s and was stopped: the schema\'s pattern "^(a+)+$" backtracks catastrophically on it');
    expect(r.errors).toEqual([r.failure]);
  });

  it('gives the same answers as validateAnswer when the check is quick', async () => {
    const schema = { type: 'object', properties: { a: { type: 'string', pattern: '^(a+)+$' } }, required: ['b'], additionalProperties: false };
    for (const value of [{ a: 'aaa', b: 1 }, { a: 'x' }, { c: 1 }, 'text']) {
      const r = await validateAnswerWithin(schema, value, 5000);
      expect(r).toEqual({ errors: await validateAnswer(schema, value), failure: null });
    }
    expect((await validateAnswerWithin({ type: 'nope' }, {}, 5000)).errors).toEqual([expect.stringMatching(/^schema does not compile: /)]);
  });

  it('reports a schema that refers to itself without end instead of crashing', async () => {
    const r = await validateAnswerWithin({ $ref: '#' }, { a: 1 }, 5000);
    expect(r.failure).toBe('the schema refers to itself without end (a "$ref" cycle that checks the same value again)');
    expect(await validateAnswer({ anyOf: [{ $ref: '#' }] }, 1)).toEqual([r.failure]);
  });
});

describe('checkSchema refuses what would break a run', () => {
  it.each([
    [{ $ref: '#' }],
    [{ anyOf: [{ type: 'string' }, { $ref: '#' }] }],
    [{ $defs: { a: { $ref: '#/$defs/b' }, b: { $ref: '#/$defs/a' } }, $ref: '#/$defs/a' }],
  ])('a self-referential schema %j', async (schema) => {
    expect(await refusal(schema)).toBe('schema mine.json refers to itself without end (a "$ref" cycle that checks the same value again): fix the schema');
  });

  it('accepts a recursive schema whose cycle goes through a property', async () => {
    await expect(checkSchema({ type: 'object', properties: { child: { $ref: '#' } } }, 'tree.json')).resolves.toBeUndefined();
  });

  it('a schema over the size limit, naming the limit', async () => {
    const big = { type: 'object', description: 'x'.repeat(6 * 1024 * 1024) };
    expect(await refusal(big)).toBe(`schema mine.json is 6145 KB as compact JSON, over the limit of ${MAX_SCHEMA_BYTES / 1024} KB (agents get the schema on their command line): make it smaller`);
    await expect(checkSchema({ type: 'object', description: 'x'.repeat(MAX_SCHEMA_BYTES - 100) }, 'fits.json')).resolves.toBeUndefined();
  });
});
