import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // integration files each run their own tmux server; two at a time fits a 2-core machine
    maxWorkers: 2,
    fileParallelism: true,
    // the JSON report lets .ci/run print a plain "N passed, N failed" closing line
    reporters: ['default', ['json', { outputFile: '.vitest-report.json' }]],
  },
});
