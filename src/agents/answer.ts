import type { FinalAnswer } from './types.js';

// Agents asked for JSON do not always return bare JSON: models wrap it in ``` fences or add a
// sentence before it. This finds the JSON object the answer was meant to be.

export type ExtractedAnswer = { value: Record<string, unknown> } | { parseError: string };

export function extractJsonObject(text: string): ExtractedAnswer {
  const trimmed = text.trim();
  if (trimmed === '') return { parseError: 'the answer is empty' };

  const whole = tryParse(trimmed);
  if (whole.ok) {
    if (isObject(whole.value)) return { value: whole.value };
    return { parseError: `the answer is JSON but not an object (${describe(whole.value)})` };
  }

  for (const block of fencedBlocks(trimmed)) {
    const parsed = tryParse(block);
    if (parsed.ok && isObject(parsed.value)) return { value: parsed.value };
  }

  for (const candidate of braceSpans(trimmed)) {
    const parsed = tryParse(candidate);
    if (parsed.ok && isObject(parsed.value)) return { value: parsed.value };
  }

  return { parseError: `no JSON object found in the answer (${whole.error})` };
}

/** A FinalAnswer for answer text, with the parse result or the reason it has none. */
export function answerFromText(rawText: string | null): FinalAnswer {
  if (rawText === null) return { rawText: null, value: undefined };
  const extracted = extractJsonObject(rawText);
  if ('value' in extracted) return { rawText, value: extracted.value };
  return { rawText, value: undefined, parseError: extracted.parseError };
}

function tryParse(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}

function fencedBlocks(text: string): string[] {
  const blocks: string[] = [];
  const fence = /```[\w-]*[ \t]*\r?\n([\s\S]*?)```/g;
  for (const match of text.matchAll(fence)) {
    if (match[1] !== undefined) blocks.push(match[1].trim());
  }
  return blocks;
}

/** Candidates are tried lazily and capped: prose full of stray braces must not cost O(n^2). */
const MAX_BRACE_CANDIDATES = 200;

/**
 * Balanced {...} spans, outermost first, in order of appearance. Braces inside JSON strings are
 * skipped so a summary like "use {x}" does not cut the object short.
 */
function* braceSpans(text: string): Generator<string> {
  let tried = 0;
  for (let start = text.indexOf('{'); start !== -1; start = text.indexOf('{', start + 1)) {
    if (++tried > MAX_BRACE_CANDIDATES) return;
    const end = matchingBrace(text, start);
    if (end !== -1) yield text.slice(start, end + 1);
  }
}

function matchingBrace(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') {
      inString = true;
    } else if (ch === '{') {
      depth++;
    } else if (ch === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

// Small text helpers shared by the adapters' progress lines and error messages.

/** One JSON event per stdout line; anything else (banners, partial lines) yields undefined. */
export function parseEvent(line: string): Record<string, unknown> | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return undefined;
  const parsed = tryParse(trimmed);
  return parsed.ok && isObject(parsed.value) ? parsed.value : undefined;
}

export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return isObject(value) ? value : undefined;
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function asNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Whitespace collapsed to single spaces, cut to max characters. */
export function clip(text: string, max = 120): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The first non-empty line, cut to max characters. */
export function firstLine(text: string, max = 120): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? '';
  return clip(line, max);
}

export function lastLines(text: string, count: number): string[] {
  return text.split('\n').map((l) => l.trimEnd()).filter((l) => l !== '').slice(-count);
}

/** Why a process ended, for agentError messages. */
export function describeExit(exitCode: number | null, signal: string | null): string {
  if (signal) return `killed by signal ${signal}`;
  if (exitCode === null) return 'ended without an exit code';
  return `exited with code ${exitCode}`;
}
