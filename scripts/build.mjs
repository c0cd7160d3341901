// Builds dist/: src/ bundled by esbuild into one CommonJS file (dist/agentctl.cjs) plus a V8
// code cache for it, and a small ESM entry (dist/cli.js) that runs the bundle from that cache.
// Startup time is a product requirement (npm run bench): the cache halves the cost of
// loading zod, execa and commander. Modules stay lazily initialised inside the bundle.
import { build } from 'esbuild';
import { copyFileSync, existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

// Build beside dist/ and swap it in, so a CLI already running from dist/ (tests, a worker
// pane) never finds it half-written or missing.
rmSync('dist.new', { recursive: true, force: true });
await build({
  entryPoints: ['src/cli.ts'],
  outfile: 'dist.new/agentctl.cjs',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
  // only the supervisor and doctor need these: loaded from node_modules when used, they keep
  // the bundle and its code cache small for the commands that must start fast
  external: ['ajv', 'simple-git'],
  define: { 'import.meta.url': '__agentctl_import_meta_url' },
  banner: { js: "const __agentctl_import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
});
copyFileSync('scripts/cli-entry.cjs', 'dist.new/cli.js');
// dist/ is CommonJS: no ESM loader start-up for the entry
writeFileSync('dist.new/package.json', '{ "type": "commonjs" }\n');
// Write the code cache: the entry does so when AGENTCTL_WRITE_CODE_CACHE is set.
const warm = spawnSync(process.execPath, ['dist.new/cli.js'], { env: { ...process.env, AGENTCTL_WRITE_CODE_CACHE: '1' }, stdio: 'inherit' });
if (warm.status !== 0) throw new Error('writing the code cache failed');

rmSync('dist.old', { recursive: true, force: true });
if (existsSync('dist')) renameSync('dist', 'dist.old');
renameSync('dist.new', 'dist');
rmSync('dist.old', { recursive: true, force: true });
