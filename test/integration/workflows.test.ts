// Workflows end to end with real runs of the fake agents on a private tmux server: the fakes
// are scripted (@fake answers=DIR) so a reviewer's findings shrink from one iteration to the
// next, a step fails, or a step takes long enough to kill the driver under it.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { describe, expect, it } from 'vitest';
import { BIN, parseJsonLines, processGone, suiteEnv, type TestEnv, waitFor, writeConfig } from '../helpers/harness.js';

let t: TestEnv;
suiteEnv((env) => {
  t = env;
});

let answerDirs = 0;
/** A directory of scripted answers: agent -> the answers its runs give, in order. */
function answers(byAgent: Record<string, object[]>): string {
  const dir = join(t.root, `answers-${++answerDirs}`);
  for (const [agent, list] of Object.entries(byAgent)) {
    mkdirSync(join(dir, agent), { recursive: true });
    list.forEach((a, i) => writeFileSync(join(dir, agent, `${String(i + 1).padStart(2, '0')}.json`), JSON.stringify(a)));
  }
  return dir;
}

const review = (findings: object[], goal = findings.length === 0, quality: number | null = null) => ({
  goal_met: goal, summary: `${findings.length} findings`, followup_prompt: '', notes: '', findings, quality_score: quality,
});
const f = (text: string, id: string | null = null) => ({ id, severity: 'medium', file: 'app.txt', line: 1, text });
const record = (id: string) => JSON.parse(readFileSync(join(t.home, 'workflows', id, 'workflow.json'), 'utf8'));
const report = (id: string) => JSON.parse(readFileSync(join(t.home, 'workflows', id, 'report.json'), 'utf8'));

async function runWorkflow(args: string[], task: string): Promise<string> {
  const r = await t.run(['workflow', 'run', ...args], { input: task });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^wf-[a-z0-9]{6}$/);
  return r.stdout.trim();
}

describe('the default workflow', () => {
  it('implements, then reviews and refines until the reviewer has no findings left; wakes the orchestrator once', async () => {
    const repo = t.repo('default-repo');
    const woken = join(t.root, 'orchestrator.txt');
    const orch = t.tmux(['new-session', '-d', '-s', 'orch', '-x', '160', '-y', '40', '-P', '-F', '#{pane_id}', 'sh', '-c', `while IFS= read -r line; do printf '%s\\n' "$line" >> '${woken}'; done`]).trim();
    expect((await t.run(['init', '--wake-pane', orch])).code).toBe(0);
    const dir = answers({ gemini: [review([f('no input check'), f('typo in message')]), review([f('typo in message', 'F2')]), review([])] });

    const id = await runWorkflow(['default', '--project', repo], `Add app.txt with a greeting\n@fake answers=${dir}\n@fake write=app.txt:hello\\n\n`);
    const w = await t.run(['wait', id], { timeoutMs: 90_000 });
    expect(w.code).toBe(0);
    const line = JSON.parse(w.stdout);
    expect(line).toMatchObject({ workflow_id: id, name: 'default', status: 'finished', outcome: 'goal_met', goal_met: true, stop_reason: 'the review left no open findings', iteration: 3, steps_run: 6, open_findings: 0, findings: 2, exit_code: 0 });

    const rep = report(id);
    expect(rep.iterations.map((i: any) => i.steps.map((s: any) => s.step))).toEqual([['implement', 'review', 'refine'], ['review', 'refine'], ['review']]);
    expect(rep.iterations.map((i: any) => [i.findings_opened, i.findings_closed])).toEqual([[['F1', 'F2'], []], [[], ['F1']], [[], ['F2']]]);
    expect(rep.files_changed).toEqual(['app.txt']);
    expect(readFileSync(join(t.home, 'workflows', id, 'report.md'), 'utf8')).toContain('Stopped because: the review left no open findings');

    // every step is an ordinary run of the workflow, all in the one worktree the first made
    const runIds: string[] = rep.iterations.flatMap((i: any) => i.steps.map((s: any) => s.run_id));
    const metas = runIds.map((r) => t.meta(r));
    expect(new Set(metas.map((m) => m.workflow_id))).toEqual(new Set([id]));
    expect(new Set(metas.map((m) => m.worktree.path)).size).toBe(1);
    expect(metas.map((m) => m.profile)).toEqual(['deep', 'gemini', 'claude', 'gemini', 'claude', 'gemini']);
    // the refine step was told the open findings and what the steps before it did
    const refinePrompt = readFileSync(join(t.home, 'runs', runIds[2]!, 'prompt.md'), 'utf8');
    expect(refinePrompt).toContain('- F1 [medium] app.txt:1: no input check');
    expect(refinePrompt).toMatch(/- review \(review, profile gemini, run \S+\): goal_not_met - 2 findings/);
    expect(readFileSync(join(metas[0]!.worktree.cwd, 'app.txt'), 'utf8')).toBe('hello\n');

    // one wake-up line, the workflow's; none for its steps
    const typed = await waitFor(() => {
      const l = readFileSync(woken, 'utf8').split('\n').filter(Boolean);
      return l.length ? l : null;
    }, 15_000, 'the wake-up line');
    expect(typed).toEqual([`[AI_ORCH DONE workflow_id=${id} goal_met=true exit=0]`]);
    const notes = parseJsonLines(readFileSync(join(t.home, 'notify.log'), 'utf8'));
    expect(notes.filter((n) => n.event === 'workflow').map((n) => n.workflow_id)).toEqual([id]);
    expect(notes.filter((n) => n.event === 'wake_skipped')).toEqual([]);

    const list = await t.run(['workflow', 'list', '--json']);
    expect(JSON.parse(list.stdout).map((v: any) => v.workflow_id)).toContain(id);
    const listed = await t.run(['list']);
    expect(listed.stderr).toBe('');
    expect(listed.stdout).toMatch(new RegExp(`\\n\\nWORKFLOW .*\\n${id}  goal_met  3/3 `));
    const show = JSON.parse((await t.run(['show', id])).stdout);
    expect(show).toMatchObject({ workflow_id: id, driver_alive: false, outcome: 'goal_met' });
    expect((await t.run(['logs', id])).stdout).toContain(`# Workflow default ${id}: goal_met`);
    t.tmux(['kill-session', '-t', 'orch']);
  }, 120_000);

  it('stops at the first step that fails, and wait exits like a failed run', async () => {
    const repo = t.repo('failing-repo');
    const dir = answers({ codex: [{ goal_met: false, summary: 'could not build', followup_prompt: 'fix the build', notes: '' }], gemini: [review([])] });
    const id = await runWorkflow(['default', '--project', repo], `Break it\n@fake answers=${dir}\n`);
    const w = await t.run(['wait', id], { timeoutMs: 60_000 });
    expect(w.code).toBe(3);
    const line = JSON.parse(w.stdout);
    expect(line.outcome).toBe('step_failed');
    expect(line.stop_reason).toMatch(/^step implement \(run \S+\) ended goal_not_met$/);
    expect(line.steps_run).toBe(1);

    // resume tries the failed step once more (codex's scripted answer is used up: it succeeds)
    expect((await t.run(['workflow', 'resume', id])).code).toBe(0);
    const again = await t.run(['wait', id], { timeoutMs: 60_000 });
    expect(JSON.parse(again.stdout)).toMatchObject({ outcome: 'goal_met', steps_run: 3 });
    expect(record(id).iterations[0].runs.slice(0, 2).map((r: any) => [r.step, r.outcome])).toEqual([['implement', 'goal_not_met'], ['implement', 'goal_met']]);
  }, 90_000);
});

describe('a custom workflow', () => {
  it('runs a parallel group of reviewers, joined before the refine step, from the project\'s workflows/NAME.yaml', async () => {
    const repo = t.repo('custom-repo');
    mkdirSync(join(repo, 'workflows'));
    writeFileSync(
      join(repo, 'workflows', 'pair.yaml'),
      `max_iterations: 2
steps:
  - profile: deep
    kind: implement
  - parallel:
      - profile: gemini
        kind: review
      - profile: claude
        kind: security_review
        name: security
  - profile: claude
    kind: refine
`,
    );
    const dir = answers({
      gemini: [review([f('slow loop')]), review([])],
      claude: [review([f('secret in log')]), { goal_met: true, summary: 'fixed both', followup_prompt: '', notes: '' }, review([])],
    });
    const id = await runWorkflow(['pair', '--project', repo], `Build it\n@fake answers=${dir}\n@fake sleep=1\n`);
    expect((await t.run(['wait', id], { timeoutMs: 90_000 })).code).toBe(0);
    const rep = report(id);
    expect(rep.stop_reason).toBe('the review left no open findings');
    const first = rep.iterations[0].steps;
    expect(first.map((s: any) => s.step)).toEqual(['implement', 'review', 'security', 'refine']);
    // the reviewers ran at the same time: each started before the other ended, and the refine after both
    const [rev, sec, refine] = [first[1], first[2], first[3]].map((s: any) => t.meta(s.run_id)) as [any, any, any];
    expect(Date.parse(rev.created_at)).toBeLessThan(Date.parse(sec.ended_at));
    expect(Date.parse(sec.created_at)).toBeLessThan(Date.parse(rev.ended_at));
    expect(Date.parse(refine.created_at)).toBeGreaterThanOrEqual(Math.max(Date.parse(rev.ended_at), Date.parse(sec.ended_at)));
    expect(rep.findings.map((x: any) => [x.id, x.step, x.closed_in])).toEqual([['F1', 'review', 2], ['F2', 'security', 2]]);
  }, 120_000);

  it('dry run prints the plan with missing CLIs and starts nothing; a bad file is refused with its line', async () => {
    const repo = t.repo('dry-repo');
    const onlyNode = { PATH: `${dirname(process.execPath)}:/usr/bin:/bin` };
    const r = await t.run(['workflow', 'run', 'thorough', '--project', repo, '--dry-run', '--max-iterations', '2'], { env: onlyNode });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('iterations: at most 2; budget: none');
    expect(r.stdout).toContain('  3. security_review: security_review by profile gemini (gemini): MISSING: gemini not on PATH');
    expect(r.stdout).toMatch(/missing CLIs: codex, claude, gemini$/);
    const refused = await t.run(['workflow', 'run', 'thorough', '--project', repo], { env: onlyNode, input: 'task' });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^agentctl: workflow thorough, step implement: codex not found on PATH \(profile deep\): /);
    expect((await t.run(['workflow', 'list'])).stdout).not.toContain('thorough');

    mkdirSync(join(repo, 'workflows'));
    writeFileSync(join(repo, 'workflows', 'bad.yaml'), 'steps:\n  - profile: deep\n    kind: implemnt\n');
    const bad = await t.run(['workflow', 'run', 'bad', '--project', repo, '--dry-run']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(`agentctl: ${join(repo, 'workflows', 'bad.yaml')}:3: steps[0].kind: must be one of implement, review, security_review, test, refine, document: kind is one of implement, review, security_review, test, refine, document`);
  }, 60_000);
});

describe('budget', () => {
  it('a step that would go beyond the budget is not started: the workflow stops with a report', async () => {
    const repo = t.repo('budget-repo');
    mkdirSync(join(repo, 'workflows'));
    // the fake claude reports a cost above $0.001 for any run: the first step spends the budget
    writeFileSync(join(repo, 'workflows', 'costly.yaml'), 'budget_usd: 0.001\nsteps:\n  - profile: claude\n    kind: implement\n  - profile: claude\n    kind: test\n');
    const id = await runWorkflow(['costly', '--project', repo], 'Spend\n');
    const w = await t.run(['wait', id], { timeoutMs: 60_000 });
    expect(w.code).toBe(4);
    const line = JSON.parse(w.stdout);
    expect(line).toMatchObject({ outcome: 'budget_exceeded', steps_run: 1 });
    expect(line.stop_reason).toMatch(/^the workflow's budget of \$0\.0010 is spent \(\$0\.00\d\d\)$/);
    expect(report(id).cost_usd).toBeGreaterThan(0.001);

    // with a budget that holds, resume goes on from the last finished step
    const resumed = await t.run(['workflow', 'resume', id, '--max-cost', '5']);
    expect(resumed.stderr).toBe('');
    expect(resumed.stdout).toBe(id);
    const done = await t.run(['wait', id], { timeoutMs: 60_000 });
    expect(done.code).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({ outcome: 'goal_met', steps_run: 2 });
    expect(record(id).iterations[0].runs.map((r: any) => r.step)).toEqual(['implement', 'test']);
    expect(record(id).errors).toEqual([expect.stringMatching(/^resumed after budget_exceeded: the workflow's budget of \$0\.0010 is spent/)]);
  }, 90_000);

  it("config's budgets.per_workflow_usd holds a workflow without a budget of its own, codex's estimated cost included", async () => {
    const repo = t.repo('config-budget-repo');
    writeConfig(t, { budgets: { per_workflow_usd: 0.000001 } });
    try {
      const plan = await t.run(['workflow', 'run', 'quick', '--project', repo, '--dry-run']);
      expect(plan.stdout).toContain('budget: $0.000001');
      const id = await runWorkflow(['default', '--project', repo], 'Spend on codex\n');
      const w = await t.run(['wait', id], { timeoutMs: 60_000 });
      expect(w.code).toBe(4);
      expect(JSON.parse(w.stdout)).toMatchObject({ outcome: 'budget_exceeded', steps_run: 1 });
      expect(JSON.parse(w.stdout).stop_reason).toMatch(/^budgets\.per_workflow_usd of \$0\.0000 is spent \(~\$0\.\d+\)$/);
    } finally {
      writeConfig(t, { budgets: {} });
    }
  }, 60_000);
});

describe('crashes', () => {
  /** Once the first step's run is at work, SIGKILL the driver and wait until it is gone; the record as it was. */
  async function killDriverDuringFirstStep(id: string): Promise<any> {
    const rec = await waitFor(() => {
      const r = record(id);
      return r.driver.pid && r.iterations[0]?.runs.length && t.meta(r.iterations[0].runs[0].run_id).status === 'running' ? r : null;
    }, 15_000, 'the first step at work');
    process.kill(rec.driver.pid, 'SIGKILL');
    await waitFor(() => processGone(rec.driver.pid), 5000, 'the driver gone');
    return rec;
  }

  it('a killed driver is resumed from its last finished step; a lost step is retried once', async () => {
    const repo = t.repo('crash-repo');
    const dir = answers({ gemini: [review([])] });
    const id = await runWorkflow(['default', '--project', repo], `Slow work\n@fake answers=${dir}\n@fake sleep=3\n`);
    // the implement step is at work: kill the driver under it
    const rec = await killDriverDuringFirstStep(id);
    const implement = rec.iterations[0].runs[0].run_id;
    // and lose the step too: its supervisor dies, so the run ends lost and is started again
    await waitFor(() => t.meta(implement).pids.supervisor, 10_000, 'the supervisor pid');
    process.kill(t.meta(implement).pids.supervisor, 'SIGKILL');

    const resumed = await t.run(['workflow', 'resume', id]);
    expect(resumed.stdout).toBe(id);
    expect(resumed.code).toBe(0);
    const w = await t.run(['wait', id], { timeoutMs: 90_000 });
    expect(w.code).toBe(0);
    const after = record(id);
    expect(after.driver.restarts).toBe(1);
    const steps = after.iterations[0].runs.map((s: any) => [s.step, s.attempt, s.outcome]);
    expect(steps).toEqual([['implement', 1, 'lost'], ['implement', 2, 'goal_met'], ['review', 1, 'goal_met']]);
    const again = await t.run(['workflow', 'resume', id]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(new RegExp(`^agentctl: workflow ${id} already ended \\(goal_met: the review left no open findings\\): `));
  }, 120_000);

  it('wait continues a workflow whose driver died by itself', async () => {
    const repo = t.repo('orphan-repo');
    const dir = answers({ gemini: [review([])] });
    const id = await runWorkflow(['default', '--project', repo, '--max-iterations', '1'], `Work\n@fake answers=${dir}\n@fake sleep=2\n`);
    await killDriverDuringFirstStep(id);
    const w = await t.run(['wait', id], { timeoutMs: 60_000 });
    expect(w.code).toBe(0);
    expect(record(id).driver.restarts).toBe(1);
    expect(record(id).iterations[0].runs.map((s: any) => s.step)).toEqual(['implement', 'review']);
  }, 90_000);

  it('cancel stops the step at work and ends the workflow', async () => {
    const repo = t.repo('cancel-repo');
    const id = await runWorkflow(['quick', '--project', repo], 'Long\n@fake sleep=30\n');
    await waitFor(() => record(id).iterations[0]?.runs.length, 15_000, 'the first step to start');
    const c = await t.run(['cancel', id]);
    expect(c.code).toBe(0);
    expect(JSON.parse(c.stdout)).toMatchObject({ workflow_id: id, outcome: 'cancelled', exit_code: 4 });
    const w = await t.run(['wait', id]);
    expect(w.code).toBe(4);
    const run = record(id).iterations[0].runs[0].run_id;
    await waitFor(() => t.meta(run).outcome === 'cancelled', 10_000, 'the step cancelled');
  }, 60_000);
});

describe('MCP tools', () => {
  it('run_workflow (dry run and for real), workflow_status waiting for the end, list_workflows', async () => {
    const repo = t.repo('mcp-repo');
    const client = new Client({ name: 'agentctl-test', version: '1.0.0' });
    await client.connect(new StdioClientTransport({ command: BIN, args: ['--home', t.home, 'mcp'], env: t.env, cwd: t.root, stderr: 'pipe' }));
    try {
      const call = async (name: string, args: Record<string, unknown>) => (await client.callTool({ name, arguments: args }, undefined, { timeout: 90_000 })) as any;
      const dry = await call('run_workflow', { workflow: 'review-only', project: repo, dry_run: true });
      expect(dry.isError).toBeFalsy();
      expect(dry.structuredContent.plan.steps.map((s: any) => s.step)).toEqual(['review', 'refine']);
      expect((await call('workflow_status', { id: 'wf-zzzzzz' })).content[0].text).toBe('no workflow wf-zzzzzz: see "agentctl workflow list"');

      const started = await call('run_workflow', { workflow: 'quick', project: repo, task: 'Write notes.txt\n@fake write=notes.txt:n\\n\n' });
      expect(started.isError).toBeFalsy();
      const id = started.structuredContent.workflow.workflow_id;
      expect(started.content[0].text).toBe(`started workflow ${id} (quick): call workflow_status with id "${id}" and wait_s to get its result`);
      const done = await call('workflow_status', { id, wait_s: 40 });
      expect(done.structuredContent).toMatchObject({ workflow_id: id, outcome: 'goal_met', stop_reason: 'every step ran: every step met its goal', exit_code: 0 });
      expect(done.structuredContent.report_so_far.files_changed).toEqual(['notes.txt']);
      const listed = await call('list_workflows', {});
      expect(listed.structuredContent.workflows.map((w: any) => w.workflow_id)).toContain(id);
    } finally {
      await client.close();
    }
  }, 90_000);
});
