import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'smol-toml';
import { inspectProfiles, moveLines, moveProfiles } from '../../src/agents/codex-profiles.js';

const templates = path.resolve(__dirname, '../../config/codex');
const NAMES = ['spark', 'deep', 'review'];
let home: string;
const file = (name: string) => path.join(home, name);
const read = (name: string) => fs.readFileSync(file(name), 'utf8');

beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'codex-home-'));
});
afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

const LEGACY = `# my settings
model = "gpt-5.5"
profile = "spark"

[sandbox_workspace_write]
network_access = true

# spark: fast
[profiles.spark]
model = "mini"   # cheap
model_reasoning_effort = "low"

[profiles.spark.sandbox_workspace_write]
network_access = false

[profiles."deep"]
model = "max"

[projects."/src/app"]
trust_level = "trusted"
`;

describe('codex profile files', () => {
  it('inspect: legacy tables and the selector make -p fail; missing files are named', () => {
    fs.writeFileSync(file('config.toml'), LEGACY);
    fs.writeFileSync(file('review.config.toml'), 'model = "x"\n');
    const s = inspectProfiles(home, NAMES);
    expect(s).toMatchObject({ legacy: ['spark', 'deep'], selector: 'spark', missing: [], unreadable: null });
    fs.rmSync(file('review.config.toml'));
    expect(inspectProfiles(home, NAMES).missing).toEqual(['review']);
  });

  it('moves legacy tables into NAME.config.toml, comments out the selector, keeps everything else, and backs up first', () => {
    fs.writeFileSync(file('config.toml'), LEGACY);
    const r = moveProfiles(home, NAMES, templates, new Date(2026, 11, 1, 9, 30, 5));
    expect(r.problems).toEqual([]);
    expect(r.backup).toBe(`${file('config.toml')}.bak.20261201-093005`);
    expect(read('config.toml.bak.20261201-093005')).toBe(LEGACY);
    expect(r.written.map((w) => [w.name, w.from])).toEqual([
      ['spark', 'config.toml'],
      ['deep', 'config.toml'],
      ['review', 'template'],
    ]);
    expect(parse(read('spark.config.toml'))).toEqual({ model: 'mini', model_reasoning_effort: 'low', sandbox_workspace_write: { network_access: false } });
    expect(read('spark.config.toml')).toContain('# spark: fast');
    expect(parse(read('deep.config.toml'))).toEqual({ model: 'max' });
    expect(parse(read('review.config.toml'))).toMatchObject({ sandbox_mode: 'read-only' });
    const cfg = read('config.toml');
    expect(parse(cfg)).toEqual({ model: 'gpt-5.5', sandbox_workspace_write: { network_access: true }, projects: { '/src/app': { trust_level: 'trusted' } } });
    expect(cfg).toContain('# my settings');
    expect(cfg).toMatch(/^# profile = "spark"/m);
    expect(r.selector_disabled).toBe('spark');
    expect(inspectProfiles(home, NAMES)).toMatchObject({ legacy: [], selector: null, missing: [] });
    expect(moveLines(r)).toContain(`moved [profiles.spark] from ${file('config.toml')} to ${file('spark.config.toml')}`);
  });

  it('never overwrites an existing profile file; a second run changes nothing', () => {
    fs.writeFileSync(file('config.toml'), '[profiles.spark]\nmodel = "old"\n');
    fs.writeFileSync(file('spark.config.toml'), 'model = "mine"\n');
    const r = moveProfiles(home, NAMES, templates);
    expect(read('spark.config.toml')).toBe('model = "mine"\n');
    expect(r.dropped).toEqual(['spark']);
    expect(parse(read('config.toml'))).toEqual({});
    const again = moveProfiles(home, NAMES, templates);
    expect(again).toMatchObject({ backup: null, written: [], dropped: [], problems: [] });
  });

  it('a fresh codex home gets the three templates and no config.toml', () => {
    const r = moveProfiles(home, NAMES, templates);
    expect(r.written.map((w) => w.name)).toEqual(NAMES);
    expect(fs.existsSync(file('config.toml'))).toBe(false);
    expect(r.backup).toBeNull();
  });

  it('a table written in a form it does not edit (dotted keys) is left alone with a fix', () => {
    const text = 'profiles.spark.model = "x"\n';
    fs.writeFileSync(file('config.toml'), text);
    const r = moveProfiles(home, ['spark'], templates);
    expect(r.problems[0]).toMatch(/could not move \[profiles\.spark\] out of .*config\.toml automatically.*move each \[profiles\.NAME\] table's keys into/);
    expect(read('config.toml')).toBe(text);
    expect(fs.existsSync(file('spark.config.toml'))).toBe(false);
    expect(fs.readdirSync(home).filter((f) => f.includes('.bak.'))).toEqual([]);
  });

  it('an unparsable config.toml is reported, not edited, and not quoted', () => {
    fs.writeFileSync(file('config.toml'), 'secret = "sk-123\n[profiles.spark]\n');
    const r = moveProfiles(home, ['spark'], templates);
    expect(r.problems[0]).toMatch(/is not valid TOML/);
    expect(r.problems[0]).not.toContain('sk-123');
    expect(read('config.toml')).toBe('secret = "sk-123\n[profiles.spark]\n');
  });
});
