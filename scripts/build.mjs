// Builds dist/: src/ bundled by esbuild into one CommonJS file (dist/agentctl.cjs) plus a V8
// code cache for it, and a small ESM entry (dist/cli.js) that runs the bundle from that cache.
// Startup time is a product requirement (npm run bench): the cache halves the cost of
// loading zod, execa and commander. Modules stay lazily initialised inside the bundle.
import { build } from 'esbuild';
import { copyFileSync, existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { spawnSync } from 'node:child_process';

// Build beside dist/ and swap it in, so a CLI already running from dist/ (tests, a worker
// pane) never finds it half-written or missing.
rmSync('dist.new', { recursive: true, force: true });
await build({
  entryPoints: ['src/main.ts'],
  outfile: 'dist.new/agentctl.cjs',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minifyWhitespace: true,
  minifySyntax: true,
  // short names make a smaller startup snapshot, which deserialises faster (npm run bench); an
  // internal error's stack then shows minified names: AGENTCTL_NO_SNAPSHOT=1 does not change that
  minifyIdentifiers: true,
  legalComments: 'none',
  logLevel: 'warning',
  // only the supervisor, doctor, mcp and top need these: loaded from node_modules when used, they keep
  // the bundle and its code cache small for the commands that must start fast
  external: ['ajv', '@modelcontextprotocol/sdk', 'fs-ext', 'ink', 'react'],
  define: { 'import.meta.url': '__agentctl_import_meta_url' },
  banner: { js: "const __agentctl_import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
});
// `top`'s full-screen view: Ink loads only as an ES module with top-level await, which the
// CommonJS bundle cannot import from its code cache or snapshot, so it is a module of its own
// that `agentctl top` runs in a child process
await build({
  entryPoints: ['src/cli/top/entry.ts'],
  outfile: 'dist.new/top.mjs',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
  external: ['ajv', '@modelcontextprotocol/sdk', 'fs-ext', 'ink', 'react'],
  // the CommonJS packages bundled in (commander, execa's helpers) call require
  banner: { js: "import { createRequire as __agentctl_cr } from 'node:module'; const require = __agentctl_cr(import.meta.url);" },
});
copyFileSync('scripts/cli-entry.cjs', 'dist.new/cli.js');
// dist/ is CommonJS: no ESM loader start-up for the entry
writeFileSync('dist.new/package.json', '{ "type": "commonjs" }\n');
// Write the code cache: the entry does so when AGENTCTL_WRITE_CODE_CACHE is set.
const warm = spawnSync(process.execPath, ['dist.new/cli.js'], { env: { ...process.env, AGENTCTL_WRITE_CODE_CACHE: '1' }, stdio: 'inherit' });
if (warm.status !== 0) throw new Error('writing the code cache failed');

// The startup snapshot is an accelerator: node refuses a snapshot another binary built, so
// bin/agentctl and the supervisor's command line (src/core/sys/self.ts) use it under one rule:
// the node about to run has the modification time, to the nanosecond, of
// dist/agentctl.blob.stamp, which touch -r copies from the node that built it (the launcher
// compares the two with test's -nt/-ot: no fork). Otherwise, or without it, they run dist/cli.js.
const bundlePath = resolve('dist/agentctl.cjs'); // where the bundle will live after the swap
const snap = spawnSync(process.execPath, ['--snapshot-blob', 'dist.new/agentctl.blob', '--build-snapshot', 'scripts/snapshot-entry.cjs'], {
  env: { ...process.env, AGENTCTL_BUNDLE: bundlePath, AGENTCTL_BUNDLE_SOURCE: resolve('dist.new/agentctl.cjs') },
  encoding: 'utf8',
});
let noSnapshot = null;
if (snap.status !== 0 || !existsSync('dist.new/agentctl.blob')) {
  noSnapshot = (snap.stderr || '').split('\n').filter((l) => l && !/Warning|may still work|issue tracker|out-of-sync|trace-warnings/.test(l)).slice(-3).join(' | ') || `exit ${snap.status}`;
} else {
  writeFileSync('dist.new/agentctl.blob.stamp', '');
  if (spawnSync('touch', ['-r', process.execPath, 'dist.new/agentctl.blob.stamp']).status !== 0) noSnapshot = `touch -r ${process.execPath} failed`;
}
if (noSnapshot) {
  rmSync('dist.new/agentctl.blob', { force: true });
  rmSync('dist.new/agentctl.blob.stamp', { force: true });
  console.warn(`build: no startup snapshot (${noSnapshot}); bin/agentctl runs dist/cli.js`);
}

rmSync('dist.old', { recursive: true, force: true });
if (existsSync('dist')) renameSync('dist', 'dist.old');
renameSync('dist.new', 'dist');
rmSync('dist.old', { recursive: true, force: true });
