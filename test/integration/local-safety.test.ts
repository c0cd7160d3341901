// What the files and the environment a caller names may do to agentctl, and what agentctl may
// hand on: a secrets file given as a schema is never quoted back, a FIFO or a device given as a
// prompt or schema never blocks, a workspace that is a file is one clear error, and workers
// never see the MCP server's token.
import { execaSync } from 'execa';
import { openSync, closeSync, ftruncateSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type RunResult, type TestEnv, suiteEnv } from '../helpers/harness.js';

let t: TestEnv;
suiteEnv((env) => (t = env));

/** One `agentctl: ...` line on stderr, exit 2, nothing on stdout; returns the line. */
function usageError(r: RunResult): string {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.split('\n').filter(Boolean);
  expect(lines, r.stderr).toHaveLength(1);
  return lines[0]!;
}

describe('a file given as a schema is never quoted in an error', () => {
  it('a secrets file given as --schema: the error names the file and the problem, not its bytes', async () => {
    const repo = t.repo('quote');
    const secrets = join(t.root, 'secrets.env');
    writeFileSync(secrets, 'AWS_SECRET=hunter2-do-not-print\n');
    const line = usageError(await t.run(['start', '--project', repo, '--agent', 'claude', '--schema', secrets], { input: 'x' }));
    expect(line).toBe(`agentctl: schema file ${secrets} is not valid JSON (a syntax error): fix the file`);
    // a syntax error further in says where, still without the text
    const broken = join(t.root, 'broken.json');
    writeFileSync(broken, '{\n  "password": "hunter2",\n}\n');
    const line2 = usageError(await t.run(['start', '--project', repo, '--agent', 'claude', '--schema', broken], { input: 'x' }));
    expect(line2).toBe(`agentctl: schema file ${broken} is not valid JSON (a syntax error at line 3 column 1): fix the file`);
    expect(line2).not.toContain('hunter2');
  });

  it('a broken config.json is named with where it breaks, never what it holds', async () => {
    const home = join(t.root, 'ws-broken');
    expect((await t.run(['--home', home, 'init'])).code).toBe(0);
    writeFileSync(join(home, 'config.json'), 'token=hunter2\n');
    const line = usageError(await t.run(['--home', home, 'start', '--agent', 'shell', '--', 'true']));
    expect(line).toMatch(/config\.json is not valid JSON \(a syntax error\)/);
    expect(line).not.toContain('hunter2');
  });
});

describe('a FIFO, a device or a huge file given as a prompt file or schema', () => {
  const fifo = () => {
    const p = join(t.root, `fifo-${Math.random().toString(36).slice(2)}`);
    execaSync('mkfifo', [p]);
    return p;
  };
  // a FIFO nobody writes to: opening it for reading would block the process for good
  it('is refused at once, with a one-line error naming it', async () => {
    const repo = t.repo('fifo');
    const f = fifo();
    const p = usageError(await t.run(['start', '--project', repo, '--agent', 'claude', '--prompt-file', f], { timeoutMs: 15_000 }));
    expect(p).toBe(`agentctl: cannot read --prompt-file ${f}: not a regular file (a FIFO)`);
    const s = usageError(await t.run(['start', '--project', repo, '--agent', 'claude', '--schema', f], { input: 'x', timeoutMs: 15_000 }));
    expect(s).toBe(`agentctl: cannot read schema file ${f}: not a regular file (a FIFO): give an existing JSON Schema file`);
    const d = usageError(await t.run(['start', '--project', repo, '--agent', 'claude', '--prompt-file', '/dev/zero'], { timeoutMs: 15_000 }));
    expect(d).toBe('agentctl: cannot read --prompt-file /dev/zero: not a regular file (a device)');
    const z = usageError(await t.run(['start', '--project', repo, '--agent', 'claude', '--schema', '/dev/zero'], { input: 'x', timeoutMs: 15_000 }));
    expect(z).toBe('agentctl: cannot read schema file /dev/zero: not a regular file (a device): give an existing JSON Schema file');
    // ...but /dev/null is the usual "no prompt", as before
    const id = await t.start(['--project', repo, '--agent', 'shell', '--prompt-file', '/dev/null', '--', 'true']);
    expect((await t.run(['wait', '--timeout', '60', id])).code).toBe(0);
  });

  it('a file over the limit is refused without being read', async () => {
    const repo = t.repo('huge');
    const sparse = (name: string, bytes: number) => {
      const p = join(t.root, name);
      const fd = openSync(p, 'w');
      ftruncateSync(fd, bytes);
      closeSync(fd);
      return p;
    };
    const prompt = sparse('huge-prompt.md', 17 * 1024 * 1024);
    expect(usageError(await t.run(['start', '--project', repo, '--agent', 'claude', '--prompt-file', prompt]))).toBe(
      `agentctl: cannot read --prompt-file ${prompt}: larger than 16 MB (17 MB)`,
    );
    const schema = sparse('huge-schema.json', 2 * 1024 * 1024);
    expect(usageError(await t.run(['start', '--project', repo, '--agent', 'claude', '--schema', schema], { input: 'x' }))).toBe(
      `agentctl: cannot read schema file ${schema}: larger than 1 MB (2 MB): make it smaller (agents get the schema on their command line: at most 100 KB as compact JSON)`,
    );
  });
});

describe('a workspace that is a file', () => {
  it('is one line naming it and the fix, exit 2, for every command and the MCP server', async () => {
    const file = join(t.root, 'not-a-dir');
    writeFileSync(file, 'x');
    const expected = `agentctl: --home ${file} is a file, not a directory: give a directory (created when missing), or move the file away`;
    for (const args of [['init'], ['list'], ['projects'], ['show', 'abc'], ['doctor'], ['start', '--agent', 'shell', '--', 'true'], ['mcp'], ['mcp', '--http', '127.0.0.1:0'], ['clean', '--dry-run']]) {
      const r = await t.run(['--home', file, ...args], { input: '' });
      expect(usageError(r), args.join(' ')).toBe(expected);
    }
    const below = join(file, 'ws');
    expect(usageError(await t.run(['--home', below, 'list']))).toBe(
      `agentctl: --home ${below} is inside a file, not a directory: give a directory (created when missing), or move the file away`,
    );
    // the same from the environment, named as such
    expect(usageError(await t.run(['list'], { env: { AI_ORCH_HOME: file } }))).toBe(
      `agentctl: AI_ORCH_HOME ${file} is a file, not a directory: give a directory (created when missing), or move the file away`,
    );
  });
});

describe('workers and the MCP token', () => {
  it('a run started from the CLI does not see AGENTCTL_MCP_TOKEN', async () => {
    const repo = t.repo('token');
    const out = join(t.root, 'worker-env.txt');
    const id = await t.start(['--project', repo, '--agent', 'shell', '--', 'sh', '-c', `env > ${out}`], undefined, {
      env: { AGENTCTL_MCP_TOKEN: 'cli-secret-789' },
    });
    expect((await t.run(['wait', '--timeout', '60', id])).code).toBe(0);
    const env = readFileSync(out, 'utf8');
    expect(env).toContain(`AGENTCTL_RUN_ID=${id}`);
    expect(env).not.toContain('AGENTCTL_MCP_TOKEN');
    expect(env).not.toContain('cli-secret-789');
  });
});
