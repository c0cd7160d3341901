// land's test command: detection from a branch's files, and running one with a time limit.
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detectTestCommand, logTail, runTestCommand } from '../../src/app/land-test.js';

const tree = (files: Record<string, string>) => ({ names: new Set(Object.keys(files)), read: (p: string) => files[p] ?? null });

describe('detectTestCommand', () => {
  it.each([
    [{ 'package.json': JSON.stringify({ scripts: { test: 'vitest run' } }) }, 'npm test'],
    [{ 'pytest.ini': '[pytest]\n' }, 'pytest'],
    [{ 'pyproject.toml': '[project]\nname = "x"\n\n[tool.pytest.ini_options]\naddopts = "-q"\n' }, 'pytest'],
    [{ 'setup.cfg': '[metadata]\n[tool:pytest]\n' }, 'pytest'],
    [{ 'tox.ini': '[pytest]\n' }, 'pytest'],
    [{ 'conftest.py': '' }, 'pytest'],
    [{ 'pyproject.toml': '[project]\n', tests: '' }, 'pytest'],
    [{ 'go.mod': 'module x\n' }, 'go test ./...'],
    [{ 'Cargo.toml': '[package]\n' }, 'cargo test'],
    // the first that applies wins: a package.json with tests before a go.mod
    [{ 'package.json': JSON.stringify({ scripts: { test: 'jest' } }), 'go.mod': '' }, 'npm test'],
  ])('%j -> %s', async (files, command) => {
    expect(await detectTestCommand(tree(files))).toBe(command);
  });

  it.each([
    [{}],
    [{ 'README.md': '# x\n' }],
    // npm init's placeholder fails by design: it is no test suite
    [{ 'package.json': JSON.stringify({ scripts: { test: 'echo "Error: no test specified" && exit 1' } }) }],
    [{ 'package.json': JSON.stringify({ scripts: { build: 'tsc' } }) }],
    [{ 'package.json': '{ not json' }],
    [{ 'pyproject.toml': '[project]\nname = "x"\n' }],
    [{ tests: '' }],
  ])('%j -> none', async (files) => {
    expect(await detectTestCommand(tree(files))).toBeNull();
  });
});

describe('runTestCommand', () => {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'agentctl-landtest-')));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('records exit code and output; a failing command does not pass', async () => {
    const log = join(dir, 'fail.log');
    const r = await runTestCommand('echo one; echo two >&2; exit 4', { cwd: dir, env: process.env, log, timeoutMs: 10_000 });
    expect(r).toMatchObject({ command: 'echo one; echo two >&2; exit 4', exit_code: 4, passed: false, timed_out: false, log });
    expect(readFileSync(log, 'utf8')).toBe('one\ntwo\n');
    expect(logTail(log, 1)).toBe('two');
  });

  it('kills a command that runs past its limit, with what it started', async () => {
    const log = join(dir, 'slow.log');
    const started = performance.now();
    const r = await runTestCommand('sleep 30 & echo $! > child.pid; wait', { cwd: dir, env: process.env, log, timeoutMs: 300 });
    expect(performance.now() - started).toBeLessThan(5000);
    expect(r).toMatchObject({ passed: false, timed_out: true, exit_code: null });
    const child = Number(readFileSync(join(dir, 'child.pid'), 'utf8'));
    await expect.poll(() => {
      try {
        process.kill(child, 0);
        return readFileSync(`/proc/${child}/stat`, 'utf8').split(') ')[1]!.startsWith('Z');
      } catch {
        return true;
      }
    }).toBe(true);
  });

  it('a passing command passes', async () => {
    const r = await runTestCommand('true', { cwd: dir, env: process.env, log: join(dir, 'ok.log'), timeoutMs: 10_000 });
    expect(r).toMatchObject({ exit_code: 0, passed: true, timed_out: false });
  });
});
