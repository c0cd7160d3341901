// Codex profiles as codex 0.134 and later read them: `-p NAME` fails before any event while
// config.toml still holds a legacy [profiles.NAME] table, and an agentctl profile that sets
// model, reasoning_effort and sandbox itself needs no codex profile at all.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEnv, parseJsonLines, type TestEnv, writeConfig } from '../helpers/harness.js';

let t: TestEnv;
let repo: string;
let codexHome: string;

/** What the old install.sh appended to config.toml, still on many machines. */
const LEGACY = '[profiles.spark]\nmodel = "gpt-5.1-codex-mini"\nmodel_reasoning_effort = "low"\n';

beforeAll(async () => {
  t = await makeEnv();
  repo = t.repo();
  const init = await t.run(['init']);
  expect(init.code, init.stderr).toBe(0);
  codexHome = t.env.CODEX_HOME!;
  mkdirSync(codexHome, { recursive: true });
  writeFileSync(join(codexHome, 'config.toml'), `model = "gpt-5.5"\n\n${LEGACY}`);
  writeConfig(t, {
    profiles: {
      direct: { agent: 'codex', model: 'gpt-5.5', reasoning_effort: 'high', sandbox: 'workspace-write', description: 'no codex profile file' },
    },
  });
});

afterAll(async () => {
  await t?.cleanup();
});

async function runToEnd(profile: string, prompt: string) {
  const id = await t.start(['--project', repo, '--profile', profile], prompt);
  const wait = await t.run(['wait', id]);
  const show = await t.run(['show', id]);
  return { id, code: wait.code, line: parseJsonLines(wait.stdout)[0], record: JSON.parse(show.stdout) };
}

describe('codex profiles', () => {
  it('a codex_profile whose legacy table is still in config.toml ends agent_error, with codex\'s words in show and logs', async () => {
    const r = await runToEnd('spark', 'Fix the parser\n');
    const message = `Error loading config.toml: --profile \`spark\` cannot be used while ${codexHome}/config.toml contains legacy \`profile = "spark"\``
      + ` or \`[profiles.spark]\` config; move those settings into ${codexHome}/spark.config.toml and remove the legacy profile selector/table.`;
    expect(r.code).toBe(3);
    expect(r.line).toMatchObject({ outcome: 'agent_error', goal_met: false, exit_code: 1 });
    expect(r.record.errors).toContainEqual(expect.stringContaining(`codex exited with code 1: ${message}`));
    expect(r.record.thread_id).toBeNull();
    const logs = await t.run(['logs', r.id]);
    expect(logs.stdout).toContain(message);
  });

  it('a profile that sets model, reasoning_effort and sandbox runs on the same config.toml, with -m, -c and -s and no -p', async () => {
    const argvFile = join(t.root, 'direct.argv.json');
    const r = await runToEnd('direct', `Fix the parser\n@fake argv=${argvFile}\n@fake summary=fixed\n`);
    expect(r.code).toBe(0);
    expect(r.line).toMatchObject({ outcome: 'goal_met', goal_met: true, summary: 'fixed', exit_code: 0 });
    const argv: string[] = JSON.parse(readFileSync(argvFile, 'utf8'));
    expect(argv).not.toContain('-p');
    const settings = argv.indexOf('-m');
    expect(argv.slice(settings, settings + 6)).toEqual(['-m', 'gpt-5.5', '-c', 'model_reasoning_effort="high"', '-s', 'workspace-write']);
    expect(argv.at(-1)).toBe('-');
    expect(r.record).toMatchObject({ profile: 'direct', model: 'gpt-5.5' });
  });

  it('the built-in spark runs once its settings live in $CODEX_HOME/spark.config.toml', async () => {
    const other = join(t.root, 'codex-home-migrated');
    mkdirSync(other);
    writeFileSync(join(other, 'config.toml'), 'model = "gpt-5.5"\n');
    writeFileSync(join(other, 'spark.config.toml'), LEGACY.replace('[profiles.spark]\n', ''));
    const argvFile = join(t.root, 'spark.argv.json');
    const id = await t.start(['--project', repo, '--profile', 'spark'], `Fix it\n@fake argv=${argvFile}\n`, { env: { CODEX_HOME: other } });
    expect((await t.run(['wait', id])).code).toBe(0);
    const argv: string[] = JSON.parse(readFileSync(argvFile, 'utf8'));
    expect(argv.slice(argv.indexOf('-p'), argv.indexOf('-p') + 2)).toEqual(['-p', 'spark']);
  });

  it('config.json refuses a reasoning_effort codex does not know', async () => {
    const home = join(t.root, 'ws-bad-effort');
    const env = { AI_ORCH_HOME: home };
    expect((await t.run(['init'], { env })).code).toBe(0);
    const config = JSON.parse(readFileSync(join(home, 'config.json'), 'utf8'));
    config.profiles = { fast: { agent: 'codex', reasoning_effort: 'max' } };
    writeFileSync(join(home, 'config.json'), JSON.stringify(config));
    const r = await t.run(['start', '--project', repo, '--profile', 'fast'], { input: 'x\n', env });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('profiles.fast.reasoning_effort');
    expect(r.stderr).toMatch(/"none".*"xhigh"/);
  });
});
