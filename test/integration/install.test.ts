// install.sh on a copy of the checkout, with a logging `npm` first on PATH (the real install and
// build already happened for this test run: the fake links node_modules' entries, never the
// checkout's node_modules itself, where install.sh writes its stamp, and copies dist/), a
// throwaway HOME, CODEX_HOME and prefix, and a `codex` on PATH or not.
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa, execaSync } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'smol-toml';
import { ROOT } from '../helpers/harness.js';

let root: string;
let checkout: string;
let npmLog: string;
let bin: string;

beforeAll(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'agentctl-install-')));
  checkout = join(root, 'checkout');
  mkdirSync(checkout);
  // the tracked files (and the working tree's edits to them), as a clone would have them
  const files = execaSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT }).stdout.split('\0').filter(Boolean);
  for (const f of files) if (existsSync(join(ROOT, f))) cpSync(join(ROOT, f), join(checkout, f), { recursive: true });
  bin = join(root, 'fakebin');
  mkdirSync(bin);
  npmLog = join(root, 'npm.log');
  writeFileSync(
    join(bin, 'npm'),
    `#!/bin/sh
echo "$*" >> '${npmLog}'
case "$1" in
  --version) echo 11.0.0 ;;
  ci|install) echo "npm http fetch GET 200 some-package 5ms"; rm -rf node_modules; mkdir node_modules
    for e in '${join(ROOT, 'node_modules')}'/* '${join(ROOT, 'node_modules')}'/.bin; do ln -s "$e" node_modules/; done ;;
  run) [ "$2" = build ] && rm -rf dist && cp -r '${join(ROOT, 'dist')}' dist ;;
esac
`,
  );
  chmodSync(join(bin, 'npm'), 0o755);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Home {
  home: string;
  codexHome: string;
  env: Record<string, string>;
}

function freshHome(name: string, o: { codex: boolean }): Home {
  const home = join(root, name);
  const codexHome = join(home, '.codex');
  mkdirSync(home);
  const paths = [bin];
  if (o.codex) {
    const codexBin = join(home, 'codexbin');
    mkdirSync(codexBin);
    writeFileSync(join(codexBin, 'codex'), '#!/bin/sh\necho codex-cli 0.169.0\n');
    chmodSync(join(codexBin, 'codex'), 0o755);
    paths.push(codexBin);
  }
  const env: Record<string, string> = {
    PATH: [...paths, dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(':'),
    HOME: home,
    SHELL: '/bin/sh',
    CODEX_HOME: codexHome,
    AI_ORCH_HOME: join(home, 'ws'),
    AGENTCTL_TMUX_SOCKET: join(home, 'tmux.sock'),
  };
  return { home, codexHome, env };
}

const install = (h: Home, args: string[] = []) =>
  execa(join(checkout, 'install.sh'), ['--prefix', join(h.home, 'prefix'), ...args], { env: h.env, extendEnv: false, reject: false, cwd: h.home, timeout: 120_000 });

const npmCalls = (): string[] => (existsSync(npmLog) ? readFileSync(npmLog, 'utf8').trim().split('\n').filter((l) => l && l !== '--version') : []);

describe('install.sh', () => {
  it('first run installs, builds, moves legacy codex tables into profile files; the second run skips npm ci and the build', async () => {
    const h = freshHome('legacy', { codex: true });
    mkdirSync(h.codexHome);
    const legacy = 'model = "gpt-5.5"\nprofile = "spark"\n\n[profiles.spark]\nmodel = "mini"\n\n[profiles.deep]\nmodel = "max"\n';
    writeFileSync(join(h.codexHome, 'config.toml'), legacy);

    const first = await install(h);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stdout).toContain('the first install downloads packages from the npm registry');
    expect(first.stdout).toContain('install:   npm http fetch GET 200'); // npm's progress, shown
    expect(npmCalls().filter((c) => c.startsWith('ci') || c.startsWith('run build'))).toHaveLength(2);
    expect(first.stdout).toMatch(/backed up .*config\.toml to .*config\.toml\.bak\.\d{8}-\d{6}/);
    expect(first.stdout).toContain(`moved [profiles.spark] from ${join(h.codexHome, 'config.toml')} to ${join(h.codexHome, 'spark.config.toml')}`);
    expect(first.stdout).toContain(`wrote codex profile review to ${join(h.codexHome, 'review.config.toml')}`);
    expect(parse(readFileSync(join(h.codexHome, 'spark.config.toml'), 'utf8'))).toEqual({ model: 'mini' });
    expect(parse(readFileSync(join(h.codexHome, 'deep.config.toml'), 'utf8'))).toEqual({ model: 'max' });
    expect(parse(readFileSync(join(h.codexHome, 'config.toml'), 'utf8'))).toEqual({ model: 'gpt-5.5' });
    const backups = readdirSync(h.codexHome).filter((f) => f.startsWith('config.toml.bak.'));
    expect(backups).toHaveLength(1);
    expect(readFileSync(join(h.codexHome, backups[0]!), 'utf8')).toBe(legacy);
    // a login shell (sh -l) has no idea of the temporary prefix: new tmux panes would miss agentctl
    expect(first.stderr).toContain(`${join(h.home, 'prefix', 'bin')} is not on the PATH of a login shell`);

    writeFileSync(npmLog, '');
    const second = await install(h);
    expect(second.exitCode, second.stderr).toBe(0);
    expect(second.stdout).toContain('dependencies up to date (npm ci skipped)');
    expect(second.stdout).toContain('build up to date (npm run build skipped)');
    expect(npmCalls()).toEqual([]);
    expect(readdirSync(h.codexHome).filter((f) => f.startsWith('config.toml.bak.'))).toHaveLength(1);
  });

  it('leaves the codex home alone when codex is not installed', async () => {
    const h = freshHome('nocodex', { codex: false });
    const r = await install(h);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('codex not installed: codex profiles not written');
    expect(existsSync(h.codexHome)).toBe(false);
  });

  it('--skip-codex leaves legacy tables where they are', async () => {
    const h = freshHome('skip', { codex: true });
    mkdirSync(h.codexHome);
    writeFileSync(join(h.codexHome, 'config.toml'), '[profiles.spark]\nmodel = "mini"\n');
    const r = await install(h, ['--skip-codex']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readdirSync(h.codexHome)).toEqual(['config.toml']);
  });

  it('a login shell that has the bin directory on its PATH gets no warning', async () => {
    const h = freshHome('onpath', { codex: false });
    const prefixBin = join(h.home, 'prefix', 'bin');
    writeFileSync(join(h.home, '.profile'), `PATH="${prefixBin}:$PATH"\nexport PATH\n`);
    const r = await install(h);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('is not on the PATH of a login shell');
  });
});
