// Finding a workflow by name: workflows/NAME.yaml in the project, then in the workspace, then
// the built-ins. A YAML file is checked against the schema, and each problem is reported with
// the file, the line and what to write instead.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import type * as z from 'zod';
import { AppError } from '../sys/errors.js';
import { readFileOrNull } from '../sys/fsutil.js';
import { BUILTIN_NAMES, builtinWorkflow, repeatsByDefault, stepNames } from './builtins.js';
import { STEP_KINDS, WorkflowFileSchema, type Step, type StepInput, type Workflow } from './types.js';

const NAME_RE = /^[a-z0-9][a-z0-9_-]{0,39}$/;

/** The YAML files that could define `name`, the project's first (it knows its own code best). */
export function workflowFiles(home: string, projectDir: string | null, name: string): string[] {
  const dirs = projectDir ? [join(projectDir, 'workflows'), join(home, 'workflows')] : [join(home, 'workflows')];
  return dirs.flatMap((d) => [join(d, `${name}.yaml`), join(d, `${name}.yml`)]);
}

export function findWorkflow(home: string, projectDir: string | null, name: string): Workflow {
  if (!NAME_RE.test(name)) throw new AppError(`invalid workflow name ${JSON.stringify(name)}: use lower-case letters, digits, '_' and '-'`);
  const file = workflowFiles(home, projectDir, name).find((f) => existsSync(f));
  if (file) return parseWorkflowFile(file, readFileOrNull(file) ?? '', name);
  const builtin = builtinWorkflow(name);
  if (builtin) return builtin;
  throw new AppError(`unknown workflow ${JSON.stringify(name)}`, {
    fix: `use one of ${BUILTIN_NAMES.join(', ')}, or write workflows/${name}.yaml in the project or the workspace (see docs/workflows.md)`,
  });
}

/** Parse and check one workflow file; every error names `file:line`. */
export function parseWorkflowFile(file: string, text: string, name: string): Workflow {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const at = (offset: number | undefined) => `${file}:${offset === undefined ? 1 : lines.linePos(offset).line}`;
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    throw new AppError(`${at(e.pos[0])}: not valid YAML: ${e.message.split('\n')[0]}`, { fix: 'fix the YAML syntax (indentation, a missing colon or quote)' });
  }
  const parsed = WorkflowFileSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = innermost(parsed.error.issues[0]!, doc.toJS());
    const node = nodeAt(doc.contents, issue.path as (string | number)[]);
    throw new AppError(`${at(node?.range?.[0])}: ${where(issue.path as (string | number)[])}${issueText(issue)}`, { fix: fixFor(issue) });
  }
  const w = parsed.data;
  const flat: StepInput[] = w.steps.flatMap((s) => ('parallel' in s ? s.parallel : [s]));
  const defaults = stepNames(flat.map((s) => s.kind));
  const names = flat.map((s, i) => s.name ?? defaults[i]!);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) {
    const i = names.lastIndexOf(dup);
    throw new AppError(`${at(stepNode(doc.contents, w.steps, i)?.range?.[0])}: two steps are named ${JSON.stringify(dup)}`, { fix: 'give each step its own "name:"' });
  }
  let k = 0;
  const toStep = (s: StepInput): Step => {
    const step = { name: names[k++]!, profile: s.profile, kind: s.kind, prompt: s.prompt ?? null, repeat: s.repeat ?? repeatsByDefault(s.kind), timeout: s.timeout ?? null };
    return step;
  };
  return {
    name,
    description: w.description ?? '',
    source: file,
    max_iterations: w.max_iterations,
    budget_usd: w.budget_usd ?? null,
    stop: {
      min_suggestions_threshold: w.stop?.min_suggestions_threshold ?? null,
      no_open_findings: w.stop?.no_open_findings ?? true,
      quality_score: w.stop?.quality_score ?? null,
    },
    groups: w.steps.map((s) => ('parallel' in s ? s.parallel.map(toStep) : [toStep(s)])),
  };
}

/** A union's failure as the branch the step was meant for reports it (a bad kind, not "no branch matched"). */
function innermost(issue: z.core.$ZodIssue, data: unknown): z.core.$ZodIssue {
  if (issue.code !== 'invalid_union' || !issue.errors.length) return issue;
  let value: unknown = data;
  for (const k of issue.path) value = (value as Record<PropertyKey, unknown> | undefined)?.[k as PropertyKey];
  const parallel = typeof value === 'object' && value !== null && 'parallel' in value;
  const branch = issue.errors[parallel ? 1 : 0] ?? issue.errors[0]!;
  const sub = branch[0];
  return sub ? innermost({ ...sub, path: [...issue.path, ...sub.path] } as z.core.$ZodIssue, data) : issue;
}

/** The YAML node a schema path names, or the deepest one that exists on the way. */
function nodeAt(root: unknown, path: (string | number)[]): Node | null {
  let node = root as Node | null;
  for (const key of path) {
    if (isMap(node)) {
      const next = node.get(key, true) as Node | undefined;
      if (!next) return node;
      node = next;
    } else if (isSeq(node)) {
      const next = node.get(key as number, true) as Node | undefined;
      if (!next) return node;
      node = next;
    } else {
      return node;
    }
  }
  return node;
}

/** The node of the i-th step when parallel groups are flattened. */
function stepNode(root: unknown, steps: z.infer<typeof WorkflowFileSchema>['steps'], i: number): Node | null {
  let k = 0;
  for (let g = 0; g < steps.length; g++) {
    const s = steps[g]!;
    if (!('parallel' in s)) {
      if (k++ === i) return nodeAt(root, ['steps', g]);
      continue;
    }
    for (let p = 0; p < s.parallel.length; p++) if (k++ === i) return nodeAt(root, ['steps', g, 'parallel', p]);
  }
  return null;
}

function where(path: (string | number)[]): string {
  return path.length ? `${path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').replace(/^\./, '')}: ` : '';
}

function issueText(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
  if (issue.code === 'invalid_value') return `must be one of ${issue.values.map(String).join(', ')}`;
  if (issue.code === 'invalid_union') return 'a step needs profile and kind (or is {parallel: [steps]})';
  return issue.message.replace(/^Invalid input: /, '');
}

function fixFor(issue: z.core.$ZodIssue): string {
  const last = issue.path[issue.path.length - 1];
  if (issue.code === 'unrecognized_keys') return 'allowed keys: description, max_iterations, budget_usd, stop, steps; a step: name, profile, kind, prompt, repeat, timeout; stop: min_suggestions_threshold, no_open_findings, quality_score';
  if (last === 'kind' || issue.code === 'invalid_value') return `kind is one of ${STEP_KINDS.join(', ')}`;
  if (issue.code === 'invalid_union') return 'write each step as "- profile: gemini" with "kind: review" under it, or "- parallel:" with a list of such steps';
  if (last === 'max_iterations') return 'max_iterations is a whole number from 1 to 20';
  return 'see docs/workflows.md for the file format';
}
