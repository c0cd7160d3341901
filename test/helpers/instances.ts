// Instance records and hook payloads for the instance engine's tests: payloads shaped as the
// agents send them (docs: agent-cli-contracts, "Interactive sessions"), delivered by running the
// real hook command lines the engine generates.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordHookCommand, notifyArgv } from '../../src/core/instances/events.js';
import { createInstance } from '../../src/core/instances/record.js';
import { newInstanceRecord } from '../../src/core/instances/spawn.js';
import { instanceFiles, type InstanceFiles } from '../../src/core/instances/paths.js';
import type { InstanceRecord } from '../../src/core/instances/types.js';

export function tempHome(prefix = 'agentctl-inst-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A record as spawn makes it (core/instances/spawn.ts newInstanceRecord), with `over` on top. */
export function makeRecord(over: Partial<InstanceRecord> & { id: string }): InstanceRecord {
  const base = newInstanceRecord({
    id: over.id,
    name: over.id,
    role: null,
    agent: 'claude',
    model: null,
    permissions: 'ask',
    project: null,
    project_dir: '/tmp',
    cwd: '/tmp',
    worktree: null,
    parent: null,
    tmux: { socket: null, socket_name: null, session: null, pane: null },
  });
  return { ...base, ...over };
}

export function newInstance(home: string, over: Partial<InstanceRecord> & { id: string }): InstanceFiles {
  createInstance(home, makeRecord(over));
  return instanceFiles(home, over.id);
}

/** Runs the record hook exactly as an agent does: `sh -c LINE` with the JSON payload on stdin. */
export function fireHook(files: InstanceFiles, payload: Record<string, unknown>): void {
  const r = spawnSync('sh', ['-c', recordHookCommand(files)], { input: JSON.stringify(payload) });
  if (r.status !== 0) throw new Error(`hook exited ${r.status}: ${r.stderr}`);
}

/** codex notify: argv with the payload appended as the last argument. */
export function fireNotify(files: InstanceFiles, payload: Record<string, unknown>): void {
  const [cmd, ...args] = notifyArgv(files);
  execFileSync(cmd!, [...args, JSON.stringify(payload)]);
}

const SID = '11111111-2222-3333-4444-555555555555';

/** Claude hook payloads (Claude Code 2.1.x shapes). */
export const claude = {
  sid: SID,
  base: (hook: string, extra: Record<string, unknown> = {}) => ({
    session_id: SID,
    transcript_path: `/home/u/.claude/projects/-tmp/${SID}.jsonl`,
    cwd: '/tmp',
    hook_event_name: hook,
    ...extra,
  }),
};

export const codex = {
  sid: '019a0000-0000-7000-8000-000000000001',
  base: (hook: string, extra: Record<string, unknown> = {}) => ({
    session_id: '019a0000-0000-7000-8000-000000000001',
    transcript_path: '/home/u/.codex/sessions/2026/12/01/rollout-2026-12-01T05-00-00-019a0000-0000-7000-8000-000000000001.jsonl',
    cwd: '/tmp',
    hook_event_name: hook,
    ...extra,
  }),
};
