// dist/cli.js: runs dist/agentctl.cjs through V8's code cache (dist/agentctl.cjs.cache), so a
// command does not re-compile its libraries at every start. A stale or missing cache (another
// Node version) is simply not used: the bundle then compiles as usual.
'use strict';
const { readFileSync, writeFileSync, renameSync } = require('node:fs');
const Module = require('node:module');
const { join } = require('node:path');
const { Script } = require('node:vm');

const bundle = join(__dirname, 'agentctl.cjs');
const cacheFile = `${bundle}.cache`;
const writing = !!process.env.AGENTCTL_WRITE_CODE_CACHE;
let cachedData;
if (!writing) {
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
}
const script = new Script(Module.wrap(readFileSync(bundle, 'utf8')), { filename: bundle, cachedData });
const mod = { exports: {} };
script.runInThisContext()(mod.exports, Module.createRequire(bundle), mod, bundle, __dirname);
if (writing) {
  mod.exports.warmUp().then(() => {
    writeFileSync(`${cacheFile}.tmp`, script.createCachedData());
    renameSync(`${cacheFile}.tmp`, cacheFile);
  });
} else {
  mod.exports.main(process.argv).then((code) => {
    process.exitCode = code;
    // nothing left to run (no timer, child, watcher or socket) and nothing of stdout or stderr
    // still queued for a pipe: exit now rather than tear the heap down first (a few ms)
    const idle = process.getActiveResourcesInfo().every((r) => r === 'PipeWrap' || r === 'TTYWrap');
    if (idle && process.stdout.writableLength === 0 && process.stderr.writableLength === 0) process.exit(code);
  });
}
