// The adapters against the REAL agent CLIs, end to end: `agentctl start` + `wait` with codex,
// claude and gemini from $AGENTCTL_REAL_CLIS (a bin directory; `bash .ci/run` installs the pinned
// versions and sets it), each talking only to the scripted model server on 127.0.0.1
// (test/helpers/model-server.mjs; setup as in docs/agent-clis.md, "Running the real CLIs
// offline"). The proxy variables point at that server too, so nothing reaches beyond loopback.
// Without the variable, or without one binary, those tests are skipped and say why.
import { accessSync, constants, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { geminiInstruction } from '../../src/agents/gemini.js';
import { makeEnv, parseJsonLines, ROOT, type TestEnv, writeConfig } from '../helpers/harness.js';
import { type ModelServer, offlineCodexConfig, startModelServer } from '../helpers/model-server.mjs';

const AGENTS = ['codex', 'claude', 'gemini'] as const;
type Agent = (typeof AGENTS)[number];
const PACKAGES: Record<Agent, string> = { codex: '@openai/codex', claude: '@anthropic-ai/claude-code', gemini: '@google/gemini-cli' };

const REAL = process.env.AGENTCTL_REAL_CLIS;
function whyMissing(agent: Agent): string | undefined {
  if (!REAL) return 'AGENTCTL_REAL_CLIS is not set (bash .ci/run installs the real CLIs and sets it)';
  try {
    accessSync(join(REAL, agent), constants.X_OK);
    return undefined;
  } catch {
    return `no ${agent} in AGENTCTL_REAL_CLIS=${REAL}`;
  }
}
const skipped = AGENTS.filter((a) => whyMissing(a));
if (skipped.length) console.warn(`real-CLI tests skipped: ${REAL ? skipped.map(whyMissing).join('; ') : whyMissing('codex')}`);
/** `it`, or a skip whose title says why. */
const realIt = (agent: Agent, title: string, fn: () => Promise<void>) => {
  const why = whyMissing(agent);
  return why ? it.skip(`${title} (skipped: ${why})`, fn) : it(title, fn, 60_000);
};

const ANSWER = { goal_met: true, summary: 'The project holds README.md only.', followup_prompt: '', notes: 'answered by the scripted model' };
const PROMPT = 'List the files of the project and report what you found.\n';

let t: TestEnv;
let repo: string;
let server: ModelServer;
/** The environment of the `agentctl start` caller: the worker inherits exactly this. */
let callerEnv: Record<string, string | undefined>;

beforeAll(async () => {
  if (skipped.length === AGENTS.length) return;
  t = await makeEnv();
  repo = t.repo();
  expect((await t.run(['init'])).code).toBe(0);
  server = await startModelServer();
  const tmp = t.dir('tmp');
  const codexHome = t.env.CODEX_HOME!;
  mkdirSync(codexHome, { recursive: true });
  writeFileSync(join(codexHome, 'config.toml'), offlineCodexConfig(server.url));
  mkdirSync(join(t.userHome, '.gemini'));
  writeFileSync(join(t.userHome, '.gemini', 'settings.json'), JSON.stringify({
    security: { auth: { selectedType: 'gemini-api-key' } },
    general: { maxAttempts: 1 },
    privacy: { usageStatisticsEnabled: false },
    telemetry: { enabled: false },
  }));
  callerEnv = {
    PATH: `${REAL}:${process.env.PATH}`,
    TMPDIR: tmp,
    HTTPS_PROXY: server.url, HTTP_PROXY: server.url, https_proxy: server.url, http_proxy: server.url,
    NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost', ALL_PROXY: undefined, all_proxy: undefined,
    SCRIPTED_API_KEY: 'sk-scripted',
    ANTHROPIC_BASE_URL: server.url, ANTHROPIC_API_KEY: 'sk-ant-scripted-0123456789abcdef',
    ANTHROPIC_AUTH_TOKEN: undefined, CLAUDE_CODE_OAUTH_TOKEN: undefined, CLAUDE_CODE_USE_BEDROCK: undefined, CLAUDE_CODE_USE_VERTEX: undefined,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', DISABLE_TELEMETRY: '1', DISABLE_ERROR_REPORTING: '1', DISABLE_AUTOUPDATER: '1', CLAUDE_CODE_MAX_RETRIES: '0',
    GOOGLE_GEMINI_BASE_URL: server.url, GEMINI_API_KEY: 'scripted-key',
  };
  writeConfig(t, {
    profiles: {
      'codex-direct': { agent: 'codex', model: 'gpt-5.5', reasoning_effort: 'high', sandbox: 'read-only' },
      // -m: with the default "auto" model gemini first asks a classifier model, for minutes
      'gemini-pro': { agent: 'gemini', model: 'gemini-2.5-pro', approval_mode: 'auto_edit' },
    },
  });
});

afterAll(async () => {
  await server?.close();
  await t?.cleanup();
});


async function runToEnd(profile: string, env: Record<string, string | undefined> = {}) {
  const before = server.modelRequests().length;
  const id = await t.start(['--project', repo, '--profile', profile], PROMPT, { env: { ...callerEnv, ...env } });
  const wait = await t.run(['wait', id]);
  const record = JSON.parse((await t.run(['show', id])).stdout);
  return { id, code: wait.code, line: parseJsonLines(wait.stdout)[0], record, requests: server.modelRequests().slice(before) };
}

/** As the golden-file recorder: the CLI asked for exactly the scripted replies and went nowhere else. */
function onlyScriptedTraffic() {
  expect(server.proxyAttempts).toEqual([]);
  expect(server.unmatched.map((r) => `${r.method} ${r.path}`)).toEqual([]);
  expect(server.requests.filter((r) => r.kind === 'other').map((r) => r.path)).toEqual([]);
  expect(server.pendingRules()).toEqual([]);
}

function expectAnswered(r: Awaited<ReturnType<typeof runToEnd>>) {
  expect(r.code, JSON.stringify(r.record.errors)).toBe(0);
  expect(r.line).toMatchObject({ outcome: 'goal_met', goal_met: true, summary: ANSWER.summary, exit_code: 0 });
  expect(r.record.result).toEqual(ANSWER);
  expect(r.record.thread_id).toMatch(/^[0-9a-f-]{36}$/);
  expect(r.record.validation_errors).toEqual([]);
}

describe('real agent CLIs through agentctl start and wait', () => {
  realIt('codex', 'codex exec: a profile with model, reasoning_effort and sandbox and no codex profile file', async () => {
    server.addRules({ api: 'openai', reply: { text: JSON.stringify(ANSWER), usage: { input: 1800, output: 40 } } });
    const r = await runToEnd('codex-direct');
    expectAnswered(r);
    expect(r.record.usage).toMatchObject({ input_tokens: 1800, output_tokens: 40 });
    expect(r.requests).toHaveLength(1);
    const body = r.requests[0]!.body;
    expect(body).toMatchObject({ model: 'gpt-5.5', reasoning: { effort: 'high' } });
    expect(JSON.stringify(body)).toContain('`sandbox_mode` is `read-only`');
    expect(r.requests[0]!.prompt).toContain(PROMPT.trim());
    onlyScriptedTraffic();
  });

  realIt('codex', 'codex exec: -p with a legacy [profiles.NAME] table fails before any model request, in codex\'s words', async () => {
    const legacyHome = t.dir('codex-home-legacy');
    writeFileSync(join(legacyHome, 'config.toml'), `${offlineCodexConfig(server.url)}[profiles.spark]\nmodel = "gpt-5.5"\n`);
    const r = await runToEnd('spark', { CODEX_HOME: legacyHome });
    expect(r.code).toBe(3);
    expect(r.line).toMatchObject({ outcome: 'agent_error', exit_code: 1 });
    expect(r.record.errors).toContainEqual(`codex exited with code 1: Error loading config.toml: --profile \`spark\` cannot be used while ${legacyHome}/config.toml `
      + `contains legacy \`profile = "spark"\` or \`[profiles.spark]\` config; move those settings into ${legacyHome}/spark.config.toml and remove the `
      + 'legacy profile selector/table. See https://developers.openai.com/codex/config-advanced#profiles for more information.');
    expect(r.requests).toEqual([]);
    onlyScriptedTraffic();
  });

  realIt('claude', 'claude -p: the answer comes through the StructuredOutput tool', async () => {
    server.addRules({ api: 'anthropic', reply: { toolCalls: [{ name: 'StructuredOutput', arguments: ANSWER }], usage: { input: 2600, output: 45 } } });
    const r = await runToEnd('claude');
    expectAnswered(r);
    expect(r.record.usage).toMatchObject({ input_tokens: 2600, output_tokens: 45 });
    expect(r.requests).toHaveLength(1);
    expect(r.requests[0]!.prompt).toContain(PROMPT.trim());
    const tool = r.requests[0]!.body.tools.find((x: { name: string }) => x.name === 'StructuredOutput');
    expect(tool.input_schema).toMatchObject({ required: ['goal_met', 'summary', 'followup_prompt', 'notes'] });
    onlyScriptedTraffic();
  });

  realIt('gemini', 'gemini -p: the prompt from stdin, then the --prompt= instruction; a fenced JSON answer', async () => {
    server.addRules({ api: 'gemini', reply: { text: `\`\`\`json\n${JSON.stringify(ANSWER)}\n\`\`\``, usage: { input: 7800, output: 42 } } });
    const r = await runToEnd('gemini-pro');
    expectAnswered(r);
    expect(r.requests).toHaveLength(1);
    expect(r.requests[0]!.model).toBe('gemini-2.5-pro');
    const schema = JSON.parse(readFileSync(join(t.home, 'runs', r.id, 'schema.json'), 'utf8'));
    expect(r.requests[0]!.prompt.endsWith(`${PROMPT}\n\n${geminiInstruction(schema)}`)).toBe(true);
    onlyScriptedTraffic();
  });
});

describe('the real CLIs CI installs', () => {
  it('are the versions the golden files were recorded with', () => {
    const ci = readFileSync(join(ROOT, '.ci', 'run'), 'utf8');
    for (const agent of AGENTS) {
      const recorded = JSON.parse(readFileSync(join(ROOT, 'test', 'golden', agent, 'answer.meta.json'), 'utf8')).version as string;
      const pinned = new RegExp(`${PACKAGES[agent]}@([0-9][^\\s"')]*)`).exec(ci)?.[1];
      expect(pinned, `${PACKAGES[agent]} pinned in .ci/run`).toBeDefined();
      expect(recorded).toContain(pinned);
    }
  });
});
