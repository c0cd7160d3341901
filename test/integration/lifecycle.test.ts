// A run's life as a user sees it: start prints an id, wait prints one JSON line and an exit
// code that says how the run went, show/list read the record, timeouts and cancel stop the
// agent's whole process tree, logs/tail render what happened, and the caller's environment
// reaches the agent without leaking anywhere else.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { execa, execaSync } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, makeEnv, parseJsonLines, processGone, type TestEnv, traced, waitFor, writeConfig } from '../helpers/harness.js';

const RUN_ID = /^\d{8}-\d{6}-[a-z0-9]{4}$/;
const WAIT_KEYS = ['run_id', 'status', 'outcome', 'goal_met', 'summary', 'followup_prompt', 'exit_code', 'git_diff_stat', 'duration_s', 'escalated_to', 'parent_run_id', 'branch', 'worktree', 'error'];

let t: TestEnv;
let repo: string;

beforeAll(async () => {
  t = await makeEnv();
  repo = t.repo();
  const init = await t.run(['init']);
  expect(init.code, init.stderr).toBe(0);
  // The server (and so every worker pane) has the variables a user's shell usually has; git
  // diff stats must still work with them.
  t.orchestratorPane('keepalive');
  for (const [k, v] of [['EDITOR', 'vi'], ['PAGER', 'less'], ['GIT_ASKPASS', '/bin/true']]) t.tmux(['set-environment', '-g', k!, v!]);
});

afterAll(async () => {
  // supervisors still finishing up (notify.log, tmux) must not race the workspace's removal
  await t?.cleanup();
});

// ---------------------------------------------------------------- helpers

/** Start a run in the test repository; extra args go before the prompt. */
function start(prompt: string, args: string[] = [], env?: Record<string, string>): Promise<string> {
  return t.start(['--project', repo, ...args], prompt, { env });
}

/** `agentctl wait ...` with its JSON lines parsed. */
async function wait(...args: string[]) {
  const r = await t.run(['wait', ...args]);
  let lines: any[] = [];
  try {
    lines = parseJsonLines(r.stdout);
  } catch {
    // left empty: the assertions on lines say what went wrong
  }
  return { ...r, lines, line: lines[0] };
}


/** Wait until the run's agent is running, and (with child-pid) its grandchild has started. */
async function running(id: string, childPidFile?: string): Promise<{ agent: number; child: number | null }> {
  const m = await waitFor(() => {
    const meta = t.meta(id);
    return meta.status === 'running' && meta.pids.agent ? meta : null;
  }, 15_000, `run ${id} running`);
  let child: number | null = null;
  if (childPidFile) child = Number(await waitFor(() => existsSync(childPidFile) && readFileSync(childPidFile, 'utf8').trim(), 15_000, 'child pid file'));
  return { agent: m.pids.agent, child };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true })
    .map((f) => join(dir, String(f)))
    .filter((f) => statSync(f).isFile());
}

const tmp = (name: string) => join(t.root, name);

/** A second workspace on the same tmux server, for tests that count or order runs. */
function workspaceAt(name: string) {
  const home = join(t.root, name);
  const env = { AI_ORCH_HOME: home };
  return {
    home,
    env,
    run: (args: string[], input?: string) => t.run(args, { input, env }),
    start: (prompt: string, args: string[] = []) => t.start(['--project', repo, ...args], prompt, { env }),
  };
}

// ---------------------------------------------------------------- start

describe.concurrent('start', () => {
  it('prints only the run id; --json prints a JSON object; the run directory holds the prompt and schema', async () => {
    const plain = await t.run(['start', '--project', repo], { input: 'list the files\n' });
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(RUN_ID); // the whole of stdout: one line, nothing else
    const id = plain.stdout.trim();
    const dir = join(t.home, 'runs', id);
    for (const f of ['meta.json', 'prompt.md', 'schema.json']) expect(existsSync(join(dir, f)), f).toBe(true);
    expect(readFileSync(join(dir, 'prompt.md'), 'utf8')).toBe('list the files\n');
    expect(JSON.parse(readFileSync(join(dir, 'schema.json'), 'utf8'))).toEqual(JSON.parse(readFileSync(join(t.home, 'schemas', 'result.schema.json'), 'utf8')));

    const json = await t.run(['start', '--project', repo, '--profile', 'claude', '--json'], { input: 'say hello\n' });
    expect(json.code, json.stderr).toBe(0);
    expect(json.stdout.trim().split('\n')).toHaveLength(1);
    const obj = JSON.parse(json.stdout);
    expect(obj).toMatchObject({ profile: 'claude', agent: 'claude', project_dir: repo, title: 'say hello' });
    expect(obj.run_id).toMatch(RUN_ID);
    expect(obj.run_id).not.toBe(id);
    expect(obj.pane).toMatch(/^%\d+$/);

    const w = await wait(id, obj.run_id);
    expect(w.code, w.stdout + w.stderr).toBe(0);
  });

  it('hands the prompt to codex, claude and gemini byte for byte (shell metacharacters, quotes, tabs, CJK, emoji)', async () => {
    const body = [
      'Fix `ls $(whoami)` && echo "$HOME" | tee \'$PATH\' ; rm -rf /nonexistent* > /dev/null 2>&1 &',
      '\tTabbed\tline with \\backslash\\n and %s %d %% and #{pane_id} and C-c Enter',
      'Unicode: 🚀🎉👩‍💻 漢字テスト 한국어 العربية ñ é — “quotes” ‘single’',
      'CRLF line\r',
      '  leading spaces; trailing spaces   ',
      '$((1+1)) ${HOME:-x} !! !$ ~ * ? [a-z] {a,b} <(true) \'"\'"\'',
    ].join('\n');
    const agents = [
      ['codex', ['--profile', 'spark']],
      ['claude', ['--profile', 'claude']],
      ['gemini', ['--profile', 'gemini']],
    ] as const;
    const runs = await Promise.all(
      agents.map(async ([agent, args]) => {
        const echo = tmp(`echo-${agent}.bin`);
        // the last line has no newline: the bytes must survive exactly, end included
        const prompt = `${body}\n@fake echo-prompt=${echo}\nno newline at the end ✓`;
        const id = await start(prompt, [...args]);
        return { agent, id, echo, prompt: Buffer.from(prompt, 'utf8') };
      }),
    );
    const w = await wait(...runs.map((r) => r.id));
    expect(w.code, w.stdout + w.stderr).toBe(0);
    for (const r of runs) {
      expect(readFileSync(join(t.home, 'runs', r.id, 'prompt.md')).equals(r.prompt), `${r.agent} prompt.md`).toBe(true);
      const got = readFileSync(r.echo);
      if (r.agent === 'gemini') {
        // gemini puts piped stdin (the prompt) before the -p text (the answer-format instruction)
        expect(got.subarray(0, r.prompt.length).equals(r.prompt), 'gemini prompt bytes').toBe(true);
        expect(got.subarray(r.prompt.length).toString()).toMatch(/^\n\n---\nWhen you are done, reply with ONLY a JSON object/);
      } else {
        expect(got.equals(r.prompt), `${r.agent} received prompt`).toBe(true);
      }
    }
  });
});

// ---------------------------------------------------------------- wait

describe('wait', () => {
  it('prints one compact JSON line and exits 0 when the goal is met, promptly after the run ends', async () => {
    const id = await start('Add a comment to README\n@fake sleep=1.5\n@fake summary=added the comment\n');
    const w = await wait(id);
    const returned = Date.now();
    expect(w.code, w.stderr).toBe(0);
    expect(w.stdout.trim().split('\n')).toHaveLength(1);
    expect(w.stdout).not.toMatch(/\n\s+"/); // compact, not pretty-printed
    expect(Object.keys(w.line).sort()).toEqual([...WAIT_KEYS].sort());
    expect(w.line).toMatchObject({ run_id: id, status: 'finished', outcome: 'goal_met', goal_met: true, summary: 'added the comment', exit_code: 0, escalated_to: null, parent_run_id: null });
    expect(w.line.duration_s).toBeGreaterThanOrEqual(1.5);
    const ended = Date.parse(t.meta(id).ended_at);
    expect(returned).toBeGreaterThanOrEqual(ended);
    // a bound that catches a wait that never notices, not a slow machine: how promptly it
    // returns (tens of ms, no lingering timer) is a speed target, measured by `npm run bench`
    expect(returned - ended, 'ms between the end of the run and wait returning').toBeLessThan(5000);
  });

  it.concurrent('exits 1 when the goal is not met, with the follow-up prompt', async () => {
    const id = await start('Try the migration\n@fake goal_met=false\n@fake followup=run the migration with --force\n');
    const w = await wait(id);
    expect(w.code).toBe(1);
    expect(w.line).toMatchObject({ run_id: id, outcome: 'goal_not_met', goal_met: false, followup_prompt: 'run the migration with --force', exit_code: 0 });
  });

  it.concurrent('exits 3 when the agent fails', async () => {
    const id = await start('Do the thing\n@fake exit=1\n');
    const w = await wait(id);
    expect(w.code).toBe(3);
    expect(w.line).toMatchObject({ run_id: id, status: 'finished', outcome: 'agent_error', goal_met: false, exit_code: 1 });
  });

  it.concurrent.each(['badjson', 'plain'])('exits 3 when codex answers with invalid output (@fake %s)', async (flag) => {
    const id = await start(`Summarise the repo\n@fake ${flag}\n`);
    const w = await wait(id);
    expect(w.code).toBe(3);
    expect(w.line).toMatchObject({ run_id: id, outcome: 'invalid_output', goal_met: false, exit_code: 0 });
    expect(w.line.summary).toMatch(/invalid output/);
    expect(existsSync(join(t.home, 'runs', id, 'answer.txt'))).toBe(true);
    expect(existsSync(join(t.home, 'runs', id, 'result.json'))).toBe(false);
  });

  it.concurrent('exits 5 when --timeout expires first, printing the run as still running', async () => {
    const id = await start('Wait forever\n@fake hang\n');
    await running(id);
    const before = Date.now();
    const w = await wait('--timeout', '0.5', id);
    expect(w.code).toBe(5);
    expect(Date.now() - before).toBeLessThan(10_000); // it gave up, rather than waiting for a hang
    expect(w.lines).toHaveLength(1);
    expect(w.line).toMatchObject({ run_id: id, status: 'running', outcome: null, goal_met: null });
    expect((await t.run(['cancel', id])).code).toBe(0);
  });

  it.concurrent('prints a line per run for `wait a b` (highest exit code wins); --any returns at the first end', async () => {
    const quick = await start('Quick one\n');
    const miss = await start('Misses its goal\n@fake goal_met=false\n@fake sleep=0.5\n');
    const both = await wait(quick, miss);
    expect(both.code).toBe(1);
    expect(both.lines.map((l) => l.run_id).sort()).toEqual([quick, miss].sort());
    expect(both.lines.find((l) => l.run_id === quick)).toMatchObject({ outcome: 'goal_met' });
    expect(both.lines.find((l) => l.run_id === miss)).toMatchObject({ outcome: 'goal_not_met' });

    const hang = await start('Never ends\n@fake hang\n');
    const soon = await start('Ends soon\n@fake sleep=1\n');
    const any = await wait('--any', hang, soon);
    expect(any.code, any.stderr).toBe(0);
    expect(any.lines).toHaveLength(1);
    expect(any.line).toMatchObject({ run_id: soon, outcome: 'goal_met' });
    expect(t.meta(hang).status).toBe('running');
    expect((await t.run(['cancel', hang])).code).toBe(0);
  });
});

// ---------------------------------------------------------------- show, list, ids

describe.concurrent('show, list and run ids', () => {
  it('show prints the full record with the parsed result and the file paths', async () => {
    const id = await start('Write a file\n@fake write=notes.txt:hello\\n\n@fake summary=wrote notes.txt\n');
    expect((await wait(id)).code).toBe(0);
    const r = await t.run(['show', id]);
    expect(r.code, r.stderr).toBe(0);
    const rec = JSON.parse(r.stdout);
    expect(rec).toMatchObject({ run_id: id, status: 'finished', outcome: 'goal_met', goal_met: true, agent: 'codex', profile: 'spark', project_dir: repo, summary: 'wrote notes.txt' });
    expect(rec.result).toEqual({ goal_met: true, summary: 'wrote notes.txt', followup_prompt: '', notes: '' });
    expect(rec.git_diff_stat).toMatch(/1 file changed/);
    expect(typeof rec.duration_s).toBe('number');
    for (const key of ['meta', 'prompt', 'schema', 'events', 'stderr', 'answer', 'result']) {
      expect(existsSync(rec.files[key]), `files.${key}`).toBe(true);
    }
    expect(readFileSync(rec.files.prompt, 'utf8')).toContain('Write a file');
  });

  it('list shows a table newest first, --json, and filters by --status, --project and --limit', async () => {
    // a workspace of its own so the order and counts are exactly this test's runs
    const { run } = workspaceAt('ws-list');
    expect((await run(['add-project', 'api', t.repo('api-repo')])).code).toBe(0);
    const unregistered = t.repo('elsewhere');
    const ids: string[] = [];
    for (const [project, prompt] of [[repo, 'first run\n'], ['api', 'second run\n@fake goal_met=false\n'], ['api', 'third run\n'], [unregistered, 'fourth run\n']]) {
      const r = await run(['start', '--project', project!], prompt);
      expect(r.code, r.stderr).toBe(0);
      ids.push(r.stdout.trim());
    }
    const w = await run(['wait', ...ids]);
    expect(w.code).toBe(1);
    const newestFirst = [...ids].reverse();

    const table = await run(['list']);
    expect(table.code).toBe(0);
    const rows = table.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^RUN ID\s+STATE\s+AGE\s+TIME\s+PROFILE\s+PROJECT\s+TITLE$/);
    expect(rows.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(newestFirst);
    expect(rows.find((l) => l.startsWith(ids[1]!))).toMatch(/goal_not_met.*spark\s+api\s+second run$/);
    expect(rows.find((l) => l.startsWith(ids[0]!))).toMatch(/goal_met\s.*first run$/);

    const json = JSON.parse((await run(['list', '--json'])).stdout);
    expect(json.map((r: any) => r.run_id)).toEqual(newestFirst);
    expect(json[0]).toMatchObject({ run_id: ids[3], status: 'finished', outcome: 'goal_met', goal_met: true, title: 'fourth run', agent: 'codex' });

    const ids_ = (out: string) => JSON.parse(out).map((r: any) => r.run_id);
    expect(ids_((await run(['list', '--json', '--status', 'goal_not_met'])).stdout)).toEqual([ids[1]]);
    expect(ids_((await run(['list', '--json', '--status', 'finished'])).stdout)).toEqual(newestFirst);
    expect(ids_((await run(['list', '--json', '--project', 'api'])).stdout)).toEqual([ids[2], ids[1]]);
    expect(ids_((await run(['list', '--json', '--limit', '2'])).stdout)).toEqual(newestFirst.slice(0, 2));
    const limited = await run(['list', '-n', '1']);
    expect(limited.stdout.trim().split('\n')).toHaveLength(2);
    expect((await run(['list', '--status', 'cancelled'])).stdout).toMatch(/no runs match/);
  });

  it('accepts a unique prefix or suffix of a run id and refuses an ambiguous one', async () => {
    const { run } = workspaceAt('ws-ids');
    for (const id of ['alpha-1111', 'alpha-2222', 'beta-3333']) {
      const r = await run(['start', '--project', repo, '--run-id', id], `run ${id}\n`);
      expect(r.stdout.trim()).toBe(id);
    }
    const generated = (await run(['start', '--project', repo], 'generated id\n')).stdout.trim();
    expect((await run(['wait', 'alpha-1111', 'alpha-2222', 'beta-3333', generated])).code).toBe(0);

    const showId = async (q: string) => JSON.parse((await run(['show', q])).stdout).run_id;
    expect(await showId('beta')).toBe('beta-3333');
    expect(await showId('2222')).toBe('alpha-2222');
    expect(await showId(generated.slice(-4))).toBe(generated);
    expect(await showId(generated.slice(0, 17))).toBe(generated);
    const w = await run(['wait', 'beta']);
    expect(w.code).toBe(0);
    expect(JSON.parse(w.stdout).run_id).toBe('beta-3333');

    const amb = await run(['show', 'alpha']);
    expect(amb.code).toBe(2);
    expect(amb.stdout).toBe('');
    expect(amb.stderr).toMatch(/"alpha" matches 2 runs \(alpha-1111, alpha-2222\)/);
    const none = await run(['show', 'zzzz9']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no run matches "zzzz9"/);
  });
});

// ---------------------------------------------------------------- timeout and cancel

describe('timeout and cancel', () => {
  it.concurrent('--timeout 1s stops a hanging agent that ignores SIGTERM: timed_out, exit 4, whole tree killed', async () => {
    const pidFile = tmp('timeout-child.pid');
    const id = await start(`Hang and ignore SIGTERM\n@fake hang\n@fake ignore-sigterm\n@fake child-pid=${pidFile}\n`, ['--timeout', '1s']);
    const { agent, child } = await running(id, pidFile);
    expect(processGone(agent)).toBe(false);
    const w = await wait(id);
    expect(w.code).toBe(4);
    expect(w.line).toMatchObject({ run_id: id, status: 'finished', outcome: 'timed_out', goal_met: false });
    expect(w.line.error).toMatch(/timed out after 1s/);
    expect(w.line.duration_s).toBeGreaterThanOrEqual(1);
    expect(w.line.duration_s).toBeLessThan(20); // 1 s, then 3 s of grace before SIGKILL: not a hang
    await waitFor(() => processGone(agent) && processGone(child!), 10_000, 'agent and grandchild gone');
    expect(t.meta(id).signal).toBe('SIGKILL');
  });

  it.concurrent('cancel stops a running run and its process tree and prints the compact JSON', async () => {
    const pidFile = tmp('cancel-child.pid');
    const id = await start(`Long task\n@fake hang\n@fake child-pid=${pidFile}\n`);
    const { agent, child } = await running(id, pidFile);
    const c = await t.run(['cancel', id.slice(-4)]);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout.trim().split('\n')).toHaveLength(1);
    const line = JSON.parse(c.stdout);
    expect(Object.keys(line)).toEqual(expect.arrayContaining(WAIT_KEYS));
    expect(line).toMatchObject({ run_id: id, status: 'finished', outcome: 'cancelled', goal_met: false });
    await waitFor(() => processGone(agent) && processGone(child!), 5000, 'agent and grandchild gone');
    const w = await wait(id);
    expect(w.code).toBe(4);
    expect(w.line.outcome).toBe('cancelled');
    const notes = parseJsonLines(readFileSync(join(t.home, 'notify.log'), 'utf8')).filter((n) => n.run_id === id);
    expect(notes.map((n) => n.event)).toEqual(expect.arrayContaining(['start', 'finish', 'cancel']));

    const again = await t.run(['cancel', id]);
    expect(again.code).not.toBe(0);
    expect(again.stdout).toBe('');
    expect(again.stderr).toMatch(/already ended \(cancelled\)/);
  });

  it.concurrent('cancel of a finished run is a clear error', async () => {
    const id = await start('Finish quickly\n');
    expect((await wait(id)).code).toBe(0);
    const c = await t.run(['cancel', id]);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(new RegExp(`^agentctl: run ${id} already ended \\(goal_met\\): nothing to cancel$`));
    expect(t.meta(id).outcome).toBe('goal_met');
  });
});

// ---------------------------------------------------------------- logs and tail

describe.concurrent('logs and tail', () => {
  it('logs renders the events readably; logs -f follows until the run ends', async () => {
    const id = await start('Make a change\n@fake write=src/a.txt:x\n@fake summary=changed src/a.txt\n');
    expect((await wait(id)).code).toBe(0);
    const logs = await t.run(['logs', id]);
    expect(logs.code).toBe(0);
    const lines = logs.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThan(3);
    expect(lines.every((l) => !l.startsWith('{'))).toBe(true);
    expect(logs.stdout).toMatch(/^session\s+\S/m);
    expect(logs.stdout).toMatch(/^command\s+.*ls/m);
    expect(logs.stdout).toMatch(/^file\s+.*src\/a\.txt/m);
    expect(lines.at(-1)).toBe('-- goal_met · exit 0 · changed src/a.txt');
    // the agent's stderr (codex's "Reading prompt from stdin...") is shown before the outcome
    expect(logs.stdout).toMatch(/^-- stderr\n(.*\n)*.*Reading prompt from stdin/m);
    const raw = await t.run(['logs', '--raw', id]);
    expect(JSON.parse(raw.stdout.split('\n')[0]!).type).toBe('thread.started');

    const live = await start('Slow work\n@fake sleep=2\n@fake summary=slow work done\n');
    await running(live);
    const f = await t.run(['logs', '-f', live]);
    const returned = Date.now();
    expect(f.code).toBe(0);
    expect(f.stdout).toMatch(/^session\s/m);
    expect(f.stdout.trim().split('\n').at(-1)).toBe('-- goal_met · exit 0 · slow work done');
    // it stopped following when the run ended: a bound that catches a hang, not a slow machine
    expect(returned - Date.parse(t.meta(live).ended_at)).toBeLessThan(5000);
  });

  it('tail --no-follow -n N prints N readable lines; --json prints raw lines; tail follows new finishes', async () => {
    const ws = workspaceAt('ws-tail'); // its own notify.log: no other test's lines in between
    const first = await ws.start('Tail me\n');
    expect((await ws.run(['wait', first])).code).toBe(0);
    const second = await ws.start('Tail me too\n@fake goal_met=false\n');
    expect((await ws.run(['wait', second])).code).toBe(1);

    const three = await ws.run(['tail', '--no-follow', '-n', '3']);
    expect(three.code).toBe(0);
    const lines = three.stdout.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d  finish    ${first}  goal_met  "Tail me"  exit=0  — codex turn 1: Tail me$`));
    expect(lines[1]).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d  start     ${second}  spark  "Tail me too"$`));
    expect(lines[2]).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d  finish    ${second}  goal_not_met  "Tail me too"  exit=0  — codex turn 1: Tail me too$`));

    const json = await ws.run(['tail', '--no-follow', '--json', '-n', '2']);
    const raw = parseJsonLines(json.stdout);
    expect(raw).toHaveLength(2);
    expect(raw[0]).toMatchObject({ event: 'start', run_id: second, status: 'pending' });
    expect(raw[1]).toMatchObject({ event: 'finish', run_id: second, outcome: 'goal_not_met', goal_met: false, exit_code: 0 });

    const follower = execa(process.execPath, [CLI, 'tail', '-n', '0'], { env: { ...t.env, ...ws.env, AGENTCTL_TRACE: '1' }, extendEnv: false, cwd: t.root, reject: false });
    const following = traced(follower, 'following');
    let out = '';
    follower.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    try {
      await following;
      expect(out).toBe(''); // -n 0: no earlier lines
      const id = await ws.start('Followed run\n@fake sleep=0.5\n@fake summary=seen by tail\n');
      await waitFor(() => out.includes(`finish    ${id}`), 15_000, 'tail to print the finish line');
      expect(out).toMatch(new RegExp(`start\\s+${id}  spark  "Followed run"`));
      expect(out).toMatch(new RegExp(`finish\\s+${id}  goal_met  "Followed run"  exit=0  — seen by tail`));
      expect(follower.exitCode).toBeNull(); // still following
    } finally {
      follower.kill('SIGTERM');
      await follower;
    }
  });
});

describe('environment', () => {
  it('a variable set only in the caller of start reaches the agent, and nowhere else', async () => {
    // the tmux server was started in beforeAll, with an environment that has no SECRET_TOKEN
    expect(t.tmux(['show-environment', '-g'])).not.toContain('SECRET_TOKEN');
    const secret = `s3cr3t-${createHash('sha1').update(String(Math.random())).digest('hex').slice(0, 16)}`;
    const hash = createHash('sha256').update(secret).digest('hex');

    // 1. the fake agent reports the variable in its summary
    const reported = await start('Report the token\n@fake env=SECRET_TOKEN\n', [], { SECRET_TOKEN: secret });
    const w1 = await wait(reported);
    expect(w1.code).toBe(0);
    expect(w1.line.summary).toContain(`env:SECRET_TOKEN=${secret}`);

    // 2. a run that checks the variable without printing it: it must not show up anywhere
    writeConfig(t, { keep_pane_on_success: true }); // keep the worker pane to read its scrollback
    // it runs until the test has looked at it, then checks the variable
    const gate = tmp('token-check-gate');
    const script = `while [ ! -e '${gate}' ]; do sleep 0.05; done; printf %s "$SECRET_TOKEN" | sha256sum | grep -q ${hash}`;
    const quiet = await t.start(['--project', repo, '--agent', 'shell', '--title', 'check token', '--', 'sh', '-c', script], undefined, { env: { SECRET_TOKEN: secret } });
    const { agent } = await running(quiet); // its supervisor has read the config by now
    writeConfig(t, { keep_pane_on_success: false });
    const dir = join(t.home, 'runs', quiet);
    expect(existsSync(join(dir, 'env.json')), 'env.json is deleted once read').toBe(false);
    const ps = String(execaSync('ps', ['-eo', 'args']).stdout);
    expect(ps).toContain(hash); // the check is really running
    expect(ps).not.toContain(secret);
    expect(t.tmux(['show-environment', '-g'])).not.toContain(secret);
    const m = t.meta(quiet);
    expect(readFileSync(`/proc/${m.pids.supervisor}/environ`, 'utf8')).not.toContain(secret);
    expect(readFileSync(`/proc/${agent}/environ`, 'utf8')).toContain(`SECRET_TOKEN=${secret}`);

    writeFileSync(gate, '');
    const w2 = await wait(quiet);
    expect(w2.code, w2.stdout).toBe(0);
    expect(w2.line.goal_met).toBe(true);
    for (const f of filesUnder(dir)) expect(readFileSync(f, 'utf8'), f).not.toContain(secret);
    expect(existsSync(join(dir, 'env.json'))).toBe(false);
    const pane = m.tmux.pane as string;
    await waitFor(() => t.tmux(['display-message', '-p', '-t', pane, '#{pane_dead}']).trim() === '1', 5000, 'worker pane kept');
    const scrollback = t.tmux(['capture-pane', '-p', '-J', '-S', '-', '-t', pane]);
    expect(scrollback).toContain('check token'); // it is the worker's pane
    expect(scrollback).not.toContain(secret);
    t.tmux(['kill-pane', '-t', pane]);
  });
});
