// Builds dist/agentctl.blob, a V8 startup snapshot of the bundle with the everyday command
// modules already initialised, so `bin/agentctl` starts nearly as fast as bare node (npm run bench).
// Run by scripts/build.mjs as: node --snapshot-blob dist/agentctl.blob --build-snapshot <this>
// Only built-in modules may load while the snapshot is built; packages the bundle leaves
// external (ajv, the MCP SDK) are required at run time, on first use.
'use strict';
const v8 = require('node:v8');
const Module = require('node:module');
const { readFileSync } = require('node:fs');
const { runInThisContext } = require('node:vm');

const bundle = process.env.AGENTCTL_BUNDLE;
const dist = require('node:path').dirname(bundle);
let building = true;
let runtimeRequire = null;
function bundleRequire(id) {
  if (Module.isBuiltin(id)) return require(id);
  if (building) throw new Error(`not available while building the snapshot: ${id}`);
  runtimeRequire ??= Module.createRequire(bundle);
  return runtimeRequire(id);
}

const mod = { exports: {} };
// the source may still sit in dist.new/ while dist/ is rebuilt; it is named by its final path
runInThisContext(Module.wrap(readFileSync(process.env.AGENTCTL_BUNDLE_SOURCE || bundle, 'utf8')), { filename: bundle })(mod.exports, bundleRequire, mod, bundle, dist);
mod.exports.warmUp({ snapshot: true }).catch((err) => {
  process.stderr.write(`snapshot warm-up failed: ${err.message}\n`);
  process.exitCode = 1;
});

v8.startupSnapshot.setDeserializeMainFunction(() => {
  building = false;
  // argv from the shim is `node --snapshot-blob BLOB -- ARGS...`: put the bundle where a script goes
  mod.exports.main([process.argv[0], bundle, ...process.argv.slice(1)]).then((code) => {
    process.exitCode = code;
    // nothing left to run (no timer, child, watcher or socket) and nothing of stdout or stderr
    // still queued for a pipe: exit now rather than tear the heap down first (a few ms)
    const idle = process.getActiveResourcesInfo().every((r) => r === 'PipeWrap' || r === 'TTYWrap');
    if (idle && process.stdout.writableLength === 0 && process.stderr.writableLength === 0) process.exit(code);
  });
});
