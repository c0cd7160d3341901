// Rules the current agent CLIs enforce, as the adapters and the fakes follow them: codex 0.134+
// refuses legacy profiles in config.toml (so an agentctl profile can set model, reasoning effort
// and sandbox itself), and gemini parses its arguments like yargs. The wording is the real CLIs'
// (codex-cli 0.171.0, Gemini CLI 0.61.0; see docs/agent-clis.md).
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { codex } from '../../src/agents/codex.js';
import { gemini, geminiInstruction } from '../../src/agents/gemini.js';
import { getAdapter } from '../../src/agents/index.js';
import type { AgentName, AgentState, FinishInput, InvocationContext } from '../../src/agents/types.js';
import type { AdapterDefinition } from '../../src/agents/define.js';
import { ProfileSchema } from '../../src/core/workspace/config.js';

const FAKES = fileURLToPath(new URL('../fakes', import.meta.url));
const USAGE = fs.readFileSync(path.join(FAKES, 'lib', 'gemini-usage.txt'), 'utf8');
const SCHEMA = { type: 'object', additionalProperties: false, required: ['a'], properties: { a: { type: 'string' } } };
const SLOW = { timeout: 30_000 };

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) fs.rmSync(root, { recursive: true, force: true });
});

function sandbox() {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'agentctl-rules-')));
  roots.push(root);
  const home = path.join(root, 'home');
  const codexHome = path.join(home, '.codex');
  const project = path.join(root, 'project');
  const runDir = path.join(root, 'run');
  for (const dir of [codexHome, project, runDir]) fs.mkdirSync(dir, { recursive: true });
  execFileSync('git', ['init', '-q'], { cwd: project });
  fs.writeFileSync(path.join(runDir, 'schema.json'), JSON.stringify(SCHEMA));
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, CODEX_HOME: codexHome };
  return { root, codexHome, project, runDir, env, config: (toml: string) => fs.writeFileSync(path.join(codexHome, 'config.toml'), toml) };
}
type Sandbox = ReturnType<typeof sandbox>;

function ctxFor(sb: Pick<Sandbox, 'project' | 'runDir'>, over: Partial<InvocationContext> = {}): InvocationContext {
  return { prompt: 'task\n', cwd: sb.project, runDir: sb.runDir, schema: SCHEMA, schemaPath: path.join(sb.runDir, 'schema.json'), profile: {}, isGitRepo: true, ...over };
}

interface Proc { exitCode: number | null; stdout: string; stderr: string }

function run(file: string, args: string[], sb: Sandbox, stdin: string | null, env: Record<string, string> = {}): Promise<Proc> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: sb.project, env: { ...sb.env, ...env }, stdio: [stdin === null ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (exitCode) => resolve({ exitCode, stdout, stderr }));
    if (stdin !== null) child.stdin!.end(stdin);
  });
}

/** What the supervisor does with a run, the fake standing in for the binary. */
async function runAdapter(name: AgentName, sb: Sandbox, over: Partial<InvocationContext>, env: Record<string, string> = {}) {
  const adapter = getAdapter(name);
  const inv = adapter.buildInvocation(ctxFor(sb, over));
  const proc = await run(path.join(FAKES, inv.file), inv.args, sb, inv.stdin, { ...inv.env, ...env });
  const reader = adapter.newReader();
  for (const line of proc.stdout.split('\n')) if (line) reader.onLine(line);
  const outputFileText = inv.outputFile && fs.existsSync(inv.outputFile) ? fs.readFileSync(inv.outputFile, 'utf8') : null;
  return { inv, proc, answer: reader.finish({ invocation: inv, exitCode: proc.exitCode, signal: null, outputFileText, stderrTail: proc.stderr, stdoutTail: proc.stdout }) };
}

function finishWith<S extends AgentState>(def: AdapterDefinition<S>, input: Partial<FinishInput>) {
  const input0: FinishInput = { invocation: { file: def.binary, args: [], stdin: null }, exitCode: 1, signal: null, outputFileText: null, stderrTail: '', stdoutTail: '' };
  return def.finish(def.newState(), { ...input0, ...input });
}

const legacyMessage = (codexHome: string, name: string) =>
  `Error loading config.toml: --profile \`${name}\` cannot be used while ${codexHome}/config.toml contains legacy `
  + `\`profile = "${name}"\` or \`[profiles.${name}]\` config; move those settings into ${codexHome}/${name}.config.toml `
  + 'and remove the legacy profile selector/table. See https://developers.openai.com/codex/config-advanced#profiles for more information.';
const BACKTRACE = `\nStack backtrace:\n${Array.from({ length: 8 }, (_, i) => `${String(i).padStart(4)}: <unknown>`).join('\n')}\n`;

describe('codex: a profile sets model, reasoning effort and sandbox without a codex profile file', () => {
  const sb = { project: '/p', runDir: '/r' };

  it('turns them into -m, -c model_reasoning_effort="..." and -s, all before `resume`, and no -p', () => {
    const profile = { reasoning_effort: 'xhigh', sandbox: 'workspace-write' } as const;
    const fresh = getAdapter('codex').buildInvocation(ctxFor(sb, { model: 'gpt-5.5', profile }));
    expect(fresh.args).toEqual([
      'exec', '--json', '--output-schema', '/r/schema.json', '-o', '/r/answer.codex.txt', '-C', '/p',
      '-m', 'gpt-5.5', '-c', 'model_reasoning_effort="xhigh"', '-s', 'workspace-write', '-',
    ]);
    expect(fresh.stdin).toBe('task\n');
    const resumed = getAdapter('codex').buildInvocation(ctxFor(sb, { model: 'gpt-5.5', profile, resumeSessionId: 'T1' }));
    expect(resumed.args.slice(-9)).toEqual(['-m', 'gpt-5.5', '-c', 'model_reasoning_effort="xhigh"', '-s', 'workspace-write', 'resume', 'T1', '-']);
  });

  it('keeps -p for codex_profile, before the per-run settings that override its file', () => {
    const args = getAdapter('codex').buildInvocation(ctxFor(sb, { profile: { codex_profile: 'deep', reasoning_effort: 'low' } })).args;
    expect(args.slice(args.indexOf('-p'), -1)).toEqual(['-p', 'deep', '-c', 'model_reasoning_effort="low"']);
  });

  it('config.json takes reasoning_effort none..xhigh and nothing else', () => {
    for (const effort of ['none', 'minimal', 'low', 'medium', 'high', 'xhigh']) {
      expect(ProfileSchema.parse({ agent: 'codex', reasoning_effort: effort }).reasoning_effort).toBe(effort);
    }
    const bad = ProfileSchema.safeParse({ agent: 'codex', reasoning_effort: 'max' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['reasoning_effort']);
  });
});

describe('codex: the reason a run failed before its first event', () => {
  const home = '/home/u/.codex';

  it('is codex\'s error line, not the warning before it nor the backtrace after it', () => {
    const warning = 'WARNING: proceeding, even though we could not create PATH aliases: Refusing to create helper binaries under temporary dir "/tmp/x" (codex_home: AbsolutePathBuf("/tmp/x/.codex"))';
    const legacy = finishWith(codex, { stderrTail: `${warning}\n${legacyMessage(home, 'spark')}\n` });
    expect(legacy.agentError).toBe(`codex exited with code 1: ${legacyMessage(home, 'spark')}`);
    const selector = 'Error: legacy `profile = "deep"` config is no longer supported; use `--profile deep` with `deep.config.toml` instead';
    expect(finishWith(codex, { stderrTail: `${selector}\n${BACKTRACE}` }).agentError).toBe(`codex exited with code 1: ${selector}`);
    const clap = "error: invalid value 'a b' for '--profile <CONFIG_PROFILE_V2>': invalid --profile value `a b`; pass a plain name such as `work`";
    expect(finishWith(codex, { exitCode: 2, stderrTail: `${clap}\n\nFor more information, try '--help'.\n` }).agentError).toBe(`codex exited with code 2: ${clap}`);
  });
});

describe('fake codex: legacy profiles in config.toml', SLOW, () => {
  const exec = (sb: Sandbox, ...flags: string[]) => run(path.join(FAKES, 'codex'), ['exec', '--json', ...flags, '-'], sb, 'hi');

  it.each([
    ['[profiles.spark]\nmodel = "gpt-5.5"\n'],
    ['[profiles."spark"]\n'],
    ["  [ profiles . 'spark' ]\n"],
    ['[profiles.spark.features]\nx = 1\n'],
    ['[[profiles.spark.list]]\na = 1\n'],
    ['[profiles]\nspark = { model = "gpt-5.5" }\n'],
    ['profiles.spark.model = "gpt-5.5"\n'],
    ['profile = "spark"\n'],
    ['profile = "deep"\n[profiles.spark]\n'],
  ])('-p spark with %j: exit 1 before any event, with codex\'s message', async (toml) => {
    const sb = sandbox();
    sb.config(`model = "gpt-5.5"\n${toml}`);
    const r = await exec(sb, '-p', 'spark');
    expect(r).toEqual({ exitCode: 1, stdout: '', stderr: `${legacyMessage(sb.codexHome, 'spark')}\n` });
  });

  it('a legacy table of another profile, a missing profile file or a table inside a string is no error', async () => {
    for (const toml of ['[profiles.deep]\nmodel = "x"\n', '[profiles.other]\nspark = { model = "x" }\n', 'notes = """\n[profiles.spark]\n"""\n', '']) {
      const sb = sandbox();
      sb.config(toml);
      const r = await exec(sb, '-p', 'spark');
      expect([r.exitCode, r.stderr]).toEqual([0, 'Reading prompt from stdin...\n']);
      expect(JSON.parse(r.stdout.split('\n')[0]!)).toMatchObject({ type: 'thread.started' });
    }
  });

  it('a top-level profile naming another profile is refused with or without -p; a bad -p name is exit 2', async () => {
    const sb = sandbox();
    sb.config('profile = "deep"\n');
    const selector = 'Error: legacy `profile = "deep"` config is no longer supported; use `--profile deep` with `deep.config.toml` instead';
    for (const flags of [[], ['-p', 'spark']]) expect(await exec(sb, ...flags)).toEqual({ exitCode: 1, stdout: '', stderr: `${selector}\n${BACKTRACE}` });
    sb.config('');
    const badName = await exec(sb, '-p', 'a.b');
    expect([badName.exitCode, badName.stdout]).toEqual([2, '']);
    expect(badName.stderr).toMatch(/^error: invalid value 'a\.b' for '--profile <CONFIG_PROFILE_V2>'/);
  });

  it('reports the version the golden files were recorded with', async () => {
    const golden = JSON.parse(fs.readFileSync(fileURLToPath(new URL('../golden/codex/answer.meta.json', import.meta.url)), 'utf8'));
    expect((await run(path.join(FAKES, 'codex'), ['--version'], sandbox(), null)).stdout).toBe(`${golden.version}\n`);
  });

  it('through the adapter: a codex_profile with a legacy table is an agent error with codex\'s words', async () => {
    const sb = sandbox();
    sb.config('[profiles.spark]\nmodel = "gpt-5.5"\n');
    const failed = await runAdapter('codex', sb, { profile: { codex_profile: 'spark' } });
    expect(failed.answer.agentError).toBe(`codex exited with code 1: ${legacyMessage(sb.codexHome, 'spark')}`);
    const direct = await runAdapter('codex', sb, { model: 'gpt-5.5', profile: { reasoning_effort: 'low', sandbox: 'read-only' }, prompt: 'task\n@fake summary=done' });
    expect(direct.answer.agentError).toBeUndefined();
    expect(direct.answer.value).toMatchObject({ goal_met: true, summary: 'done' });
  });
});

describe('fake gemini: arguments as yargs parses them', SLOW, () => {
  const env = { GEMINI_CLI_TRUST_WORKSPACE: 'true' };
  const fake = (sb: Sandbox, args: string[], stdin: string | null = null) => run(path.join(FAKES, 'gemini'), args, sb, stdin, env);

  it.each([
    [['-p', '---x', '-o', 'stream-json'], 'Not enough arguments following: p'],
    [['--prompt', '-x'], 'Not enough arguments following: prompt'],
    [['-p', 'hi', '--model'], 'Not enough arguments following: model'],
    [['--bogus', '-p'], 'Not enough arguments following: p'],
    [['-pHello', '-x'], 'Not enough arguments following: o'],
    [['-p', 'hi', '-x'], 'Unknown argument: x'],
    [['--bogus', 'value', '-p', 'hi'], 'Unknown argument: bogus'],
    [['--bogus', '--other', '-p', 'hi'], 'Unknown arguments: bogus, other'],
    [['-o', 'bogus', '--bogus', '-p', 'hi'], 'Unknown argument: bogus'],
    [['-p', '-5', '-x'], 'Unknown argument: x'],
    [['-o', 'bogus', '-p', 'hi', 'extra'], 'Invalid values:\n  Argument: output-format, Given: "bogus", Choices: "text", "json", "stream-json"'],
    [['-p', 'hi', '--approval-mode=yes'], 'Invalid values:\n  Argument: approval-mode, Given: "yes", Choices: "default", "auto_edit", "yolo", "plan"'],
    [['-p', 'hi', 'extra'], 'Cannot use both a positional prompt and the --prompt (-p) flag together'],
  ])('%j: exit 1, the error, then the usage text', async (args, message) => {
    expect(await fake(sandbox(), args)).toEqual({ exitCode: 1, stdout: '', stderr: `${message}\n${USAGE}` });
  });

  it('joined values (--prompt=, -p=), grouped flags and --version win over everything else', async () => {
    const sb = sandbox();
    const echo = path.join(sb.runDir, 'echo.txt');
    for (const flag of ['--prompt=---\nrules', '-p=---\nrules']) {
      const r = await fake(sb, [flag, '-yd', '-o', 'stream-json'], `the task\n@fake echo-prompt=${echo}`);
      expect(r.exitCode).toBe(0);
      expect(fs.readFileSync(echo, 'utf8')).toBe(`the task\n@fake echo-prompt=${echo}\n\n---\nrules`);
    }
    expect(await fake(sb, ['-p', '-x', '--bogus', '--version'])).toEqual({ exitCode: 0, stdout: '0.61.0\n', stderr: '' });
    expect(await fake(sb, ['-h'])).toEqual({ exitCode: 0, stdout: USAGE, stderr: '' });
  });

  it('through the adapter: a rejected argument is the reason, not the usage text after it', async () => {
    const sb = sandbox();
    const r = await runAdapter('gemini', sb, { profile: { extra_args: ['--sandbox-image', 'x'] } });
    expect(r.inv.args[0]).toBe(`--prompt=${geminiInstruction(SCHEMA)}`);
    expect(r.answer.agentError).toBe('gemini exited with code 1: Unknown argument: sandbox-image');
    const starved = finishWith(gemini, { stderrTail: `Not enough arguments following: p\n${USAGE}` });
    expect(starved.agentError).toBe('gemini exited with code 1: Not enough arguments following: p');
  });
});
