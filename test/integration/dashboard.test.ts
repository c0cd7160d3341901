// The dashboard in a real headless browser (the distribution's Chromium driven by
// playwright-core): the token refused when wrong, sign-in, the run list, a run started after
// the page loaded appearing without a reload, a run page with its chain, hostile titles shown
// as text, and cancel from the page. Screenshots of the main pages go to test-artifacts/.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendEvent, permissionHookCommand } from '../../src/core/instances/events.js';
import { procStartTime } from '../../src/core/sys/proctree.js';
import { ROOT, type TestEnv, suiteEnv, waitFor } from '../helpers/harness.js';
import { claude, fireHook, newInstance } from '../helpers/instances.js';
import { type Served, startServe } from '../helpers/serve.js';

const CHROMIUM = process.env.AGENTCTL_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = join(ROOT, 'test-artifacts');
const haveBrowser = existsSync(CHROMIUM);
if (!haveBrowser && !process.env.CI) {
  console.warn(`dashboard.test.ts skipped: no Chromium at ${CHROMIUM} (apt-get install chromium; CI installs it and runs these tests)`);
}

let t: TestEnv;
let s: Served;
let browser: Browser;
let repo: string;
suiteEnv((env) => (t = env));

describe.skipIf(!haveBrowser && !process.env.CI)('the dashboard in a browser', () => {
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    repo = t.repo();
    s = await startServe(t);
    // root (CI) cannot use Chromium's sandbox; a container's small /dev/shm crashes its renderer
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--disable-dev-shm-usage', ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])] });
  });
  afterAll(async () => {
    await browser?.close();
    await s?.stop();
  });

  const signedIn = async (viewport = { width: 1280, height: 800 }): Promise<{ context: BrowserContext; page: Page }> => {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    const r = await page.goto(`${s.base}/login?token=${encodeURIComponent(s.token)}`);
    expect(r?.status()).toBe(200);
    return { context, page };
  };
  const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

  it('refuses a wrong token: the sign-in form again, no cookie, no data', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const r = await page.goto(`${s.base}/login?token=wrong`);
    expect(r?.status()).toBe(401);
    await expect(page.getByRole('alert').textContent()).resolves.toBe('Wrong token.');
    expect(await context.cookies()).toEqual([]);
    const home = await page.goto(`${s.base}/`);
    expect(home?.status()).toBe(401);
    expect(await page.locator('table').count()).toBe(0);
    await shot(page, 'sign-in');
    await context.close();
  });

  it('signs in from the printed link: cookie HttpOnly and SameSite=Strict, the token gone from the address; runs newest first', async () => {
    const first = await t.start(['--project', repo, '--profile', 'spark', '--title', 'first codex run'], 'Add a --verbose flag\n');
    await t.run(['wait', first]);
    const second = await t.start(['--agent', 'shell', '--title', 'second, a shell run', '--', 'sh', '-c', 'exit 1']);
    await t.run(['wait', second]);

    const { context, page } = await signedIn();
    expect(page.url()).toBe(`${s.base}/`);
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ name: `agentctl_session_${s.port}`, httpOnly: true, sameSite: 'Strict' });
    expect(await page.evaluate(() => (globalThis as unknown as { document: { cookie: string } }).document.cookie)).toBe(''); // not readable by scripts

    const rows = page.locator('table.list tbody tr');
    await expect(rows.count()).resolves.toBe(2);
    expect(await rows.nth(0).getAttribute('id')).toBe(`run-${second}`);
    expect(await rows.nth(1).getAttribute('id')).toBe(`run-${first}`);
    // status readable without colour: a word, not only a coloured dot
    expect(await rows.nth(1).locator('.st').innerText()).toBe('✓ goal met');
    await expect(page.locator('#live').textContent()).resolves.toBeTruthy();
    await context.close();
  });

  it('shows a run started after the page loaded, and its end, without a reload', async () => {
    const { context, page } = await signedIn();
    await waitFor(() => page.locator('#live').textContent().then((x) => x === 'live'), 10_000, 'the event stream to open');
    await page.evaluate(() => ((globalThis as unknown as { marker: number }).marker = 42));
    const id = await t.start(['--agent', 'shell', '--title', 'started after the page loaded', '--', 'sh', '-c', 'sleep 1; echo done']);
    const row = page.locator(`#run-${id}`);
    await row.waitFor({ timeout: 5_000 });
    expect(await row.locator('.title a').innerText()).toBe('started after the page loaded');
    await waitFor(() => row.locator('.st').innerText().then((x) => x === '✓ goal met'), 10_000, 'the run to show as ended');
    // the same document all along
    expect(await page.evaluate(() => (globalThis as unknown as { marker: number }).marker)).toBe(42);
    await shot(page, 'dashboard');
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, 'dashboard-phone');
    await context.close();
  });

  it('a run page: prompt, events, result, and the links along its chain', async () => {
    const parent = await t.start(['--project', repo, '--profile', 'spark', '--title', 'parent run'], 'Add a --verbose flag\n');
    await t.run(['wait', parent]);
    const r = await t.run(['resume', parent], { input: 'Now document it\n' });
    const child = r.stdout.trim();
    await t.run(['wait', child]);

    const { context, page } = await signedIn();
    await page.locator(`#run-${child} .title a`).click();
    await page.waitForURL(`${s.base}/runs/${child}`);
    expect(await page.locator('h1').innerText()).toContain('parent run');
    const text = await page.locator('main').innerText();
    expect(text).toContain('Now document it');
    expect(text).toContain('codex turn 2: Now document it'); // the result's summary
    expect(text).toMatch(/Events \(\d+\)/);
    const chain = page.locator('ol.chain li');
    expect(await chain.count()).toBe(2);
    expect(await chain.nth(0).innerText()).toBe(`${parent} spark ✓ goal met`);
    expect(await chain.nth(1).innerText()).toBe(`${child} spark ✓ goal met (this run)`);
    await shot(page, 'run-page');
    await page.getByRole('link', { name: parent }).click();
    await page.waitForURL(`${s.base}/runs/${parent}`);
    expect(await page.locator('h1').innerText()).toMatch(/^parent run/);
    await context.close();
  });

  it('a run page follows its run: events as they come, then its end, without a reload', async () => {
    const { context, page } = await signedIn();
    // the second line waits for the test's word (a file), given once the page is up
    const go = join(t.root, 'go-on');
    const id = await t.start(['--agent', 'shell', '--title', 'talks', '--', 'sh', '-c', `echo first line; while [ ! -e '${go}' ]; do sleep 0.05; done; echo second line`]);
    await page.goto(`${s.base}/runs/${id}`);
    await waitFor(() => page.locator('#live').textContent().then((x) => x === 'live'), 10_000, 'the event stream to open');
    await page.evaluate(() => ((globalThis as unknown as { marker: number }).marker = 7));
    const events = () => page.locator('pre.events').innerText({ timeout: 1_000 }).catch(() => '');
    expect(await events()).not.toContain('second line');
    writeFileSync(go, '');
    await waitFor(() => events().then((x) => x.includes('second line')), 10_000, 'the second line on the page');
    await waitFor(() => page.locator('h1 .st').innerText().then((x) => x === '✓ goal met'), 10_000, 'the end on the page');
    expect(await page.evaluate(() => (globalThis as unknown as { marker: number }).marker)).toBe(7);
    await context.close();
  });

  it('shows hostile titles as text: no markup runs, terminal escapes visible', async () => {
    const hostile = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>\x1b]0;owned\x07\x1b[31mred';
    const id = await t.start(['--agent', 'shell', '--title', hostile, '--', 'true']);
    await t.run(['wait', id]);
    const { context, page } = await signedIn();
    const link = page.locator(`#run-${id} .title a`);
    expect(await link.innerText()).toBe('<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>\\e]0;owned\\a\\e[31mred');
    await link.click();
    await page.waitForURL(`${s.base}/runs/${id}`);
    expect(await page.locator('main img, main script').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as { pwned?: number }).pwned)).toBeUndefined();
    await context.close();
  });

  it('cancels a run from its page (a POST with the page\'s CSRF token), keyboard only', async () => {
    const id = await t.start(['--agent', 'shell', '--title', 'long', '--', 'sleep', '60']);
    await waitFor(() => t.meta(id).status === 'running', 10_000, 'the run to be running');
    const { context, page } = await signedIn();
    await page.goto(`${s.base}/runs/${id}`);
    const button = page.getByRole('button', { name: 'Cancel run' });
    await button.focus();
    const posted = page.waitForResponse((r) => r.request().method() === 'POST');
    await page.keyboard.press('Enter');
    const answer = await posted;
    expect([answer.status(), await answer.text().catch(() => '')]).toEqual([303, '']);
    await waitFor(() => t.meta(id).outcome === 'cancelled', 15_000, 'the run to be cancelled');
    await waitFor(() => page.locator('h1 .st').innerText().then((x) => x === '■ cancelled'), 10_000, 'the page to show it');
    expect(await button.count()).toBe(0);
    await context.close();
  });

  it('an instance asking permission: live in the list, answered with Allow from its page', async () => {
    // an instance whose supervisor and agent are this test process (alive), as top.test.ts makes one
    const id = 'i-dash01';
    const f = newInstance(t.home, {
      id,
      name: 'dev <b>1</b>',
      role: 'developer',
      supervisor_pid: process.pid,
      supervisor_start: procStartTime(process.pid),
      agent_pid: process.pid,
      agent_start: procStartTime(process.pid),
      tmux: { socket: t.socket, socket_name: null, session: null, pane: null },
    });
    appendEvent(f, { source: 'agentctl', kind: 'launched', life: 1 });
    fireHook(f, claude.base('SessionStart', { source: 'startup' }));
    const { context, page } = await signedIn();
    const row = page.locator(`#instance-${id}`);
    await row.waitFor({ timeout: 5_000 });
    expect(await row.locator('.title a').innerText()).toBe('dev <b>1</b>');
    expect(await row.locator('.st').innerText()).toBe('◇ idle');
    await waitFor(() => page.locator('#live').textContent().then((x) => x === 'live'), 10_000, 'the event stream to open');

    appendEvent(f, { source: 'agentctl', kind: 'send', turn: 1, text: 'clean up' });
    fireHook(f, claude.base('UserPromptSubmit', { prompt: 'clean up' }));
    // the agent's PermissionRequest hook: agentctl's own, blocking until it is answered
    const hook = spawn('sh', ['-c', permissionHookCommand(t.home, id)], { env: t.env, stdio: ['pipe', 'pipe', 'ignore'] });
    let decision = '';
    hook.stdout!.on('data', (d) => (decision += d));
    const answered = new Promise((r) => hook.on('exit', r));
    hook.stdin!.end(JSON.stringify(claude.base('PermissionRequest', { tool_name: 'Bash', tool_input: { command: 'rm -rf build' }, permission_suggestions: [] })));
    await waitFor(() => row.locator('.st').innerText().then((x) => x === '⚠ needs permission').catch(() => false), 10_000, 'the question in the list');
    expect(await row.innerText()).toContain('asks: Bash');

    await row.locator('.title a').click();
    await page.waitForURL(`${s.base}/instances/${id}`);
    expect(await page.locator('#h-perm').innerText()).toBe('Asks permission: Bash');
    expect(await page.locator('main').innerText()).toContain('"command": "rm -rf build"');
    await shot(page, 'instance-page');
    await page.getByRole('button', { name: 'Allow' }).click();
    await answered;
    expect(decision).toBe('{"hookSpecificOutput":{"hookEventName":"PermissionRequest","decision":{"behavior":"allow"}}}\n');
    await waitFor(() => page.locator('h1 .st').innerText().then((x) => x === '● working'), 10_000, 'the instance working again');
    await context.close();
  });

  it('a workflow: live in the list as it goes, its page with the steps of each iteration linking to their runs', async () => {
    const wfRepo = t.repo('wf-repo');
    // the fake gemini reviewer finds one problem, then none (scripted answers, as workflows.test.ts does)
    const answers = join(t.root, 'wf-answers', 'gemini');
    mkdirSync(answers, { recursive: true });
    const review = (n: number) => ({ goal_met: n === 0, summary: `${n} findings`, followup_prompt: '', notes: '', findings: n ? [{ id: null, severity: 'medium', file: 'app.txt', line: 1, text: 'no <input> check' }] : [], quality_score: null });
    writeFileSync(join(answers, '01.json'), JSON.stringify(review(1)));
    writeFileSync(join(answers, '02.json'), JSON.stringify(review(0)));
    const { context, page } = await signedIn();
    await waitFor(() => page.locator('#live').textContent().then((x) => x === 'live'), 10_000, 'the event stream to open');
    const r = await t.run(['workflow', 'run', 'default', '--project', wfRepo], { input: `Add app.txt\n@fake answers=${join(t.root, 'wf-answers')}\n@fake write=app.txt:hello\\n\n` });
    expect(r.code, r.stderr).toBe(0);
    const id = r.stdout.trim();
    const row = page.locator(`#workflow-${id}`);
    await row.waitFor({ timeout: 10_000 });
    await waitFor(() => row.locator('.st').innerText().then((x) => x === '✓ goal met').catch(() => false), 90_000, 'the workflow to end on the page');
    expect(await row.innerText()).toContain('0 open of 1');

    await row.locator('.title a').click();
    await page.waitForURL(`${s.base}/workflows/${id}`);
    const steps = page.locator('main h3');
    expect(await steps.allInnerTexts()).toEqual(['Iteration 1', 'Iteration 2']);
    const runLinks = page.locator('main table.list a.mono');
    expect(await runLinks.count()).toBe(4); // implement, review, refine; then review, which finds nothing
    expect(await page.locator('main').innerText()).toContain('no <input> check');
    await shot(page, 'workflow-page');
    await runLinks.first().click();
    await page.waitForURL(/\/runs\//);
    await context.close();
  });

  it('the cost page draws its chart from the runs', async () => {
    const { context, page } = await signedIn();
    await page.getByRole('link', { name: 'Cost' }).click();
    await page.waitForURL(`${s.base}/cost`);
    expect(await page.locator('svg.chart rect.bar').count()).toBe(30);
    await shot(page, 'cost');
    await context.close();
  });
});
