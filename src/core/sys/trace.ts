// AGENTCTL_TRACE=1 prints phase timings to stderr: how `npm run bench` findings are explained.
// The variable is read at each call: a startup snapshot must not freeze the build's value.
export function trace(label: string): void {
  if (process.env.AGENTCTL_TRACE) process.stderr.write(`[trace ${performance.now().toFixed(1)}ms] ${label}\n`);
}
