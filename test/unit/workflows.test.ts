// Workflow definitions (built-ins, YAML files with file:line errors), step prompts, findings
// bookkeeping and stop conditions: the parts of a workflow that need no run.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/core/sys/errors.js';
import { strictModeProblem } from '../../src/core/workspace/schema.js';
import { BUILTIN_NAMES, builtinWorkflow } from '../../src/core/workflows/builtins.js';
import { findWorkflow, parseWorkflowFile } from '../../src/core/workflows/load.js';
import { applyReview, FINDINGS_SCHEMA, readReview, stepPrompt, stopReason } from '../../src/core/workflows/prompts.js';
import { isWorkflowId, type Finding, type Step } from '../../src/core/workflows/types.js';
import { newRunId } from '../../src/core/runs/ids.js';

function problem(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('no error');
}

describe('built-in workflows', () => {
  it('has the table of the issue: steps, profiles and iterations', () => {
    expect(BUILTIN_NAMES).toEqual(['default', 'quick', 'thorough', 'review-only', 'document']);
    const shape = (n: string) => builtinWorkflow(n)!.groups.map((g) => g.map((s) => `${s.profile}:${s.kind}`).join('+'));
    expect(shape('default')).toEqual(['deep:implement', 'gemini:review', 'claude:refine']);
    expect(builtinWorkflow('default')!.max_iterations).toBe(3);
    expect(shape('thorough')).toEqual(['deep:implement', 'claude:review', 'gemini:security_review', 'claude:refine', 'gemini:review']);
    expect(builtinWorkflow('thorough')!.groups.map((g) => g[0]!.name)).toEqual(['implement', 'review', 'security_review', 'refine', 'review-2']);
    expect(builtinWorkflow('thorough')!.max_iterations).toBe(5);
    expect(shape('quick')).toEqual(['deep:implement']);
    expect(shape('review-only')).toEqual(['gemini:review', 'claude:refine']);
    expect(shape('document')).toEqual(['claude:document', 'gemini:review']);
    // implement runs once; the rest repeat in later iterations
    expect(builtinWorkflow('default')!.groups.map((g) => g[0]!.repeat)).toEqual([false, true, true]);
  });

  it('workflow ids never look like run ids', () => {
    expect(isWorkflowId('wf-a1b2c3')).toBe(true);
    expect(isWorkflowId(newRunId())).toBe(false);
    expect(isWorkflowId('wf-A1B2C3')).toBe(false);
  });
});

describe('workflow files', () => {
  let dir: string;
  beforeEach(() => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'agentctl-wf-')));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const good = `description: two reviewers at once
max_iterations: 2
budget_usd: 1.5
stop:
  min_suggestions_threshold: 2
steps:
  - profile: deep
    kind: implement
  - parallel:
      - profile: gemini
        kind: review
      - profile: claude
        kind: security_review
        name: sec
  - profile: claude
    kind: refine
    prompt: "Fix {{findings}} for {{task}} ({{iteration}})"
`;

  it('reads steps, parallel groups, stop conditions and budget', () => {
    const w = parseWorkflowFile('/p/workflows/pair.yaml', good, 'pair');
    expect(w.groups.map((g) => g.map((s) => s.name))).toEqual([['implement'], ['review', 'sec'], ['refine']]);
    expect(w.max_iterations).toBe(2);
    expect(w.budget_usd).toBe(1.5);
    expect(w.stop).toEqual({ min_suggestions_threshold: 2, no_open_findings: true, quality_score: null });
    expect(w.groups[2]![0]!.prompt).toContain('{{findings}}');
    expect(w.source).toBe('/p/workflows/pair.yaml');
  });

  it('names the file, the line and the fix for a bad kind', () => {
    const text = good.replace('kind: security_review', 'kind: securty_review');
    const e = problem(() => parseWorkflowFile('/p/workflows/pair.yaml', text, 'pair'));
    expect(e.problem).toBe('/p/workflows/pair.yaml:13: steps[1].parallel[1].kind: must be one of implement, review, security_review, test, refine, document');
    expect(e.fix).toContain('kind is one of');
  });

  it('names the line of an unknown key, a wrong type, and a YAML syntax error', () => {
    const unknown = problem(() => parseWorkflowFile('w.yaml', 'steps:\n  - profile: deep\n    kind: implement\n    retries: 3\n', 'w'));
    expect(unknown.problem).toBe('w.yaml:2: steps[0]: unknown key retries');
    expect(unknown.fix).toContain('a step: name, profile, kind, prompt, repeat, timeout');
    const type = problem(() => parseWorkflowFile('w.yaml', 'max_iterations: lots\nsteps:\n  - profile: deep\n    kind: implement\n', 'w'));
    expect(type.problem).toMatch(/^w\.yaml:1: max_iterations: expected number/);
    expect(type.fix).toBe('max_iterations is a whole number from 1 to 20');
    const syntax = problem(() => parseWorkflowFile('w.yaml', 'steps:\n  - profile: deep\n   kind: [implement\n', 'w'));
    expect(syntax.problem).toMatch(/^w\.yaml:\d+: not valid YAML: /);
    const missing = problem(() => parseWorkflowFile('w.yaml', 'max_iterations: 2\n', 'w'));
    expect(missing.problem).toMatch(/^w\.yaml:1: steps: /);
  });

  it('refuses two steps of one name, at the second', () => {
    const text = 'steps:\n  - profile: gemini\n    kind: review\n    name: r\n  - profile: claude\n    kind: review\n    name: r\n';
    const e = problem(() => parseWorkflowFile('w.yaml', text, 'w'));
    expect(e.problem).toBe('w.yaml:5: two steps are named "r"');
  });

  it("finds the project's file before the workspace's and the built-ins", () => {
    const home = join(dir, 'home');
    const project = join(dir, 'proj');
    mkdirSync(join(home, 'workflows'), { recursive: true });
    mkdirSync(join(project, 'workflows'), { recursive: true });
    writeFileSync(join(home, 'workflows', 'default.yaml'), 'steps:\n  - profile: gemini\n    kind: review\n');
    expect(findWorkflow(home, project, 'default').source).toBe(join(home, 'workflows', 'default.yaml'));
    writeFileSync(join(project, 'workflows', 'default.yaml'), 'steps:\n  - profile: claude\n    kind: document\n');
    expect(findWorkflow(home, project, 'default').groups[0]![0]!.kind).toBe('document');
    expect(findWorkflow(home, project, 'quick').source).toBe('built-in');
    const e = problem(() => findWorkflow(home, project, 'nope'));
    expect(e.problem).toBe('unknown workflow "nope"');
    expect(e.fix).toContain('workflows/nope.yaml');
  });
});

const step = (over: Partial<Step> = {}): Step => ({ name: 'refine', profile: 'claude', kind: 'refine', prompt: null, repeat: true, timeout: null, ...over });
const finding = (id: string, stepName: string, closed: number | null = null): Finding => ({
  id, severity: 'high', file: 'a.ts', line: 3, text: `problem ${id}`, step: stepName, opened_in: 1, opened_by: 'r1', closed_in: closed, closed_by: closed ? 'r2' : null,
});

describe('step prompts', () => {
  const previous = [
    { step: 'implement', profile: 'deep', kind: 'implement' as const, run_id: 'r0', attempt: 1, outcome: 'goal_met', summary: 'added the parser', cost_usd: null, findings: null, quality_score: null, files_changed: null },
    { step: 'review', profile: 'gemini', kind: 'review' as const, run_id: 'r1', attempt: 1, outcome: null, summary: null, cost_usd: null, findings: null, quality_score: null, files_changed: null },
  ];

  it('carry the task, the earlier steps that ended and the open findings', () => {
    const p = stepPrompt({ workflowId: 'wf-abcdef', workflowName: 'default', task: 'Write a parser\n', step: step(), iteration: 2, maxIterations: 3, previous, open: [finding('F1', 'review')] });
    expect(p).toContain('step refine, iteration 2 of at most 3');
    expect(p).toContain('# Task\nWrite a parser\n');
    expect(p).toContain('- implement (implement, profile deep, run r0): goal_met - added the parser');
    expect(p).not.toContain('run r1'); // still running: not an earlier step's result
    expect(p).toContain('# Open findings\n- F1 [high] a.ts:3: problem F1');
  });

  it('fill a template of the definition', () => {
    const p = stepPrompt({ workflowId: 'wf-abcdef', workflowName: 'w', task: 'T', step: step({ prompt: 'Do {{task}} in round {{iteration}}; open: {{findings}} {{unknown}}' }), iteration: 1, maxIterations: 2, previous: [], open: [] });
    expect(p).toBe('Do T in round 1; open: (none) {{unknown}}\n');
  });
});

describe('findings', () => {
  it('a review closes what it no longer reports and opens what is new, only for its own step', () => {
    const all = [finding('F1', 'review'), finding('F2', 'review'), finding('F3', 'sec')];
    const r = applyReview(all, {
      step: 'review', iteration: 2, runId: 'r9',
      reported: [{ id: 'F2', severity: 'low', file: 'a.ts', line: 3, text: 'still' }, { id: null, severity: 'medium', file: 'b.ts', line: null, text: 'new one' }],
    });
    expect(r).toEqual({ opened: ['F4'], closed: ['F1'] });
    expect(all.find((f) => f.id === 'F1')!.closed_in).toBe(2);
    expect(all.find((f) => f.id === 'F3')!.closed_in).toBeNull();
    expect(all.find((f) => f.id === 'F4')).toMatchObject({ file: 'b.ts', step: 'review', opened_in: 2, opened_by: 'r9' });
  });

  it('reads a review answer, and refuses one without a valid findings list', () => {
    expect(readReview({ findings: [{ id: null, severity: 'low', file: 'x', line: 1, text: 't' }], quality_score: 7 })).toEqual({ findings: [{ id: null, severity: 'low', file: 'x', line: 1, text: 't' }], quality: 7 });
    expect(readReview({ goal_met: true })).toBeNull();
    expect(readReview({ findings: [{ severity: 'bad', file: 'x', line: 1, text: 't' }] })).toBeNull();
  });

  it('the findings schema follows the strict structured-output rules codex needs', () => {
    expect(strictModeProblem(FINDINGS_SCHEMA)).toBeNull();
  });
});

describe('stop conditions', () => {
  const stop = { min_suggestions_threshold: null, no_open_findings: true, quality_score: null };
  it('stop on no open findings, on fewer suggestions than the threshold, on the quality score', () => {
    expect(stopReason(stop, { reported: 0, scores: [null], open: 0 })).toBe('the review left no open findings');
    expect(stopReason(stop, { reported: 1, scores: [null], open: 1 })).toBeNull();
    const few = { ...stop, no_open_findings: false, min_suggestions_threshold: 3 };
    expect(stopReason(few, { reported: 2, scores: [null], open: 2 })).toBe('the review found 2 findings, fewer than min_suggestions_threshold 3');
    expect(stopReason(few, { reported: 3, scores: [null], open: 3 })).toBeNull();
    const score = { ...stop, no_open_findings: false, quality_score: 8 };
    expect(stopReason(score, { reported: 1, scores: [8, 9], open: 1 })).toBe('every review scored at least quality_score 8');
    expect(stopReason(score, { reported: 1, scores: [8, null], open: 1 })).toBeNull();
    expect(stopReason(score, { reported: 1, scores: [7.5, 9], open: 1 })).toBeNull();
  });
});
