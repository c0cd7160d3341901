// The commands around runs: init, projects, where a run runs and with which profile, --home,
// the shell agent, git diff stats, custom schemas, doctor, demo, --help and --version.
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa, execaSync } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, CLI, parseJsonLines, ROOT, type TestEnv, waitFor, writeConfig, suiteEnv } from '../helpers/harness.js';

let t: TestEnv;
suiteEnv((env) => (t = env), { init: false });

const ws = (...p: string[]) => join(t.home, ...p);
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

async function ok(args: string[], o: Parameters<TestEnv['run']>[1] = {}): Promise<string> {
  const r = await t.run(args, o);
  expect(r.code, `agentctl ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

/** Start, wait, and return the wait line, its exit code and the final record. */
async function runToEnd(args: string[], prompt?: string, o: { cwd?: string; env?: Record<string, string | undefined> } = {}) {
  const id = await t.start(args, prompt, o);
  const w = await t.run(['wait', '--timeout', '30', id], { env: o.env });
  const [line] = parseJsonLines(w.stdout);
  return { id, code: w.code, line, meta: t.meta(id) };
}

const git = (cwd: string, ...args: string[]) => String(execaSync('git', args, { cwd, env: t.env }).stdout);

describe('init', () => {
  it('creates the workspace', async () => {
    const out = JSON.parse(await ok(['init', '--json']));
    expect(out.home).toBe(t.home);
    expect(out.created).toEqual(expect.arrayContaining([ws('config.json'), ws('projects.json'), ws('schemas', 'result.schema.json'), ws('runs'), ws('notify.log')]));
    const cfg = readJson(ws('config.json'));
    expect(cfg).toMatchObject({ version: 1, tmux_session: 'ai', tmux_sendkeys_target: null, default_profile: 'spark' });
    expect(Object.keys(cfg.profiles)).toEqual(expect.arrayContaining(['spark', 'deep', 'review', 'claude', 'claude-deep', 'gemini', 'shell']));
    expect(readJson(ws('projects.json'))).toEqual({ projects: {} });
    expect(readJson(ws('schemas', 'result.schema.json'))).toMatchObject({ type: 'object', required: ['goal_met', 'summary', 'followup_prompt', 'notes'] });
    expect(readFileSync(ws('notify.log'), 'utf8')).toBe('');
  });

  it('is idempotent and keeps a user\'s edits', async () => {
    const edited = readFileSync(ws('config.json'), 'utf8').replace('"tmux_session": "ai"', '"tmux_session": "mine"').replace(/}\s*$/, ',\n  "my_note": "keep me"\n}\n');
    writeFileSync(ws('config.json'), edited);
    expect(await ok(['init'])).toMatch(/already set up/);
    expect(JSON.parse(await ok(['init', '--json'])).created).toEqual([]);
    expect(readFileSync(ws('config.json'), 'utf8')).toBe(edited);
  });

  it('--wake-pane sets tmux_sendkeys_target (with the identity of that pane) and keeps every other key', async () => {
    const before = readJson(ws('config.json'));
    const pane = t.tmux(['new-session', '-d', '-s', 'wake-pane', '-P', '-F', '#{pane_id}', 'sleep', '60']).trim();
    expect(await ok(['init', '--wake-pane', pane])).toMatch(new RegExp(`set tmux_sendkeys_target = ${pane}\n?$`));
    expect(readJson(ws('config.json'))).toEqual({ ...before, tmux_sendkeys_target: pane, tmux_sendkeys_identity: expect.objectContaining({ target: pane, pane }) });
    t.tmux(['kill-session', '-t', 'wake-pane']);
  });

  it('--wake-here outside tmux is an error', async () => {
    const before = readFileSync(ws('config.json'), 'utf8');
    const r = await t.run(['init', '--wake-here']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^agentctl: --wake-here needs to run inside a tmux pane: .*--wake-pane %N$/);
    expect(readFileSync(ws('config.json'), 'utf8')).toBe(before);
  });

  it('--wake-here inside a pane records that pane', async () => {
    const script = join(t.root, 'wake-here.sh');
    const out = join(t.root, 'wake-here.out');
    writeFileSync(
      script,
      `#!/bin/sh\n'${process.execPath}' '${CLI}' --home '${t.home}' init --wake-here > '${out}' 2>&1\necho "rc=$?" >> '${out}'\nexec sleep 60\n`,
    );
    chmodSync(script, 0o755);
    const pane = t.tmux(['new-session', '-d', '-s', 'orch', '-P', '-F', '#{pane_id}', script]).trim();
    const text = await waitFor(() => existsSync(out) && readFileSync(out, 'utf8').includes('rc=') && readFileSync(out, 'utf8'), 10_000, 'init in the pane');
    expect(text).toContain('rc=0');
    expect(text).toContain(`set tmux_sendkeys_target = ${pane}`);
    expect(readJson(ws('config.json'))).toMatchObject({ tmux_sendkeys_target: pane, tmux_session: 'mine', my_note: 'keep me' });

    const doctor = JSON.parse(await ok(['doctor', '--json']));
    expect(doctor.checks.find((c: any) => c.name === 'tmux_sendkeys_target')).toMatchObject({ level: 'ok', detail: pane });
    t.tmux(['kill-session', '-t', 'orch']);
    const after = JSON.parse(await ok(['doctor', '--json']));
    expect(after.checks.find((c: any) => c.name === 'tmux_sendkeys_target')).toMatchObject({ level: 'warn', fix: expect.stringMatching(/--wake-here/) });
    writeConfig(t, { tmux_sendkeys_target: null }); // no wake-ups into worker panes later on
  });

  it('--home beats AI_ORCH_HOME', async () => {
    const fromEnv = join(t.root, 'env-home');
    const fromFlag = join(t.root, 'flag-home');
    await ok(['--home', fromFlag, 'init'], { env: { AI_ORCH_HOME: fromEnv } });
    expect(existsSync(join(fromFlag, 'config.json'))).toBe(true);
    expect(existsSync(fromEnv)).toBe(false);
    const id = (await ok(['start', '--agent', 'shell', '--home', fromFlag, '--', 'sh', '-c', 'exit 0'], { env: { AI_ORCH_HOME: fromEnv } })).trim();
    expect(existsSync(join(fromFlag, 'runs', id, 'meta.json'))).toBe(true);
    expect(existsSync(fromEnv)).toBe(false);
    expect((await t.run(['--home', fromFlag, 'wait', id], { env: { AI_ORCH_HOME: fromEnv } })).code).toBe(0);
  });
});

describe('projects', () => {
  let repo: string;
  beforeAll(() => {
    repo = t.repo('api');
  });

  it('add-project, projects (--json), remove-project', async () => {
    expect(await ok(['add-project', 'api', repo])).toBe(`added project api -> ${repo}`);
    expect(await ok(['add-project', 'api', repo, '--default-profile', 'claude'])).toBe(`updated project api -> ${repo} (default profile claude)`);
    t.dir('web');
    expect(await ok(['add-project', 'web', './web'])).toBe(`added project web -> ${join(t.root, 'web')}`);

    const table = (await ok(['projects'])).split('\n');
    expect(table[0]).toMatch(/^NAME\s+PROFILE\s+WORKTREE\s+PATH$/);
    expect(table[1]).toMatch(new RegExp(`^api\\s+claude\\s+-\\s+${repo}$`));
    expect(table[2]).toMatch(new RegExp(`^web\\s+-\\s+-\\s+${join(t.root, 'web')}$`));

    const json = JSON.parse(await ok(['projects', '--json']));
    expect(json).toEqual([
      { name: 'api', path: repo, default_profile: 'claude', added_at: expect.any(String) },
      { name: 'web', path: join(t.root, 'web'), added_at: expect.any(String) },
    ]);

    // listed by name, whatever order they were added in
    expect(await ok(['add-project', 'aardvark', repo])).toBe(`added project aardvark -> ${repo}`);
    expect(JSON.parse(await ok(['projects', '--json'])).map((p: any) => p.name)).toEqual(['aardvark', 'api', 'web']);
    expect((await ok(['projects'])).split('\n')[1]).toMatch(/^aardvark\s/);
    await ok(['remove-project', 'aardvark']);

    expect(await ok(['remove-project', 'web'])).toMatch(/^removed project web \(.*files and runs kept\)/);
    expect(existsSync(join(t.root, 'web'))).toBe(true);
    expect(JSON.parse(await ok(['projects', '--json'])).map((p: any) => p.name)).toEqual(['api']);
  });

  it("a registered project's default profile is used when --profile is absent", async () => {
    const r = await runToEnd(['--project', 'api'], 'Review the README\n');
    expect(r.meta).toMatchObject({ project: 'api', project_dir: repo, profile: 'claude', agent: 'claude' });
    expect(r.line.summary).toBe('claude turn 1: Review the README');
    // --profile still wins
    const r2 = await runToEnd(['--project', 'api', '--profile', 'gemini'], 'Review it again\n');
    expect(r2.meta).toMatchObject({ profile: 'gemini', agent: 'gemini' });
  });

  it('--project as a path, and no --project meaning the current directory', async () => {
    const other = t.repo('other');
    const byPath = await runToEnd(['--project', other, '--agent', 'shell', '--', 'pwd']);
    expect(byPath.meta).toMatchObject({ project: null, project_dir: other });
    expect(byPath.line.summary).toMatch(new RegExp(`exited with code 0: ${other}$`));

    const relative = await runToEnd(['--project', './other', '--agent', 'shell', '--', 'pwd']);
    expect(relative.meta.project_dir).toBe(other);

    const sub = join(repo, 'pkg');
    mkdirSync(sub, { recursive: true });
    const inCwd = await runToEnd(['--agent', 'shell', '--', 'pwd'], undefined, { cwd: sub });
    expect(inCwd.meta).toMatchObject({ project: 'api', project_dir: realpathSync(sub) });
    expect(inCwd.line.summary).toMatch(/: .*\/api\/pkg$/);

    const list = JSON.parse(await ok(['list', '--project', 'api', '--json']));
    expect(list.map((r: any) => r.run_id)).toContain(inCwd.id);
    expect(list.map((r: any) => r.run_id)).not.toContain(byPath.id);
  });
});

describe('run ids', () => {
  it('each start process draws a fresh random suffix (nothing frozen into the startup snapshot)', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await t.start(['--agent', 'shell', '--title', `id ${i}`, '--', 'true']));
    expect(new Set(ids.map((id) => id.slice(-4))).size).toBe(6);
    await t.run(['wait', ...ids]);
  });
});

describe('default title', () => {
  it("without --title, a run is titled by its prompt's first line of prose, headings skipped", async () => {
    const id = await t.start(['--profile', 'claude'], '# TASK\n\n- Fix the login redirect loop\n\n# ACCEPTANCE\n- tests pass\n');
    expect(t.meta(id).title).toBe('Fix the login redirect loop');
    const shell = await t.start(['--agent', 'shell', '--', 'sh', '-c', 'exit 0']);
    expect(t.meta(shell).title).toBe('sh -c exit 0');
    await t.run(['wait', id, shell]);
  });
});

describe('the prompt on stdin', () => {
  const startWith = (stdin: Record<string, unknown>) =>
    execa(BIN, ['start', '--profile', 'spark', '--title', 'stdin'], { env: t.env, extendEnv: false, cwd: t.repo(`stdin-${Math.random().toString(36).slice(2, 8)}`), reject: false, timeout: 30_000, ...stdin });
  const prompt = (r: { stdout: unknown }) => readFileSync(join(t.home, 'runs', String(r.stdout).trim(), 'prompt.md'), 'utf8');

  it('from a pipe whose writer pauses, and one larger than the pipe buffer, arrives whole', async () => {
    const slow = startWith({ stdin: 'pipe' });
    slow.stdin!.write('first half, ');
    await new Promise((r) => setTimeout(r, 400));
    slow.stdin!.end('second half\n');
    const r = await slow;
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(prompt(r)).toBe('first half, second half\n');

    const big = `${'x'.repeat(99)}\n`.repeat(3000); // 300 KB: the writer blocks until it is read
    const b = await startWith({ input: big });
    expect(b.exitCode, String(b.stderr)).toBe(0);
    expect(prompt(b)).toBe(big);
  });

  it('from a file (< prompt.md), with multi-byte text', async () => {
    const file = join(t.root, 'stdin-prompt.md');
    writeFileSync(file, 'Réparer le test « auth » — 修复\n');
    const r = await startWith({ inputFile: file });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(prompt(r)).toBe('Réparer le test « auth » — 修复\n');
  });

  it('a pipe left open with nothing in it is given up on after 10 s: exit 2, nothing written', async () => {
    const runs = () => readdirSync(join(t.home, 'runs')).filter((n) => !n.startsWith('.')).length;
    const before = runs();
    const open = startWith({ stdin: 'pipe' });
    const r = await open;
    expect(r.exitCode).toBe(2);
    expect(String(r.stderr)).toBe('agentctl: no prompt arrived on stdin within 10s: close stdin after writing the prompt, or pass --prompt-file FILE');
    expect(runs()).toBe(before);
  }, 40_000);
});

describe('--model and --prompt-file', () => {
  it('the prompt comes from the file byte for byte, and the model reaches the agent CLI', async () => {
    const file = join(t.root, 'task.md');
    const text = 'Refactor the parser\n\tkeep "quotes" and $HOME as they are\n';
    writeFileSync(file, text);
    const id = await t.start(['--profile', 'claude', '--model', 'claude-test-model', '--prompt-file', file], undefined);
    expect((await t.run(['wait', id])).code).toBe(0);
    expect(readFileSync(join(t.home, 'runs', id, 'prompt.md'), 'utf8')).toBe(text);
    expect(t.meta(id).model).toBe('claude-test-model');
    const init = readFileSync(join(t.home, 'runs', id, 'events.jsonl'), 'utf8').split('\n').map((l) => (l ? JSON.parse(l) : {})).find((e) => e.subtype === 'init');
    expect(init.model).toBe('claude-test-model');
  });
});

describe('NODE_OPTIONS', () => {
  it('with a V8 flag in NODE_OPTIONS (which a startup snapshot refuses) commands and workers still run', async () => {
    const env = { NODE_OPTIONS: '--max-old-space-size=512' };
    const v = await t.run(['--version'], { env });
    expect(v.code, v.stderr).toBe(0);
    // the tmux server (whose environment the worker pane starts with) has it too
    t.tmux(['start-server', ';', 'new-session', '-d', '-s', 'node-options-holder', 'sleep', '30']);
    t.tmux(['set-environment', '-g', 'NODE_OPTIONS', '--max-old-space-size=512']);
    try {
      const id = await t.start(['--agent', 'shell', '--title', 'node options', '--', 'sh', '-c', 'echo "$NODE_OPTIONS"'], undefined, { env });
      const w = await t.run(['wait', id], { env });
      expect(w.code, w.stdout).toBe(0);
      // the worker still gets the caller's NODE_OPTIONS
      expect(JSON.parse(w.stdout).summary).toContain('--max-old-space-size=512');
    } finally {
      t.tmux(['set-environment', '-g', '-u', 'NODE_OPTIONS']);
    }
  });
});

describe('output through a pipe', () => {
  it('a long output reaches a slow reader whole (the process does not exit before it is written)', async () => {
    // 2,000 records make `list --json` far larger than a pipe's buffer
    const home = t.dir('pipe-home');
    expect((await t.run(['--home', home, 'init'])).code).toBe(0);
    const id = await t.start(['--home', home, '--agent', 'shell', '--title', 'template', '--', 'true']);
    await t.run(['--home', home, 'wait', id]);
    const template = JSON.parse(readFileSync(join(home, 'runs', id, 'meta.json'), 'utf8'));
    const index: string[] = [];
    for (let i = 0; i < 2000; i++) {
      const runId = `20250101-${String(i).padStart(6, '0')}-pipe`;
      mkdirSync(join(home, 'runs', runId));
      writeFileSync(join(home, 'runs', runId, 'meta.json'), JSON.stringify({ ...template, run_id: runId, title: `run ${i} ${'x'.repeat(200)}` }));
      index.push(`${template.created_at}\t${runId}`);
    }
    writeFileSync(join(home, 'runs', '.index'), `${index.join('\n')}\n`);
    const direct = await t.run(['--home', home, 'list', '--limit', '0', '--json']);
    expect(direct.stdout.length).toBeGreaterThan(400_000);
    const slow = await execa('sh', ['-c', `'${BIN}' --home '${home}' list --limit 0 --json | (sleep 1; cat)`], { env: t.env, extendEnv: false });
    expect(slow.stdout).toBe(direct.stdout.trimEnd());
    expect(JSON.parse(slow.stdout)).toHaveLength(2001);
  });
});

describe('launcher', () => {
  /** Sets the stamp's mtime offsetNs from ref's (GNU touch takes @seconds.nanoseconds). */
  const stampAt = (stamp: string, ref: string, offsetNs: bigint) => {
    const ns = statSync(ref, { bigint: true }).mtimeNs + offsetNs;
    execaSync('touch', ['-d', `@${ns / 1_000_000_000n}.${String(ns % 1_000_000_000n).padStart(9, '0')}`, stamp]);
  };
  // the one rule: the node that runs has the stamp's mtime, to the nanosecond
  const CASES = [
    [0n, true],
    [1n, false],
    [-1n, false],
    [-86_400_000_000_000n, false],
  ] as const;

  it('bin/agentctl and the supervisor use the startup snapshot only with the node that built it (its mtime on the stamp)', async () => {
    // a copy of the launcher and dist/, and a "node" that logs how it is called, then runs node
    const root = t.dir('launcher');
    mkdirSync(join(root, 'bin'));
    writeFileSync(join(root, 'bin', 'agentctl'), readFileSync(join(ROOT, 'bin', 'agentctl')), { mode: 0o755 });
    execaSync('cp', ['-R', join(ROOT, 'dist'), join(root, 'dist')]);
    const nodeDir = t.dir('launcher-node');
    const node = join(nodeDir, 'node');
    const calls = join(root, 'calls.log');
    writeFileSync(node, `#!/bin/sh\necho "$@" >> '${calls}'\nexec '${process.execPath}' "$@"\n`, { mode: 0o755 });
    const stamp = join(root, 'dist', 'agentctl.blob.stamp');
    const dist = `${root}/bin/../dist`; // as the launcher names it
    const run = () => {
      rmSync(calls, { force: true });
      const r = execaSync(join(root, 'bin', 'agentctl'), ['--version'], { env: { PATH: `${nodeDir}:/usr/bin:/bin`, NODE_OPTIONS: '' }, extendEnv: false, reject: false });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
      return readFileSync(calls, 'utf8').trim();
    };
    for (const [offset, snapshot] of CASES) {
      stampAt(stamp, node, offset);
      expect(run(), `stamp ${offset} ns from node's mtime`).toBe(snapshot ? `--snapshot-blob ${dist}/agentctl.blob -- --version` : `${dist}/cli.js --version`);
    }

    // the supervisor's command line (src/core/sys/self.ts), for the node running this test
    const { selfCommand } = await import('../../src/core/sys/self.js');
    const saved = process.env.AGENTCTL_CLI;
    process.env.AGENTCTL_CLI = join(root, 'dist', 'cli.js');
    try {
      for (const [offset, snapshot] of CASES) {
        stampAt(stamp, process.execPath, offset);
        expect(selfCommand(), `stamp ${offset} ns from node's mtime`).toEqual(
          snapshot ? ['env', '-u', 'NODE_OPTIONS', process.execPath, '--snapshot-blob', join(root, 'dist', 'agentctl.blob'), '--'] : [process.execPath, join(root, 'dist', 'cli.js')],
        );
      }
    } finally {
      if (saved === undefined) delete process.env.AGENTCTL_CLI;
      else process.env.AGENTCTL_CLI = saved;
    }

    // a build that made no snapshot has no stamp
    rmSync(stamp);
    expect(run()).toBe(`${dist}/cli.js --version`);
  });
});

describe('shell agent', () => {
  it('a non-zero exit is goal_not_met with its exit code', async () => {
    const r = await runToEnd(['--agent', 'shell', '--', 'sh', '-c', 'echo checking; exit 3']);
    expect(r.code).toBe(1);
    expect(r.line).toMatchObject({ status: 'finished', outcome: 'goal_not_met', goal_met: false, exit_code: 3 });
    expect(r.line.summary).toBe("`sh -c 'echo checking; exit 3'` exited with code 3: checking");
    expect(r.line.followup_prompt).toMatch(/exited with code 3/);
  });

  it('gets the prompt on stdin', async () => {
    const got = join(t.root, 'stdin.txt');
    const r = await runToEnd(['--agent', 'shell', '--', 'sh', '-c', `cat > '${got}'`], 'line one\nline two\n');
    expect(r.code).toBe(0);
    expect(readFileSync(got, 'utf8')).toBe('line one\nline two\n');
  });

  it('a result written to $AGENTCTL_RESULT_FILE is used', async () => {
    const result = { goal_met: false, summary: '2 of 3 checks pass', followup_prompt: 'fix check 3', notes: 'exit code was 0' };
    const r = await runToEnd(['--agent', 'shell', '--', 'sh', '-c', `printf '%s' '${JSON.stringify(result)}' > "$AGENTCTL_RESULT_FILE"`]);
    expect(r.code).toBe(1);
    expect(r.line).toMatchObject({ outcome: 'goal_not_met', exit_code: 0, summary: '2 of 3 checks pass', followup_prompt: 'fix check 3' });
    expect(readJson(ws('runs', r.id, 'result.json'))).toEqual(result);
  });

  it('... and validated against the schema', async () => {
    const r = await runToEnd(['--agent', 'shell', '--', 'sh', '-c', `printf '{"goal_met":"yes","summary":"done"}' > "$AGENTCTL_RESULT_FILE"`]);
    expect(r.code).toBe(3);
    expect(r.line.outcome).toBe('invalid_output');
    expect(r.line.summary).toMatch(/^invalid output: /);
    expect(r.meta.validation_errors.join('\n')).toMatch(/goal_met must be boolean/);
    expect(r.meta.validation_errors.join('\n')).toMatch(/must have required property 'followup_prompt'/);
    expect(existsSync(ws('runs', r.id, 'result.json'))).toBe(false);
    expect(readFileSync(ws('runs', r.id, 'answer.txt'), 'utf8')).toBe('{"goal_met":"yes","summary":"done"}');
  });
});

describe('git diff stat', () => {
  it("records only the run's own change in a repo with uncommitted work", async () => {
    const repo = t.repo('dirty', { 'README.md': '# dirty\n', 'lib.js': 'export const a = 1;\n' });
    const head = git(repo, 'rev-parse', 'HEAD');
    writeFileSync(join(repo, 'README.md'), '# dirty\n\nwork in progress\n');
    writeFileSync(join(repo, 'scratch.txt'), 'untracked notes\n');
    const statusBefore = git(repo, 'status', '--porcelain');

    const r = await runToEnd(['--project', repo, '--profile', 'spark'], 'Add a module\n@fake write=src/new.js:export const b = 2;\\n\n');
    expect(r.code).toBe(0);
    expect(r.line.git_diff_stat).toBe('1 file changed, 1 insertion(+)');
    expect(r.meta.git_diff_stat).toBe('1 file changed, 1 insertion(+)');
    expect(r.meta.git).toMatchObject({ repo_root: repo, start_head: head, files_changed: ['src/new.js'] });
    expect(readFileSync(join(repo, 'src', 'new.js'), 'utf8')).toBe('export const b = 2;\n');
    // the user's work is untouched, the index too
    expect(readFileSync(join(repo, 'README.md'), 'utf8')).toBe('# dirty\n\nwork in progress\n');
    expect(git(repo, 'status', '--porcelain')).toBe(`${statusBefore}\n?? src/`);
    expect(git(repo, 'diff', '--cached', '--name-only')).toBe('');

    const again = await runToEnd(['--project', repo, '--profile', 'spark'], 'Touch lib\n@fake write=lib.js:export const a = 3;\\n\n');
    expect(again.meta.git.files_changed).toEqual(['lib.js']);
    expect(again.meta.git_diff_stat).toBe('1 file changed, 1 insertion(+), 1 deletion(-)');
  });

  it('a run outside a git repository works, with no git fields', async () => {
    const plain = t.dir('plain');
    const r = await runToEnd(['--project', plain, '--profile', 'spark'], 'Make a file\n@fake write=out.txt:made\n');
    expect(r.code, JSON.stringify(r.line)).toBe(0);
    expect(r.line).toMatchObject({ outcome: 'goal_met', git_diff_stat: null });
    expect(r.meta.git).toBeNull();
    expect(readFileSync(join(plain, 'out.txt'), 'utf8')).toBe('made');
  });
});

describe('--schema', () => {
  const strict = {
    type: 'object',
    additionalProperties: false,
    required: ['answer'],
    properties: { answer: { type: 'string' } },
  };
  let schemaFile: string;
  beforeAll(() => {
    schemaFile = join(t.root, 'answer.schema.json');
    writeFileSync(schemaFile, JSON.stringify(strict));
  });

  it("is the run's schema; codex's answer (the fake always answers the default shape) fails it", async () => {
    const r = await runToEnd(['--profile', 'spark', '--schema', schemaFile], 'What is six times seven?\n');
    expect(readJson(ws('runs', r.id, 'schema.json'))).toEqual(strict);
    expect(r.code).toBe(3);
    expect(r.line.outcome).toBe('invalid_output');
    const errors = r.meta.validation_errors.join('\n');
    expect(errors).toMatch(/must have required property 'answer'/);
    expect(errors).toMatch(/must NOT have additional properties \(goal_met\)/);
    expect(existsSync(ws('runs', r.id, 'result.json'))).toBe(false);
    expect(JSON.parse(readFileSync(ws('runs', r.id, 'answer.txt'), 'utf8'))).toHaveProperty('goal_met', true);
  });

  it('an answer that matches is the result; without goal_met, the exit code decides', async () => {
    const r = await runToEnd(['--agent', 'shell', '--schema', schemaFile, '--', 'sh', '-c', `printf '{"answer":"42"}' > "$AGENTCTL_RESULT_FILE"`]);
    expect(r.code).toBe(0);
    expect(r.line).toMatchObject({ outcome: 'goal_met', goal_met: true, summary: null });
    expect(readJson(ws('runs', r.id, 'result.json'))).toEqual({ answer: '42' });
  });
});

describe('doctor', () => {
  it('passes with the fakes on PATH and lists the agent CLIs with versions', async () => {
    const out = await ok(['doctor']);
    expect(out).toMatch(/^ok\s+codex: codex-cli 0\.171\.0 \(.*test\/fakes\/codex\)$/m);
    expect(out).toMatch(/^ok\s+claude: 2\.1\.197 \(Claude Code\)/m);
    expect(out).toMatch(/^ok\s+gemini: 0\.61\.0/m);
    expect(out).toMatch(/^ok\s+tmux: tmux \d/m);
    const gitNumbers = /version (\d+\.\d+\.\d+)/.exec(String(execaSync('git', ['--version']).stdout))![1]!;
    expect(out).toMatch(new RegExp(`^ok\\s+git: ${gitNumbers.replaceAll('.', '\\.')}\\b`, 'm'));
    const c = t.env.CODEX_HOME;
    expect(out).toContain(`warn  codex profiles: ${c}/spark.config.toml, ${c}/deep.config.toml, ${c}/review.config.toml missing (profiles spark, deep, review cannot run) — fix: run "agentctl init --codex-profiles"`);

    const json = JSON.parse(await ok(['doctor', '--json']));
    expect(json.ok).toBe(true);
    for (const c of json.checks) expect(c).toMatchObject({ level: expect.stringMatching(/^(ok|warn|fail)$/), name: expect.any(String), detail: expect.any(String) });
    expect(json.checks.map((c: any) => c.name)).toEqual(expect.arrayContaining(['node', 'config', 'tmux', 'codex', 'claude', 'gemini', 'codex profiles', 'runs']));
  });

  it('fails on legacy [profiles.NAME] tables (codex >= 0.134 refuses -p), and is satisfied once init --codex-profiles moved them', async () => {
    const codexHome = t.env.CODEX_HOME!;
    mkdirSync(codexHome, { recursive: true });
    writeFileSync(join(codexHome, 'config.toml'), 'profile = "spark"\n[profiles.spark]\nmodel = "x"\n\n[profiles.deep]\n[profiles."review"]\n');
    const bad = await t.run(['doctor', '--json']);
    expect(bad.code).toBe(1);
    const check = JSON.parse(bad.stdout).checks.find((c: any) => c.name === 'codex profiles');
    expect(check).toMatchObject({ level: 'fail', detail: `[profiles.spark], [profiles.deep], [profiles.review], profile = "spark" in ${codexHome}/config.toml: codex -p exits 1 while it is there (codex >= 0.134)` });
    expect(check.fix).toMatch(/^run "agentctl init --codex-profiles"/);

    const init = await t.run(['init', '--codex-profiles']);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain(`moved [profiles.spark] from ${codexHome}/config.toml to ${codexHome}/spark.config.toml`);
    expect(init.stdout).toContain(`commented out profile = "spark" in ${codexHome}/config.toml`);
    expect(readFileSync(join(codexHome, 'spark.config.toml'), 'utf8')).toMatch(/^model = "x"$/m);
    const json = JSON.parse(await ok(['doctor', '--json']));
    expect(json.checks.find((c: any) => c.name === 'codex profiles')).toMatchObject({ level: 'ok', detail: `spark, deep, review in ${codexHome}` });
    expect(await ok(['init', '--codex-profiles'])).toContain(`codex profiles ready in ${codexHome}`);
  });

  it('init --codex-profiles leaves an older codex (legacy tables are its format) alone and says to upgrade', async () => {
    const codexHome = join(t.root, 'old-codex-home');
    const old = join(t.root, 'oldcodex');
    mkdirSync(old, { recursive: true });
    writeFileSync(join(old, 'codex'), '#!/bin/sh\necho "codex-cli 0.120.0"\n', { mode: 0o755 });
    const r = await t.run(['init', '--codex-profiles'], { env: { PATH: `${old}:${t.env.PATH}`, CODEX_HOME: codexHome } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('agentctl: codex 0.120.0 reads its profiles from [profiles.NAME] tables in config.toml, not from NAME.config.toml: nothing was changed; upgrade codex');
    expect(existsSync(join(codexHome, 'spark.config.toml'))).toBe(false);
  });

  it('warns about missing agent CLIs and fails without a workspace', async () => {
    const bare = join(t.root, 'no-workspace');
    const r = await t.run(['--home', bare, 'doctor', '--json'], { env: { PATH: `/usr/bin:/bin:${execaSync('sh', ['-c', 'dirname "$(command -v tmux)"']).stdout}` } });
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    expect(json.ok).toBe(false);
    expect(json.checks.find((c: any) => c.name === 'workspace')).toMatchObject({ level: 'fail', fix: 'run "agentctl init"' });
    expect(json.checks.find((c: any) => c.name === 'codex')).toMatchObject({ level: 'warn', fix: expect.stringContaining('npm install -g @openai/codex') });
    expect(existsSync(bare)).toBe(false);
  });
});

describe('demo', () => {
  const sessions = () => {
    try {
      return t.tmux(['list-sessions', '-F', '#{session_name}']).split('\n').filter(Boolean);
    } catch {
      return []; // no server
    }
  };

  it('runs the whole loop on the private tmux server and leaves nothing behind', async () => {
    const home = join(t.root, 'demo-home');
    const r = await t.run(['--home', home, 'demo'], { timeoutMs: 60_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`tmux -S ${t.socket} attach`);
    expect(r.stdout).toMatch(/escalated/);
    expect(r.stdout).toMatch(/^RUN ID\s+STATE\s+AGE\s+TIME\s+PROFILE\s+PROJECT\s+TITLE$/m);
    expect(r.stdout).toMatch(/agentctl diff \S+ --stat\n greet\.sh \| 2 \+-\n 1 file changed/);
    expect(r.stdout).toContain('Demo complete.');
    expect(sessions().filter((s) => s.startsWith('agentctl-demo-'))).toEqual([]);

    // every worker did what the narration says: only the quick check missed its goal
    const runs = JSON.parse((await t.run(['--home', home, 'list', '--json'])).stdout);
    expect(runs).toHaveLength(4);
    const byTitle = Object.fromEntries(runs.map((x: any) => [x.title, x]));
    expect(byTitle['check the greeting']).toMatchObject({ outcome: 'goal_not_met', escalated_to: byTitle['escalated: check the greeting'].run_id });
    expect(byTitle['escalated: check the greeting'].outcome).toBe('goal_met');
    expect(byTitle['count files'].outcome).toBe('goal_met');
    expect(byTitle['run greet.sh'].outcome).toBe('goal_met');
  });

  it('--keep keeps its tmux session', async () => {
    const r = await t.run(['demo', '--keep'], { timeoutMs: 60_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const kept = /kept: tmux session (\S+), files in (\S+)/.exec(r.stdout);
    expect(kept).not.toBeNull();
    try {
      expect(sessions()).toContain(kept![1]);
      expect(existsSync(join(kept![2]!, 'repo', 'greet.sh'))).toBe(true);
    } finally {
      t.tmux(['kill-session', '-t', `=${kept![1]}`]);
      rmSync(kept![2]!, { recursive: true, force: true });
    }
  });

  it('refuses to reconfigure an existing workspace', async () => {
    const before = readFileSync(ws('config.json'), 'utf8');
    const r = await t.run(['--home', t.home, 'demo']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^agentctl: .* already holds a workspace, which the demo would reconfigure: omit --home/);
    expect(readFileSync(ws('config.json'), 'utf8')).toBe(before);
  });
});

describe('--help and --version', () => {
  const COMMANDS = ['init', 'add-project', 'projects', 'remove-project', 'start', 'wait', 'show', 'list', 'resume', 'escalate', 'diff', 'merge', 'discard', 'clean', 'tail', 'logs', 'cancel', 'doctor', 'demo', 'mcp', 'serve'];

  it('--help of every command exits 0', async () => {
    const top = await t.run(['--help']);
    expect(top.code).toBe(0);
    const listed = [...top.stdout.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)].map((m) => m[1]).filter((c) => c !== 'help');
    expect(listed.sort()).toEqual([...COMMANDS].sort());
    expect(top.stdout).not.toContain('_supervise');

    const results = await Promise.all(COMMANDS.map((c) => t.run([c, '--help'])));
    for (const [i, r] of results.entries()) {
      expect(r.code, `${COMMANDS[i]} --help: ${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: agentctl ${COMMANDS[i]}\\b`));
      expect(r.stderr).toBe('');
    }
    const sub = await t.run(['mcp', 'install-claude', '--help']);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toMatch(/^Usage: agentctl mcp install-claude \[options\]/);
    const help = await t.run(['help', 'start']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: agentctl start/);
  });

  it("--version prints package.json's version", async () => {
    const { version } = readJson(join(ROOT, 'package.json'));
    for (const flag of ['--version', '-V']) {
      const r = await t.run([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(version); // (the harness strips the final newline)
    }
  });
});
