// Roles: the built-in prompt files with their default models, a workspace's own roles, the
// config's overrides, and the error that lists what exists.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILTIN_ROLES, listRoles, resolveRole } from '../../src/core/instances/roles.js';
import { AppError } from '../../src/core/sys/errors.js';
import { cliWording } from '../../src/cli/wording.js';
import { inProcessWorkspace } from '../helpers/inprocess.js';

const w = inProcessWorkspace();
const setConfig = (cfg: object) => writeFileSync(join(w.home, 'config.json'), JSON.stringify(cfg));

describe('roles', () => {
  it('every built-in role has a prompt file that says how to report and when to ask', () => {
    for (const name of ['architect', 'developer', 'reviewer', 'tester', 'documenter', 'researcher']) {
      const r = resolveRole(w.ctx(), name);
      expect(r).toMatchObject({ name, source: 'built-in', agent: null });
      expect(r.text).toMatch(new RegExp(`^# Role: ${name}\\n`));
      expect(r.text).toContain('How you report');
      expect(r.text).toContain('When to ask');
    }
    expect(Object.keys(BUILTIN_ROLES)).toHaveLength(6);
  });

  it('planning roles get the strong model for claude, the others the agent default; codex keeps its own default', () => {
    setConfig({});
    expect(resolveRole(w.ctx(), 'architect').model).toBe('opus');
    expect(resolveRole(w.ctx(), 'reviewer').model).toBe('opus');
    expect(resolveRole(w.ctx(), 'developer').model).toBeNull();
    expect(resolveRole(w.ctx(), 'architect', { agent: 'codex' }).model).toBeNull();
    setConfig({ default_instance_agent: 'codex' });
    expect(resolveRole(w.ctx(), 'researcher').model).toBeNull();
  });

  it('config roles.NAME sets model and agent; a workspace file replaces or adds a role', () => {
    setConfig({ roles: { developer: { model: 'sonnet', agent: 'codex' }, security: { model: 'opus' } } });
    expect(resolveRole(w.ctx(), 'developer')).toMatchObject({ model: 'sonnet', agent: 'codex', source: 'built-in' });
    mkdirSync(join(w.home, 'roles'), { recursive: true });
    writeFileSync(join(w.home, 'roles', 'security.md'), '# Security auditor\n\nLook for holes.\n');
    writeFileSync(join(w.home, 'roles', 'tester.md'), 'Only run the smoke tests.\n');
    expect(resolveRole(w.ctx(), 'security')).toMatchObject({ name: 'security', text: '# Security auditor\n\nLook for holes.', model: 'opus', source: 'workspace', file: join(w.home, 'roles', 'security.md') });
    expect(resolveRole(w.ctx(), 'tester')).toMatchObject({ text: 'Only run the smoke tests.', source: 'workspace' });
    const listed = listRoles(w.ctx());
    expect(listed.map((r) => r.name)).toEqual(['architect', 'developer', 'reviewer', 'tester', 'documenter', 'researcher', 'security']);
    expect(listed.find((r) => r.name === 'security')).toMatchObject({ description: 'Security auditor', model: 'opus' });
    expect(listed[0]).toMatchObject({ description: 'Role: architect' });
    setConfig({});
  });

  it('an unknown role (or a name that is a path) is refused with the roles there are', () => {
    for (const name of ['chef', '../developer', 'developer.md']) {
      let err: unknown;
      try {
        resolveRole(w.ctx(), name);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).render(cliWording)).toBe(
        `unknown role ${JSON.stringify(name)}: use one of architect, developer, reviewer, tester, documenter, researcher, security, or add your own as ${join(w.home, 'roles', 'NAME.md')}`,
      );
    }
  });
});
