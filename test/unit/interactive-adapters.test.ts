// The interactive adapters' knowledge of the two TUIs: exact argv, the hook config they hand the
// agent (parsed back the way the agent parses it), the first-run state they seed, and how they
// read the transcripts the real binaries wrote (test/golden/interactive, recorded offline).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'smol-toml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claudeInteractive, claudeSettings } from '../../src/agents/interactive/claude.js';
import { codexInteractive, trustedConfig } from '../../src/agents/interactive/codex.js';
import { interactiveAdapter } from '../../src/agents/interactive/index.js';
import type { LaunchContext } from '../../src/agents/interactive/types.js';

let tmp: string;
beforeEach(() => {
  tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'interactive-')));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

const HOOKS = {
  record: `sh -c 'cat > "$0/x"' '/it'"'"'s/inbox'`,
  permission: `'/usr/bin/agentctl' _hook permission --instance i-abc123 --home '/h'`,
  permissionTimeoutS: 600,
  notify: ['/bin/sh', '-c', 'printf "%s" "$1" > /dev/null', 'x'],
};

function ctx(over: Partial<LaunchContext> = {}): LaunchContext {
  return {
    dir: '/h/instances/i-abc123', cwd: '/p', model: null, permissions: 'ask', instructions: null, resumeSessionId: null,
    newSessionId: '6f1c1e0a-0000-4000-8000-000000000001', hooks: HOOKS, mcpServer: null, firstPrompt: null, env: {}, ...over,
  };
}

describe('interactiveAdapter', () => {
  it('gives each agent its adapter', () => {
    expect(interactiveAdapter('claude')).toBe(claudeInteractive);
    expect(interactiveAdapter('codex')).toBe(codexInteractive);
    expect(claudeInteractive.readySignal).toBe(true);
    expect(codexInteractive.readySignal).toBe(false);
    expect([claudeInteractive.exitCommand, codexInteractive.exitCommand]).toEqual(['/exit', '/exit']);
  });
});

describe('claude launch', () => {
  it('a fresh session: settings file, chosen session id, ask = default permission mode', () => {
    const l = claudeInteractive.launch(ctx());
    expect(l.file).toBe('claude');
    expect(l.args).toEqual(['--settings', '/h/instances/i-abc123/settings.json', '--session-id', '6f1c1e0a-0000-4000-8000-000000000001', '--permission-mode', 'default']);
    expect(Object.keys(l.files)).toEqual(['/h/instances/i-abc123/settings.json']);
    expect(l.env).toEqual({ CLAUDE_CODE_DISABLE_OFFICIAL_MARKETPLACE_AUTOINSTALL: '1' });
  });

  it('resume, model, auto-edit, instructions in a file, agentctl MCP server', () => {
    const mcpServer = { command: '/usr/bin/agentctl', args: ['mcp', '--home', '/h'], env: { AGENTCTL_PARENT_INSTANCE: 'i-abc123' } };
    const l = claudeInteractive.launch(ctx({ resumeSessionId: 'sid-1', model: 'sonnet', permissions: 'auto-edit', instructions: 'You are the architect.\n', mcpServer }));
    expect(l.args).toEqual([
      '--settings', '/h/instances/i-abc123/settings.json', '--resume', 'sid-1', '--model', 'sonnet', '--permission-mode', 'acceptEdits',
      '--append-system-prompt-file', '/h/instances/i-abc123/system-prompt.md', '--mcp-config', '/h/instances/i-abc123/mcp.json',
    ]);
    expect(l.files['/h/instances/i-abc123/system-prompt.md']).toBe('You are the architect.\n');
    expect(JSON.parse(l.files['/h/instances/i-abc123/mcp.json']!)).toEqual({ mcpServers: { agentctl: { type: 'stdio', ...mcpServer } } });
  });

  it('bypass: the dangerous flag, its warning switched off in the settings file, IS_SANDBOX only as root', () => {
    const l = claudeInteractive.launch(ctx({ permissions: 'bypass' }));
    expect(l.args.slice(-1)).toEqual(['--dangerously-skip-permissions']);
    expect(l.args).not.toContain('--permission-mode');
    expect(JSON.parse(l.files['/h/instances/i-abc123/settings.json']!).skipDangerousModePermissionPrompt).toBe(true);
    expect(l.env.IS_SANDBOX).toBe(process.getuid?.() === 0 ? '1' : undefined);
    expect(JSON.parse(claudeInteractive.launch(ctx()).files['/h/instances/i-abc123/settings.json']!).skipDangerousModePermissionPrompt).toBeUndefined();
  });

  it('settings: every event runs the record hook, PermissionRequest the permission hook with room beyond its own timeout', () => {
    const s = claudeSettings(HOOKS, false) as { hooks: Record<string, { hooks: { type: string; command: string; timeout: number }[] }[]> };
    expect(Object.keys(s.hooks)).toEqual(['SessionStart', 'UserPromptSubmit', 'PreToolUse', 'PostToolUse', 'PostToolUseFailure', 'PermissionRequest',
      'PermissionDenied', 'Notification', 'Stop', 'StopFailure', 'SubagentStop', 'PreCompact', 'SessionEnd']);
    for (const [event, groups] of Object.entries(s.hooks)) {
      expect(groups).toEqual([{ hooks: [event === 'PermissionRequest'
        ? { type: 'command', command: HOOKS.permission, timeout: 630 }
        : { type: 'command', command: HOOKS.record, timeout: 10 }] }]);
    }
  });
});

describe('codex launch', () => {
  it('a fresh session: no daemon, hooks trusted for this run, -c overrides that parse as TOML, the first prompt last', () => {
    const l = codexInteractive.launch(ctx({ newSessionId: null, model: 'gpt-5.5', instructions: 'Role: "dev"\n\tIndented — ünï', firstPrompt: '-starts with a dash' }));
    expect(l.file).toBe('codex');
    expect(l.args.slice(0, 7)).toEqual(['--no-daemon', '--dangerously-bypass-hook-trust', '-m', 'gpt-5.5', '-a', 'on-request', '-s']);
    expect(l.args[7]).toBe('read-only');
    expect(l.args.slice(-2)).toEqual(['--', '-starts with a dash']);
    const overrides = l.args.flatMap((a, i) => (l.args[i - 1] === '-c' ? [a] : []));
    const config = parse(overrides.join('\n')) as Record<string, any>;
    const events = ['SessionStart', 'UserPromptSubmit', 'PreToolUse', 'PermissionRequest', 'PostToolUse', 'Stop', 'Interrupt', 'SessionEnd', 'PreCompact', 'PostCompact', 'SubagentStart', 'SubagentStop'];
    expect(Object.keys(config.hooks)).toEqual(events);
    expect(config.hooks.Stop).toEqual([{ hooks: [{ type: 'command', command: HOOKS.record, timeout: 10 }] }]);
    expect(config.hooks.Interrupt[0].hooks[0].timeout).toBe(3);
    expect(config.hooks.PermissionRequest).toEqual([{ hooks: [{ type: 'command', command: HOOKS.permission, timeout: 630 }] }]);
    expect(config.notify).toEqual(HOOKS.notify);
    expect(config.developer_instructions).toBe('Role: "dev"\n\tIndented — ünï');
    expect(l.env).toEqual({});
    expect(l.files).toEqual({});
  });

  it('resume by id, auto-edit and bypass', () => {
    const resumed = codexInteractive.launch(ctx({ resumeSessionId: 'thread-1', permissions: 'auto-edit' }));
    expect(resumed.args.slice(0, 8)).toEqual(['resume', 'thread-1', '--no-daemon', '--dangerously-bypass-hook-trust', '-a', 'on-request', '-s', 'workspace-write']);
    expect(resumed.args).not.toContain('--');
    const bypass = codexInteractive.launch(ctx({ permissions: 'bypass' }));
    expect(bypass.args.slice(0, 3)).toEqual(['--no-daemon', '--dangerously-bypass-hook-trust', '--dangerously-bypass-approvals-and-sandbox']);
    expect(bypass.args).not.toContain('-a');
  });
});

describe('normalizePrompt: the prompt as UserPromptSubmit reports it (observed on the pinned versions)', () => {
  const text = '  \tline one\n\tindented «ünï» $HOME `x` \\\\ "q"\nlast  \n';
  it('claude: tabs as four spaces, trailing whitespace dropped', () => {
    expect(claudeInteractive.normalizePrompt(text)).toBe('      line one\n    indented «ünï» $HOME `x` \\\\ "q"\nlast');
  });
  it('codex: leading and trailing whitespace dropped, tabs kept', () => {
    expect(codexInteractive.normalizePrompt(text)).toBe('line one\n\tindented «ünï» $HOME `x` \\\\ "q"\nlast');
  });
});

describe('claude prepareHome', () => {
  const env = () => ({ HOME: tmp, ANTHROPIC_API_KEY: 'sk-ant-scripted-0123456789abcdef' });
  it('seeds a fresh home: onboarding done, folder trusted, API key approved', () => {
    claudeInteractive.prepareHome(tmp, env());
    const state = JSON.parse(fs.readFileSync(path.join(tmp, '.claude.json'), 'utf8'));
    expect(state).toMatchObject({ hasCompletedOnboarding: true, projects: { [tmp]: { hasTrustDialogAccepted: true } }, customApiKeyResponses: { approved: ['ted-0123456789abcdef'] } });
    expect(typeof state.lastOnboardingVersion).toBe('string');
  });
  it('adds only what is missing and keeps everything else the user has', () => {
    const file = path.join(tmp, '.claude.json');
    const mine = { numStartups: 7, hasCompletedOnboarding: false, projects: { [tmp]: { allowedTools: ['Bash'] }, '/other': { x: 1 } }, customApiKeyResponses: { approved: [], rejected: ['ted-0123456789abcdef'] } };
    fs.writeFileSync(file, JSON.stringify(mine), { mode: 0o600 });
    claudeInteractive.prepareHome(tmp, env());
    const state = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(state.numStartups).toBe(7);
    expect(state.hasCompletedOnboarding).toBe(false);
    expect(state.projects['/other']).toEqual({ x: 1 });
    expect(state.projects[tmp]).toEqual({ allowedTools: ['Bash'], hasTrustDialogAccepted: true });
    expect(state.customApiKeyResponses).toEqual({ approved: [], rejected: ['ted-0123456789abcdef'] });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const before = fs.readFileSync(file, 'utf8');
    claudeInteractive.prepareHome(tmp, env());
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
  });
  it('leaves a file that is not JSON alone', () => {
    fs.writeFileSync(path.join(tmp, '.claude.json'), '{broken');
    claudeInteractive.prepareHome(tmp, env());
    expect(fs.readFileSync(path.join(tmp, '.claude.json'), 'utf8')).toBe('{broken');
  });
});

describe('codex prepareHome', () => {
  const codexHome = () => path.join(tmp, 'codex');
  const repo = () => path.join(tmp, 'repo');
  beforeEach(() => {
    fs.mkdirSync(path.join(repo(), '.git', 'x'), { recursive: true });
    fs.mkdirSync(path.join(repo(), 'sub'), { recursive: true });
    fs.mkdirSync(codexHome());
  });
  it('appends the trust table for the work tree root, keeping the user\'s text and comments', () => {
    const config = path.join(codexHome(), 'config.toml');
    const mine = '# mine\nmodel = "gpt-5.5" # pinned\n[projects."/elsewhere"]\ntrust_level = "untrusted"\n';
    fs.writeFileSync(config, mine);
    codexInteractive.prepareHome(path.join(repo(), 'sub'), { CODEX_HOME: codexHome() });
    const text = fs.readFileSync(config, 'utf8');
    expect(text.startsWith(mine)).toBe(true);
    expect(parse(text)).toEqual({ model: 'gpt-5.5', projects: { '/elsewhere': { trust_level: 'untrusted' }, [repo()]: { trust_level: 'trusted' } } });
    codexInteractive.prepareHome(repo(), { CODEX_HOME: codexHome() });
    expect(fs.readFileSync(config, 'utf8')).toBe(text);
  });
  it('creates the file when there is none; does nothing outside a work tree or when the user decided', () => {
    codexInteractive.prepareHome(repo(), { CODEX_HOME: codexHome() });
    expect(parse(fs.readFileSync(path.join(codexHome(), 'config.toml'), 'utf8'))).toEqual({ projects: { [repo()]: { trust_level: 'trusted' } } });
    expect(trustedConfig(`[projects."${repo()}"]\ntrust_level = "untrusted"\n`, repo())).toBeNull();
    const outside = path.join(tmp, 'plain');
    fs.mkdirSync(outside);
    const other = path.join(tmp, 'codex2');
    codexInteractive.prepareHome(outside, { CODEX_HOME: other });
    expect(fs.existsSync(path.join(other, 'config.toml'))).toBe(false);
  });
  it('a table the user has for the root without trust_level gets the key under its header; broken TOML is left alone', () => {
    const mine = `# mine\n[projects."${repo()}"]\nx = 1 # keep\n[other]\ny = 2\n`;
    expect(trustedConfig(mine, repo())).toBe(`# mine\n[projects."${repo()}"]\ntrust_level = "trusted"\nx = 1 # keep\n[other]\ny = 2\n`);
    expect(trustedConfig(`projects = { "${repo()}" = { x = 1 } }\n`, repo())).toBeNull();
    expect(trustedConfig('not = [toml', repo())).toBeNull();
  });
});

describe('transcripts recorded from the real TUIs (test/golden/interactive)', () => {
  const golden = (agent: string, name: string) => path.join(__dirname, '..', 'golden', 'interactive', agent, `${name}.jsonl`);
  const summary = (turns: ReturnType<typeof claudeInteractive.readTranscript>) =>
    turns.map((t) => ({ prompt: t.prompt, reply: t.reply, outcome: t.outcome, ...(t.error ? { error: t.error } : {}), ...(t.tools ? { tools: t.tools.map((x) => x.name) } : {}) }));

  for (const agent of ['claude', 'codex'] as const) {
    const adapter = interactiveAdapter(agent);
    const norm = adapter.normalizePrompt;
    it(`${agent}: a conversation of two turns, multi-line and non-ASCII`, () => {
      expect(summary(adapter.readTranscript(golden(agent, 'conversation')))).toEqual([
        { prompt: 'Say hello [T1]', reply: 'Hello from turn one.', outcome: 'completed' },
        { prompt: norm('  Two lines,\n\tüñíçødé «quotes» "$HOME" `x` \\ [T2]  \n'), reply: 'Second reply\nwith two lines.', outcome: 'completed' },
      ]);
      const turns = adapter.readTranscript(golden(agent, 'conversation'));
      expect(turns.map((t) => t.n)).toEqual([1, 2]);
      // each turn's tokens, as the transcript recorded its model request (wait reports them)
      expect(turns.map((t) => t.usage)).toEqual(
        agent === 'claude'
          ? [{ input_tokens: 13881, cached_input_tokens: 0, output_tokens: 6 }, { input_tokens: 13922, cached_input_tokens: 0, output_tokens: 8 }]
          : [{ input_tokens: 11295, cached_input_tokens: 0, output_tokens: 6 }, { input_tokens: 11382, cached_input_tokens: 0, output_tokens: 8 }],
      );
      for (const t of turns) expect(Date.parse(t.at!)).toBeGreaterThan(0);
    });
    it(`${agent}: tool calls allowed and denied through the permission hook`, () => {
      const tool = agent === 'claude' ? 'Bash' : 'exec_command';
      expect(summary(adapter.readTranscript(golden(agent, 'permissions')))).toEqual([
        { prompt: 'Warm up [P0]', reply: 'Ready.', outcome: 'completed' },
        { prompt: 'Create allowed.txt [P-allow]', reply: 'Done after allow.', outcome: 'completed', tools: [tool] },
        { prompt: 'Create denied.txt [P-deny]', reply: 'Done after deny.', outcome: 'completed', tools: [tool] },
      ]);
      const input = adapter.readTranscript(golden(agent, 'permissions'))[1]!.tools![0]!.input;
      expect(JSON.stringify(input)).toContain('touch allowed.txt');
    });
    it(`${agent}: an interrupted turn, the next one, an API error`, () => {
      const turns = summary(adapter.readTranscript(golden(agent, 'interrupt-error')));
      expect(turns.slice(0, 3)).toEqual([
        { prompt: 'Warm up [E0]', reply: 'Ready.', outcome: 'completed' },
        { prompt: 'Think for long [E1]', reply: null, outcome: 'interrupted' },
        { prompt: 'Carry on [E2]', reply: 'Back.', outcome: 'completed' },
      ]);
      expect(turns[3]).toMatchObject({ prompt: 'Fail please [E3]', outcome: 'failed' });
      expect(turns[3]!.error).toMatch(agent === 'claude' ? /API Error: 500 scripted outage/ : /.+/);
      expect(turns).toHaveLength(4);
    });
    it(`${agent}: a resumed session goes on in the same transcript`, () => {
      const turns = summary(adapter.readTranscript(golden(agent, 'resume')));
      expect(turns.at(-1)).toEqual({ prompt: 'Go on [T4]', reply: 'Resumed.', outcome: 'completed' });
      expect(turns.slice(0, 2).map((t) => t.reply)).toEqual(['Hello from turn one.', 'Second reply\nwith two lines.']);
    });
    it(`${agent}: a partial last line (the agent is writing) and unknown lines are skipped`, () => {
      const text = fs.readFileSync(golden(agent, 'conversation'), 'utf8');
      const file = path.join(tmp, 'partial.jsonl');
      fs.writeFileSync(file, `{"type":"from-the-future","x":1}\nnot json\n${text}${text.split('\n').filter(Boolean).at(-1)!.slice(0, 40)}`);
      expect(summary(adapter.readTranscript(file))).toEqual(summary(adapter.readTranscript(golden(agent, 'conversation'))));
      expect(adapter.readTranscript(path.join(tmp, 'missing.jsonl'))).toEqual([]);
    });
  }

  it('codex: transcriptPath finds the rollout by session id under $CODEX_HOME/sessions', () => {
    const id = '01a23035-cb01-72c3-89eb-0ff1a05e2cfb';
    const day = path.join(tmp, 'sessions', '2026', '12', '01');
    fs.mkdirSync(day, { recursive: true });
    fs.writeFileSync(path.join(day, `rollout-2026-12-01T06-06-01-${id}.jsonl`), '');
    expect(codexInteractive.transcriptPath(id, '/anywhere', { CODEX_HOME: tmp })).toBe(path.join(day, `rollout-2026-12-01T06-06-01-${id}.jsonl`));
    expect(codexInteractive.transcriptPath('01a23035-0000-0000-0000-000000000000', '/anywhere', { CODEX_HOME: tmp })).toBeNull();
  });

  it('claude: transcriptPath is the project key of the resolved cwd', () => {
    expect(claudeInteractive.transcriptPath('sid', '/a/b.c_d', { HOME: '/h' })).toBe('/h/.claude/projects/-a-b-c-d/sid.jsonl');
    expect(claudeInteractive.transcriptPath('sid', '/a', { HOME: '/h', CLAUDE_CONFIG_DIR: '/c' })).toBe('/c/projects/-a/sid.jsonl');
  });
});
