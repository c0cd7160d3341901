#!/usr/bin/env node
// Re-records the golden files in this directory from the REAL agent CLIs, offline: each CLI runs
// with the argv agentctl's own adapter builds (src/agents, bundled here by esbuild) in a throwaway
// HOME, talking only to the scripted model server (test/helpers/model-server.mjs) on 127.0.0.1.
// The proxy variables point at that server too, so an attempt to reach anything else is caught.
//
//   node test/golden/record.mjs [codex|claude|gemini ...]      (default: all three)
//
// Binaries: $CODEX_BIN, $CLAUDE_BIN, $GEMINI_BIN, else codex, claude, gemini on PATH; never the
// fakes in test/fakes. Install pinned versions outside the repository, for example:
//   npm install --prefix /tmp/agentclis @openai/codex@0.171.0 @anthropic-ai/claude-code@2.1.332 @google/gemini-cli@0.61.0
//   PATH=/tmp/agentclis/node_modules/.bin:$PATH node test/golden/record.mjs
// Paths, ports and the like are replaced by placeholders (<project>, <home>, <port>...) so no
// file names a machine. See docs/agent-clis.md for what the recordings show.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { offlineCodexConfig, startModelServer } from '../helpers/model-server.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const FAKES = path.join(ROOT, 'test', 'fakes');
const TIMEOUT_MS = 120_000;

const SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['goal_met', 'summary', 'followup_prompt', 'notes'],
  properties: { goal_met: { type: 'boolean' }, summary: { type: 'string' }, followup_prompt: { type: 'string' }, notes: { type: 'string' } },
};
const ANSWER = { goal_met: true, summary: 'The project holds README.md only.', followup_prompt: '', notes: 'recorded offline' };
const PROMPT = 'List the files of the project and report what you found.\n';
const answerText = (value = ANSWER) => JSON.stringify(value);

/** Scripted model replies per case; `setup` runs a turn first (for resume cases). */
const CASES = {
  codex: [
    {
      name: 'answer',
      about: 'codex exec --json with --output-schema: a shell command, then the JSON answer (-o file too)',
      rules: [
        { reply: { toolCalls: [{ name: 'exec_command', arguments: { cmd: 'ls' } }], usage: { input: 1800, output: 12 } } },
        { reply: { text: answerText(), usage: { input: 2100, output: 40, cached: 1800, reasoning: 16 } } },
      ],
    },
    {
      name: 'resume',
      about: 'a second turn of the same thread with `resume <id>`: same thread_id, usage a running total',
      setup: [{ reply: { text: answerText({ ...ANSWER, summary: 'first turn' }), usage: { input: 1500, output: 30 } } }],
      rules: [{ reply: { text: answerText({ ...ANSWER, summary: 'second turn' }), usage: { input: 1700, output: 35, cached: 1500 } } }],
    },
    {
      name: 'http-500',
      about: 'the model API answers HTTP 500 (retries off): error and turn.failed events, exit 1, -o file empty',
      rules: [{ reply: { status: 500, error: 'The server had an error while processing your request.' } }],
    },
  ],
  claude: [
    {
      name: 'answer',
      about: 'claude -p stream-json with --json-schema: a Bash call, then the StructuredOutput tool; result has structured_output',
      rules: [
        { reply: { toolCalls: [{ name: 'Bash', arguments: { command: 'ls', description: 'List project files' } }], usage: { input: 2400, output: 20 } } },
        { reply: { toolCalls: [{ name: 'StructuredOutput', arguments: ANSWER }], usage: { input: 2600, output: 45, cached: 2400 } } },
      ],
    },
    {
      name: 'schema-ignored',
      about: 'the model answers in text despite --json-schema: claude asks once more, then ends with success and no structured_output',
      rules: [{ times: 2, reply: { text: answerText(), usage: { input: 2400, output: 40 } } }],
    },
    {
      name: 'api-error-500',
      about: 'the model API answers HTTP 500 (CLAUDE_CODE_MAX_RETRIES=0): result subtype success with is_error true, exit 1',
      rules: [{ reply: { status: 500, error: 'Internal server error' } }],
    },
  ],
  gemini: [
    {
      name: 'answer',
      about: 'gemini -p stream-json: a list_directory call, then the answer as fenced JSON (the schema travels in the prompt)',
      rules: [
        { reply: { toolCalls: [{ name: 'list_directory', arguments: { dir_path: '.' } }], usage: { input: 7800, output: 10 } } },
        { reply: { text: `\`\`\`json\n${answerText()}\n\`\`\``, usage: { input: 8000, output: 42, cached: 7800 } } },
      ],
    },
    {
      name: 'api-error-500',
      about: 'the model API answers HTTP 500 (general.maxAttempts 1): a result with status error, exit code 244 (500 mod 256)',
      rules: [{ reply: { status: 500, error: 'Internal error encountered.' } }],
    },
  ],
};

/** Per-CLI setup of a fresh HOME and the variables that point it at the model server. */
const SETUP = {
  codex(sb, url) {
    const codexHome = path.join(sb.home, '.codex');
    fs.mkdirSync(codexHome);
    fs.writeFileSync(path.join(codexHome, 'config.toml'), offlineCodexConfig(url));
    return { env: { CODEX_HOME: codexHome, SCRIPTED_API_KEY: 'sk-scripted' } };
  },
  claude(sb, url) {
    return {
      env: {
        ANTHROPIC_BASE_URL: url, ANTHROPIC_API_KEY: 'sk-ant-scripted-0123456789abcdef',
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', DISABLE_TELEMETRY: '1', DISABLE_ERROR_REPORTING: '1',
        DISABLE_AUTOUPDATER: '1', CLAUDE_CODE_MAX_RETRIES: '0',
      },
    };
  },
  gemini(sb, url) {
    // GOOGLE_GEMINI_BASE_URL alone selects the "gateway" auth type, which headless mode rejects
    // ("Invalid auth method selected."): the API-key type honours the base URL as well.
    fs.mkdirSync(path.join(sb.home, '.gemini'));
    fs.writeFileSync(path.join(sb.home, '.gemini', 'settings.json'), JSON.stringify({
      security: { auth: { selectedType: 'gemini-api-key' } },
      general: { maxAttempts: 1 },
      privacy: { usageStatisticsEnabled: false },
      telemetry: { enabled: false },
    }, null, 2));
    // -m: with the default "auto" model, gemini first asks a classifier model and retries it for
    // minutes when the reply does not suit it.
    return { env: { GOOGLE_GEMINI_BASE_URL: url, GEMINI_API_KEY: 'scripted-key' }, model: 'gemini-2.5-pro' };
  },
};

async function main() {
  const agents = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(CASES);
  for (const agent of agents) if (!CASES[agent]) throw new Error(`unknown agent ${agent}: use codex, claude or gemini`);
  const work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'agentctl-golden-')));
  try {
    const { getAdapter } = await loadAdapters(work);
    for (const agent of agents) {
      const binary = findBinary(agent);
      const version = spawnSync(binary, ['--version'], { encoding: 'utf8', env: isolatedEnv(work, path.dirname(binary)) }).stdout.trim();
      console.log(`${agent}: ${binary} (${version})`);
      const dir = path.join(HERE, agent);
      fs.mkdirSync(dir, { recursive: true });
      for (const c of CASES[agent]) {
        const recorded = await recordCase(work, agent, binary, getAdapter(agent), c);
        const meta = { agent, version, case: c.name, about: c.about, ...recorded.meta };
        fs.writeFileSync(path.join(dir, `${c.name}.jsonl`), recorded.stdout);
        fs.writeFileSync(path.join(dir, `${c.name}.meta.json`), `${JSON.stringify(meta, null, 2)}\n`);
        console.log(`  ${c.name}: exit ${meta.exitCode}, ${recorded.stdout.split('\n').filter(Boolean).length} events`);
      }
      fs.writeFileSync(path.join(dir, 'README.md'), readme(agent, version));
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** The adapters exactly as agentctl builds them, bundled from src/ (needs `npm ci` first). */
async function loadAdapters(work) {
  const out = path.join(work, 'agents.mjs');
  await build({ entryPoints: [path.join(ROOT, 'src', 'agents', 'index.ts')], outfile: out, bundle: true, format: 'esm', platform: 'node', logLevel: 'warning' });
  return import(pathToFileURL(out).href);
}

function findBinary(agent) {
  const fromEnv = process.env[`${agent.toUpperCase()}_BIN`];
  const found = fromEnv || (process.env.PATH ?? '').split(path.delimiter).map((d) => path.join(d, agent)).find((f) => isExecutable(f));
  if (!found) throw new Error(`${agent} not found: put the real CLI on PATH or set ${agent.toUpperCase()}_BIN`);
  const real = fs.realpathSync(found);
  if (real.startsWith(`${FAKES}${path.sep}`)) throw new Error(`${found} is agentctl's fake ${agent}, not the real CLI`);
  return found;
}

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Nothing from the developer's environment (keys, proxies, config dirs) reaches the CLI. */
function isolatedEnv(work, binDir) {
  const home = path.join(work, 'version-home');
  fs.mkdirSync(home, { recursive: true });
  return { PATH: `${binDir}${path.delimiter}/usr/local/bin:/usr/bin:/bin`, HOME: home, CODEX_HOME: home, TMPDIR: home };
}

async function recordCase(work, agent, binary, adapter, c) {
  const sb = sandbox(work, `${agent}-${c.name}`);
  const server = await startModelServer();
  try {
    const setup = SETUP[agent](sb, server.url);
    const env = {
      PATH: `${path.dirname(binary)}${path.delimiter}/usr/local/bin:/usr/bin:/bin`,
      HOME: sb.home, TMPDIR: sb.tmp, LANG: 'C.UTF-8',
      HTTPS_PROXY: server.url, HTTP_PROXY: server.url, https_proxy: server.url, http_proxy: server.url,
      NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost',
      ...setup.env,
    };
    const ctx = { prompt: PROMPT, cwd: sb.project, runDir: sb.run, schema: SCHEMA, schemaPath: sb.schemaPath, model: setup.model, profile: {}, isGitRepo: true };
    if (c.setup) {
      server.addRules(c.setup);
      const first = await runOnce(binary, adapter.buildInvocation(ctx), env, sb.project);
      const reader = adapter.newReader();
      first.stdout.split('\n').forEach((l) => reader.onLine(l));
      if (first.exitCode !== 0 || !reader.state.sessionId) throw new Error(`${agent} ${c.name}: the first turn failed:\n${first.stderr}`);
      ctx.resumeSessionId = reader.state.sessionId;
    }
    const before = server.modelRequests().length;
    server.addRules(c.rules);
    const inv = adapter.buildInvocation(ctx);
    const run = await runOnce(binary, inv, env, sb.project);
    checkTraffic(agent, c, server, run);
    const clean = sanitizer(sb, server.url, binary);
    const meta = {
      argv: inv.args.map(clean),
      stdin: inv.stdin,
      env: Object.keys(inv.env ?? {}),
      ...(ctx.resumeSessionId ? { resumed: ctx.resumeSessionId } : {}),
      exitCode: run.exitCode,
      signal: run.signal,
      outputFile: inv.outputFile && fs.existsSync(inv.outputFile) ? clean(fs.readFileSync(inv.outputFile, 'utf8')) : null,
      stderr: clean(run.stderr).split('\n').slice(-12).join('\n'),
      modelRequests: server.modelRequests().length - before,
      replies: c.rules.map((r) => ({ ...(r.times ? { times: r.times } : {}), ...r.reply })),
    };
    return { stdout: clean(run.stdout), meta };
  } finally {
    await server.close();
  }
}

function sandbox(work, name) {
  const root = path.join(work, name);
  const sb = { root, home: path.join(root, 'home'), project: path.join(root, 'project'), run: path.join(root, 'run'), tmp: path.join(root, 'tmp') };
  for (const dir of [sb.home, sb.project, sb.run, sb.tmp]) fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(sb.project, 'README.md'), '# demo\n');
  spawnSync('git', ['init', '-q'], { cwd: sb.project });
  sb.schemaPath = path.join(sb.run, 'schema.json');
  fs.writeFileSync(sb.schemaPath, JSON.stringify(SCHEMA));
  return sb;
}

/** agentctl runs every agent in the project directory (codex gets it as -C as well). */
function runOnce(binary, inv, env, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, inv.args, { cwd, env: { ...env, ...inv.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      resolve({ exitCode, signal, stdout, stderr });
    });
    child.stdin.end(inv.stdin ?? '');
  });
}

/** A recording is kept only if the CLI asked for exactly the scripted replies and nothing else. */
function checkTraffic(agent, c, server, run) {
  const problems = [];
  if (server.proxyAttempts.length) problems.push(`tried to reach the outside: ${JSON.stringify(server.proxyAttempts)}`);
  if (server.unmatched.length) problems.push(`made ${server.unmatched.length} request(s) no rule answered: ${server.unmatched.map((r) => `${r.method} ${r.path}`).join(', ')}`);
  if (server.pendingRules().length) problems.push(`never asked for ${server.pendingRules().length} scripted repl(ies)`);
  if (server.requests.some((r) => r.kind === 'other')) problems.push(`called unknown paths: ${server.requests.filter((r) => r.kind === 'other').map((r) => r.path).join(', ')}`);
  if (problems.length) throw new Error(`${agent} ${c.name}: ${problems.join('; ')}\nexit ${run.exitCode}\n${run.stderr}`);
}

function sanitizer(sb, url, binary) {
  const port = new URL(url).port;
  // Stack traces name the CLI's install directory: everything up to its node_modules.
  const real = fs.realpathSync(binary);
  const cut = real.lastIndexOf(`${path.sep}node_modules${path.sep}`);
  const install = cut > 0 ? real.slice(0, cut) : path.dirname(real);
  const slug = (p) => p.replace(/[^a-zA-Z0-9]/g, '-');
  const pairs = [
    [sb.project, '<project>'], [sb.home, '<home>'], [sb.run, '<run>'], [sb.tmp, '<tmp>'], [sb.root, '<sandbox>'],
    [slug(sb.project), '<project-slug>'], [`127.0.0.1:${port}`, '127.0.0.1:<port>'], [install, '<install>'],
  ];
  return (text) => pairs.reduce((t, [from, to]) => t.split(from).join(to), text);
}

function readme(agent, version) {
  const title = { codex: 'codex exec --json', claude: 'claude -p --output-format stream-json --verbose', gemini: 'gemini -p --output-format stream-json' }[agent];
  const rows = CASES[agent].map((c) => `| \`${c.name}\` | ${c.about} |`).join('\n');
  return `# Golden recordings: ${title}

Recorded from the real CLI, **${version}**, by \`node test/golden/record.mjs ${agent}\` (see that
script and docs/agent-clis.md): the argv agentctl's adapter builds, a throwaway HOME, and a
scripted model server on 127.0.0.1 (test/helpers/model-server.mjs); nothing reached beyond
loopback. Paths and the port are replaced by placeholders such as \`<project>\` and \`<port>\`.

Each case is \`<case>.jsonl\`, the CLI's stdout (byte for byte but for those placeholders), and
\`<case>.meta.json\`: version, argv, exit code, the output file, the last lines of stderr and the
replies the model server gave. test/unit/agents-golden.test.ts parses them with the adapter.

| case | what happens |
| --- | --- |
${rows}

Do not edit these files by hand: re-record them when the CLI or the adapter's argv changes.
`;
}

await main();
