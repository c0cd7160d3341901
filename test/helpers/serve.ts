// `agentctl serve --http 127.0.0.1:0` for tests: started as a real child process of the built
// CLI, resolved once it says where it listens; the workspace's token read from its file.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, type TestEnv, waitFor } from './harness.js';

export interface Served {
  base: string;
  port: number;
  token: string;
  child: ChildProcess;
  stderr: () => string;
  stop(): Promise<void>;
}

export async function startServe(t: TestEnv, o: { home?: string; env?: Record<string, string> } = {}): Promise<Served> {
  const home = o.home ?? t.home;
  const child = spawn(BIN, ['--home', home, 'serve', '--http', '127.0.0.1:0'], { env: { ...t.env, ...o.env } as NodeJS.ProcessEnv, cwd: t.root, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err += String(d)));
  let exited = false;
  child.on('exit', () => (exited = true));
  const port = await waitFor(() => {
    if (exited) throw new Error(`agentctl serve exited: ${err}`);
    return Number(/serving the dashboard on http:\/\/127\.0\.0\.1:(\d+)\//.exec(err)?.[1] ?? 0);
  }, 20_000, 'the server to listen');
  return {
    base: `http://127.0.0.1:${port}`,
    port,
    token: o.env?.AGENTCTL_MCP_TOKEN ?? readFileSync(join(home, 'mcp-token'), 'utf8').trim(),
    child,
    stderr: () => err,
    async stop() {
      if (exited) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    },
  };
}
