// What `agentctl serve` needs of the HTTP server (dashboard, /mcp, health, metrics), without
// importing it: the program's entry (src/main.ts) plugs it in, loaded only when `serve` runs.
import type { McpServerSettings } from './mcp-port.js';

export interface ServeOptions {
  listen: string;
  tokenFile?: string;
  home: string;
  env: NodeJS.ProcessEnv;
  /** Where the sign-in link and the log go (stderr). */
  log: NodeJS.WritableStream & { isTTY?: boolean };
}

export interface ServerFrontEnd {
  serve(settings: McpServerSettings, o: ServeOptions): Promise<void>;
}

let load: (() => Promise<ServerFrontEnd>) | null = null;

export function plugServer(loader: () => Promise<ServerFrontEnd>): void {
  load = loader;
}

export async function serverFrontEnd(): Promise<ServerFrontEnd> {
  if (!load) throw new Error('the HTTP server is not plugged in (src/main.ts does it)');
  return load();
}
