// Bad input and broken state, as a user meets them: one `agentctl: ...` line on stderr that
// names the problem and the fix, a non-zero exit (2 for bad input), and nothing half-written.
import { readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execaSync } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { type RunResult, type TestEnv, waitFor, writeConfig, suiteEnv } from '../helpers/harness.js';

/** Exactly one stderr line `agentctl: ...` matching every pattern, nothing on stdout. */
function expectError(r: RunResult, code: number, ...patterns: RegExp[]): void {
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  expect(lines, `stderr: ${r.stderr}`).toHaveLength(1);
  expect(lines[0]).toMatch(/^agentctl: /);
  for (const p of patterns) expect(lines[0]).toMatch(p);
  expect(r.stdout).toBe('');
  expect(r.code).toBe(code);
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** Everything a failed command must leave as it was. */
function snapshot(t: TestEnv) {
  let runs: string[] = [];
  try {
    runs = readdirSync(join(t.home, 'runs')).sort();
  } catch {
    // no workspace yet
  }
  return {
    runs,
    index: read(join(t.home, 'runs', '.index')),
    projects: read(join(t.home, 'projects.json')),
    config: read(join(t.home, 'config.json')),
    notify: read(join(t.home, 'notify.log')),
  };
}

/** Run a command that must fail, and check the workspace did not change. */
async function failing(t: TestEnv, args: string[], o: { input?: string; env?: Record<string, string | undefined>; cwd?: string } = {}): Promise<RunResult> {
  const before = snapshot(t);
  const r = await t.run(args, o);
  expect(snapshot(t)).toEqual(before);
  return r;
}

/** Wait for a run to end and for its supervisor to log the finish (it does so just after). */
async function settle(t: TestEnv, id: string): Promise<number> {
  const w = await t.run(['wait', '--timeout', '20', id]);
  await waitFor(() => read(join(t.home, 'notify.log'))?.includes(`"event":"finish","run_id":"${id}"`), 10_000, `finish line of ${id}`);
  return w.code;
}

/** A quick finished shell run. */
async function shellRun(t: TestEnv, extra: string[] = [], script = 'exit 0'): Promise<string> {
  const id = await t.start(['--agent', 'shell', ...extra, '--', 'sh', '-c', script]);
  expect(await settle(t, id)).toBeLessThan(2);
  return id;
}

describe('bad input to start, resume, show, wait, cancel', () => {
  let t: TestEnv;
  let done: string; // a finished run, so the workspace is not empty
  const prompt = 'Fix the bug\n';

  suiteEnv((env) => (t = env));
  beforeAll(async () => {
    done = await shellRun(t, ['--run-id', 'taken-1']);
  });

  it.each(['show', 'wait', 'cancel'])('%s of an unknown run id', async (cmd) => {
    expectError(await failing(t, [cmd, 'no-such-run']), 2, /no run matches "no-such-run"/, /agentctl list/);
  });

  it('resume of an unknown run id', async () => {
    const r = await failing(t, ['resume', '--parent-run-id', 'no-such-run'], { input: prompt });
    expectError(r, 2, /no run matches "no-such-run"/, /agentctl list/);
  });

  it('cancel of a run that already ended', async () => {
    expectError(await failing(t, ['cancel', done]), 2, new RegExp(`run ${done} already ended \\(goal_met\\): nothing to cancel`));
  });

  it('a run id with a path in it is refused, not looked up', async () => {
    expectError(await failing(t, ['show', '../ws/config']), 2, /invalid run id/, /agentctl list/);
  });

  it('unknown project', async () => {
    const r = await failing(t, ['start', '--project', 'nope', '--profile', 'spark'], { input: prompt });
    expectError(r, 2, /unknown project "nope"/, /agentctl add-project nope <path>/);
  });

  it('project directory that does not exist', async () => {
    const r = await failing(t, ['start', '--project', './missing-dir'], { input: prompt });
    expectError(r, 2, /missing-dir does not exist/, /give an existing directory/);
  });

  it('unknown profile', async () => {
    const r = await failing(t, ['start', '--profile', 'nope'], { input: prompt });
    expectError(r, 2, /unknown profile "nope"/, /use one of .*spark/, /config\.json/);
  });

  it.each([['../x'], ['a/b'], ['.hidden'], ['x y'], ['r'.repeat(200)], ['']])('malformed --run-id %j', async (id) => {
    const r = await failing(t, ['start', '--profile', 'spark', '--run-id', id], { input: prompt });
    expectError(r, 2, /invalid --run-id/, /use 1-80 letters, digits/);
  });

  it('duplicate --run-id leaves the existing run alone', async () => {
    const metaBefore = read(join(t.home, 'runs', done, 'meta.json'));
    const r = await failing(t, ['start', '--profile', 'spark', '--run-id', done], { input: prompt });
    expectError(r, 2, new RegExp(`run id ${done} is already taken`), /choose another --run-id/);
    expect(read(join(t.home, 'runs', done, 'meta.json'))).toBe(metaBefore);
    expect(readdirSync(join(t.home, 'runs', done))).toContain('prompt.md');
  });

  it.each([[''], ['  \n\t\n']])('empty prompt %j', async (input) => {
    const r = await failing(t, ['start', '--profile', 'spark'], { input });
    expectError(r, 2, /empty prompt/, /--prompt-file/);
  });

  it('unreadable --prompt-file', async () => {
    const r = await failing(t, ['start', '--profile', 'spark', '--prompt-file', join(t.root, 'nope.md')]);
    expectError(r, 2, /cannot read --prompt-file .*nope\.md/);
  });

  it('prompt over max_prompt_bytes', async () => {
    writeConfig(t, { max_prompt_bytes: 64 });
    try {
      const r = await failing(t, ['start', '--profile', 'spark'], { input: 'x'.repeat(65) });
      expectError(r, 2, /prompt is 65 bytes, over the 64-byte limit/, /max_prompt_bytes/);
      // exactly at the limit is fine
      const ok = await t.run(['start', '--agent', 'shell', '--', 'sh', '-c', 'cat >/dev/null'], { input: 'y'.repeat(64) });
      expect(ok.code, ok.stderr).toBe(0);
      expect(await settle(t, ok.stdout.trim())).toBe(0);
    } finally {
      writeConfig(t, { max_prompt_bytes: 1_000_000 });
    }
  });

  it('agent binary not on PATH', async () => {
    const r = await failing(t, ['start', '--agent', 'gemini'], { input: prompt, env: { PATH: '/usr/bin:/bin' } });
    expectError(r, 2, /gemini not found on PATH/, /install the gemini CLI/, /agentctl doctor/);
  });

  it('shell command not found', async () => {
    const r = await failing(t, ['start', '--agent', 'shell', '--', 'no-such-command-xyz']);
    expectError(r, 2, /command not found: no-such-command-xyz/);
  });

  it('shell agent without a command', async () => {
    expectError(await failing(t, ['start', '--agent', 'shell']), 2, /shell agent needs a command/, /-- npm test/);
  });

  it.each([[['--agent', 'codex']], [['--profile', 'claude']]])('a command after -- with %j', async (sel) => {
    const r = await failing(t, ['start', ...sel, '--', 'ls', '-l'], { input: prompt });
    expectError(r, 2, /only for the shell agent/, /--agent shell/);
  });

  describe('--schema', () => {
    const schema = (name: string, text: string) => {
      const p = join(t.root, name);
      writeFileSync(p, text);
      return p;
    };

    it('not JSON', async () => {
      const f = schema('bad.json', '{"type": "object",');
      const r = await failing(t, ['start', '--profile', 'spark', '--schema', f], { input: prompt });
      expectError(r, 2, /schema file .*bad\.json is not valid JSON/, /fix the file/);
    });

    it.each([['[1, 2]'], ['"object"'], ['null']])('not an object: %s', async (text) => {
      const f = schema('notobj.json', text);
      const r = await failing(t, ['start', '--profile', 'claude', '--schema', f], { input: prompt });
      expectError(r, 2, /notobj\.json must hold a JSON Schema object/);
    });

    it('not a valid JSON Schema', async () => {
      const f = schema('invalid.json', '{"type": 12}');
      const r = await failing(t, ['start', '--profile', 'claude', '--schema', f], { input: prompt });
      expectError(r, 2, /invalid\.json is not a valid JSON Schema/, /fix the schema/);
    });

    it('not strict-mode compatible, for codex only', async () => {
      const loose = schema('loose.json', JSON.stringify({ type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] }));
      const r = await failing(t, ['start', '--profile', 'spark', '--schema', loose], { input: prompt });
      expectError(r, 2, /strict structured-output rules codex needs/, /additionalProperties/, /fix the schema/);
      const partial = schema('partial.json', JSON.stringify({ type: 'object', additionalProperties: false, properties: { a: { type: 'string' }, b: { type: 'string' } }, required: ['a'] }));
      const r2 = await failing(t, ['start', '--profile', 'spark', '--schema', partial], { input: prompt });
      expectError(r2, 2, /missing b/);
    });

    it('does not exist', async () => {
      const r = await failing(t, ['start', '--profile', 'spark', '--schema', join(t.root, 'absent.json')], { input: prompt });
      expectError(r, 2, /cannot read schema file .*absent\.json: ENOENT/, /give an existing JSON Schema file/);
    });
  });

  it.each([
    ['abc', /use seconds or units like 90s, 15m, 1h30m/],
    ['0', /must be greater than zero/],
    ['-5', /invalid timeout "-5"/],
    ['10x', /use seconds or units/],
  ])('invalid --timeout %s', async (value, why) => {
    const r = await failing(t, ['start', '--profile', 'spark', '--timeout', value], { input: prompt });
    expectError(r, 2, new RegExp(`invalid timeout "${value}"`), why);
  });

  it('invalid wait --timeout', async () => {
    expectError(await failing(t, ['wait', done, '--timeout', 'soon']), 2, /invalid --timeout "soon"/);
  });

  it('invalid list options', async () => {
    expectError(await failing(t, ['list', '--limit', 'x']), 2, /invalid --limit "x"/, /whole number/);
    expectError(await failing(t, ['list', '--status', 'happy']), 2, /invalid --status "happy"/, /use one of/);
  });
});

describe('usage errors from the command line parser', () => {
  let t: TestEnv;
  suiteEnv((env) => (t = env), { init: false });

  it.each([
    [['frobnicate'], /unknown command 'frobnicate'/, /see "agentctl --help"/],
    [['stat'], /unknown command 'stat' \(Did you mean start\?\)/, /see "agentctl --help"/],
    [['start', '--frob'], /unknown option '--frob'/, /see "agentctl start --help"/],
    [['start', '--titel', 'x'], /unknown option '--titel' \(Did you mean --title\?\)/, /see "agentctl start --help"/],
    [['list', '--bogus'], /unknown option '--bogus'/, /see "agentctl list --help"/],
    [['start', '--agent', 'perl'], /argument 'perl' is invalid/, /codex, claude, gemini, shell/],
    [['show'], /missing required argument 'id'/, /see "agentctl show --help"/],
    [['resume'], /which run should be resumed\?/, /give its id: agentctl resume ID/],
    [['start', '--run-id'], /option '--run-id <id>' argument missing/, /agentctl start --help/],
  ])('%j', async (args, ...patterns) => {
    const r = await t.run(args, { input: 'x\n' });
    expectError(r, 2, ...patterns);
  });
});

describe('corrupt files', () => {
  let t: TestEnv;
  suiteEnv((env) => (t = env));

  it("one run's corrupt meta.json: list still works, show explains", async () => {
    const [good, bad, odd] = (await Promise.all(['good-run', 'bad-run', 'odd-run'].map((id) => shellRun(t, ['--run-id', id])))) as [string, string, string];
    writeFileSync(join(t.home, 'runs', bad, 'meta.json'), '{"version": 1, "run_id": ');
    writeFileSync(join(t.home, 'runs', odd, 'meta.json'), JSON.stringify({ ...t.meta(odd), status: 'exploded' }));

    const list = await t.run(['list']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stderr).toBe('');
    const rows = list.stdout.split('\n');
    expect(rows.find((l) => l.startsWith(good))).toMatch(/goal_met/);
    expect(rows.find((l) => l.startsWith(bad))).toMatch(/corrupt.*meta\.json is unreadable/);
    expect(rows.find((l) => l.startsWith(odd))).toMatch(/corrupt.*status/);

    const json = await t.run(['list', '--json']);
    expect(json.code).toBe(0);
    const byId = Object.fromEntries((JSON.parse(json.stdout) as any[]).map((r) => [r.run_id, r]));
    expect(byId[good]).toMatchObject({ status: 'finished', outcome: 'goal_met' });
    expect(byId[bad]).toMatchObject({ status: 'corrupt' });
    expect(byId[bad].error).toMatch(/not JSON/);
    expect((await t.run(['list', '--status', 'corrupt', '--json'])).stdout).not.toContain(good);

    expectError(await t.run(['show', bad]), 2, new RegExp(`run ${bad}: meta.json is unreadable \\(not JSON`), /inspect or remove/);
    expectError(await t.run(['show', odd]), 2, /meta.json is unreadable \(status: /);
    expectError(await t.run(['wait', bad]), 2, /meta.json is unreadable/);
    const ok = await t.run(['show', good]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ run_id: good, outcome: 'goal_met' });
  });

  it('corrupt config.json: a clear error naming the file; init does not overwrite it', async () => {
    const cfgPath = join(t.home, 'config.json');
    const original = read(cfgPath)!;
    const broken = '{ "tmux_session": "ai", \n';
    writeFileSync(cfgPath, broken);
    try {
      const r = await failing(t, ['start', '--profile', 'spark'], { input: 'x\n' });
      expectError(r, 2, new RegExp(`${cfgPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not valid JSON`), /fix it, or move it aside and run "agentctl init"/);

      // init keeps the user's file as it is, and says what is wrong with it
      expectError(await t.run(['init']), 2, /config\.json is not valid JSON/);
      expect(read(cfgPath)).toBe(broken);
      expectError(await t.run(['init', '--wake-pane', '%3']), 2, /config\.json is not valid JSON/);
      expect(read(cfgPath)).toBe(broken);

      // reading runs does not need a config
      expect((await t.run(['list'])).code).toBe(0);

      writeFileSync(cfgPath, JSON.stringify({ max_prompt_bytes: 'lots' }));
      const r2 = await failing(t, ['start', '--profile', 'spark'], { input: 'x\n' });
      expectError(r2, 2, /config\.json: max_prompt_bytes: /, /fix that setting or remove it/);
    } finally {
      writeFileSync(cfgPath, original);
    }
  });

  it('corrupt projects.json: a clear error naming the file, and it is not rewritten', async () => {
    const path = join(t.home, 'projects.json');
    const original = read(path)!;
    const broken = '{"projects": {"api": ';
    writeFileSync(path, broken);
    try {
      const named = /projects\.json is not valid JSON/;
      expectError(await failing(t, ['start', '--profile', 'spark'], { input: 'x\n' }), 2, named, /fix it, or move it aside/);
      expectError(await failing(t, ['add-project', 'api', t.root]), 2, named);
      expectError(await failing(t, ['projects']), 2, named);
      expectError(await failing(t, ['remove-project', 'api']), 2, named);
      expect(read(path)).toBe(broken);

      writeFileSync(path, JSON.stringify({ projects: { api: { default_profile: 'spark' } } }));
      expectError(await failing(t, ['projects']), 2, /projects\.json: projects\.api\.path: /, /fix that entry/);
    } finally {
      writeFileSync(path, original);
    }
  });
});

describe('environment problems', () => {
  let t: TestEnv;
  suiteEnv((env) => (t = env));

  it('no tmux on PATH: start fails and leaves no run behind', async () => {
    const bin = t.dir('bin-without-tmux');
    for (const tool of ['node', 'git']) {
      const real = String(execaSync('sh', ['-c', `command -v ${tool}`]).stdout).trim();
      symlinkSync(real, join(bin, tool));
    }
    const r = await failing(t, ['start', '--agent', 'shell', '--run-id', 'no-tmux', '--', '/bin/sh', '-c', 'exit 0'], { env: { PATH: bin } });
    expectError(r, 2, /tmux is not installed or not on PATH/, /install it \(apt-get install tmux/);
    const list = await t.run(['list', '--json'], { env: { PATH: bin } });
    expect(JSON.parse(list.stdout)).toEqual([]);
  });

  it('a --target pane that does not exist: no run behind', async () => {
    t.orchestratorPane();
    const r = await failing(t, ['start', '--agent', 'shell', '--target', '%999', '--', 'sh', '-c', 'exit 0']);
    expectError(r, 2, /tmux target %999 not found/, /give an existing pane/);
  });

  it('unknown project for remove-project, unknown default profile for add-project', async () => {
    expectError(await failing(t, ['remove-project', 'ghost']), 2, /unknown project "ghost"/, /agentctl projects/);
    expectError(await failing(t, ['add-project', 'api', t.root, '--default-profile', 'turbo']), 2, /unknown profile "turbo"/);
    expectError(await failing(t, ['add-project', 'api', join(t.root, 'nowhere')]), 2, /nowhere does not exist/);
    expectError(await failing(t, ['add-project', '../api', t.root]), 2, /invalid project name/);
  });
});

describe('concurrency', () => {
  let t: TestEnv;
  suiteEnv((env) => (t = env), { init: false });

  it('20 concurrent add-project calls on a fresh workspace all land', async () => {
    const dirs = Array.from({ length: 20 }, (_, i) => t.dir(`proj-${i}`));
    const results = await Promise.all(dirs.map((d, i) => t.run(['add-project', `p${i}`, d])));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const file = JSON.parse(readFileSync(join(t.home, 'projects.json'), 'utf8'));
    expect(Object.keys(file.projects).sort()).toEqual(dirs.map((_, i) => `p${i}`).sort());
    for (const [i, d] of dirs.entries()) expect(file.projects[`p${i}`].path).toBe(d);
    expect(readdirSync(t.home).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    const listed = JSON.parse((await t.run(['projects', '--json'])).stdout);
    expect(listed).toHaveLength(20);
  });

  it('concurrent starts with the same --run-id: exactly one wins', async () => {
    const tries = await Promise.all(
      Array.from({ length: 5 }, (_, i) => t.run(['start', '--agent', 'shell', '--run-id', 'same-id', '--title', `try ${i}`, '--', 'sh', '-c', 'exit 0'])),
    );
    const winners = tries.filter((r) => r.code === 0);
    expect(winners).toHaveLength(1);
    expect(winners[0]!.stdout.trim()).toBe('same-id');
    for (const r of tries.filter((x) => x.code !== 0)) expectError(r, 2, /run id same-id is already taken/);
    const w = await t.run(['wait', '--timeout', '20', 'same-id']);
    expect(w.code, w.stdout).toBe(0);
    const index = readFileSync(join(t.home, 'runs', '.index'), 'utf8');
    expect(index.split('\n').filter((l) => l.endsWith('\tsame-id'))).toHaveLength(1);
    const starts = readFileSync(join(t.home, 'notify.log'), 'utf8').split('\n').filter((l) => l.includes('"start"') && l.includes('same-id'));
    expect(starts).toHaveLength(1);
  });
});
