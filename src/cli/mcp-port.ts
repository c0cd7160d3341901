// What `agentctl mcp` needs of the MCP front-end, without importing it: the program's entry
// (src/main.ts) plugs the MCP server in, loaded only when an `mcp` command runs.
import type { AppContext } from '../app/context.js';

export interface McpServerSettings {
  maxWaitS: number;
  /** A fresh context per tool call (config.json read afresh). */
  context: () => AppContext;
}

export interface McpFrontEnd {
  serveHttp(server: McpServerSettings, o: { listen: string; tokenFile?: string; home: string; env: NodeJS.ProcessEnv }): Promise<void>;
  serveStdio(server: McpServerSettings): Promise<void>;
  installClaude(ctx: AppContext, o: { name: string; scope?: 'local' | 'project' | 'user'; dryRun?: boolean; http?: string }): Promise<void>;
}

let load: (() => Promise<McpFrontEnd>) | null = null;

export function plugMcp(loader: () => Promise<McpFrontEnd>): void {
  load = loader;
}

export async function mcpFrontEnd(): Promise<McpFrontEnd> {
  if (!load) throw new Error('the MCP server is not plugged in (src/main.ts does it)');
  return load();
}
