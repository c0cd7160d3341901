// The built-in workflows, under the names users of similar tools know. Steps name profiles of
// config.json (deep: codex, gemini, claude), so a user without one of the CLIs points that
// profile at another agent there, and every workflow follows.
import type { StepKind, Workflow } from './types.js';

type Row = { description: string; iterations: number; steps: [string, StepKind][] };

const TABLE: Record<string, Row> = {
  default: {
    description: 'production code with review: codex implements, gemini reviews, claude refines',
    iterations: 3,
    steps: [['deep', 'implement'], ['gemini', 'review'], ['claude', 'refine']],
  },
  quick: { description: 'prototypes: codex implements', iterations: 1, steps: [['deep', 'implement']] },
  thorough: {
    description: 'critical code: codex implements, claude reviews, gemini reviews security, claude refines, gemini reviews',
    iterations: 5,
    steps: [['deep', 'implement'], ['claude', 'review'], ['gemini', 'security_review'], ['claude', 'refine'], ['gemini', 'review']],
  },
  'review-only': { description: 'improving existing code: gemini reviews, claude refines', iterations: 2, steps: [['gemini', 'review'], ['claude', 'refine']] },
  document: { description: 'documentation: claude documents, gemini reviews', iterations: 2, steps: [['claude', 'document'], ['gemini', 'review']] },
};

export const BUILTIN_NAMES = Object.keys(TABLE);

/** Step names: the kind, numbered from the second of a kind on (review, review-2). */
export function stepNames(kinds: (StepKind | string)[]): string[] {
  const seen = new Map<string, number>();
  return kinds.map((k) => {
    const n = (seen.get(k) ?? 0) + 1;
    seen.set(k, n);
    return n === 1 ? k : `${k}-${n}`;
  });
}

/** Whether a step of this kind runs again in later iterations unless the definition says. */
export function repeatsByDefault(kind: StepKind): boolean {
  return kind !== 'implement' && kind !== 'document';
}

export function builtinWorkflow(name: string): Workflow | null {
  const row = Object.hasOwn(TABLE, name) ? TABLE[name]! : null;
  if (!row) return null;
  const names = stepNames(row.steps.map(([, k]) => k));
  return {
    name,
    description: row.description,
    source: 'built-in',
    max_iterations: row.iterations,
    budget_usd: null,
    stop: { min_suggestions_threshold: null, no_open_findings: true, quality_score: null },
    groups: row.steps.map(([profile, kind], i) => [{ name: names[i]!, profile, kind, prompt: null, repeat: repeatsByDefault(kind), timeout: null }]),
  };
}
