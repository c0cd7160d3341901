// AGENTCTL_TRACE=1 prints phase timings to stderr: how `npm run bench` findings are explained.
const on = !!process.env.AGENTCTL_TRACE;
const t0 = performance.now();

export function trace(label: string): void {
  if (on) process.stderr.write(`[trace ${performance.now().toFixed(1)}ms since process start, ${(performance.now() - t0).toFixed(1)}ms since load] ${label}\n`);
}
