#!/usr/bin/env node
// Re-records the golden files in this directory from the REAL interactive TUIs, offline: runs
// the shared hook-contract test (test/integration/real-interactive.test.ts) against the real
// claude and codex with AGENTCTL_RECORD_INTERACTIVE=1, which saves each session's
// transcript/rollout (<agent>/<case>.jsonl) and its hook payloads in order (<case>.hooks.jsonl),
// with this machine's paths replaced by <repo>, <home>, <root>, and entries over 4 KB that no reader
// needs (system prompts, tool lists, request snapshots) left out.
//
//   AGENTCTL_REAL_CLIS=<bin dir with the pinned claude and codex> node test/golden/interactive/record.mjs
//
// Install the pinned versions outside the repository (docs/agent-clis.md, "Versions"), e.g.
//   npm install --prefix /tmp/agentclis @openai/codex@0.171.0 @anthropic-ai/claude-code@2.1.332
//   AGENTCTL_REAL_CLIS=/tmp/agentclis/node_modules/.bin node test/golden/interactive/record.mjs
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
if (!process.env.AGENTCTL_REAL_CLIS) {
  process.stderr.write('record.mjs: set AGENTCTL_REAL_CLIS to a bin directory holding the pinned claude and codex\n');
  process.exit(2);
}
const r = spawnSync('npx', ['vitest', 'run', 'test/integration/real-interactive.test.ts', '-t', 'real'], {
  cwd: ROOT,
  stdio: 'inherit',
  env: { ...process.env, AGENTCTL_RECORD_INTERACTIVE: '1' },
});
process.exit(r.status ?? 1);
