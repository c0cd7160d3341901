// The MCP server: the tool table (src/mcp/tools) registered on the SDK's McpServer. Tool errors
// carry the AppError's problem and fix in a model's words (mcpWording).
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import * as z from 'zod';
import type { AppContext } from '../app/context.js';
import { AppError } from '../core/sys/errors.js';
import { VERSION } from '../version.js';
import { TOOLS } from './tools/index.js';
import type { ToolSettings } from './tools/tool.js';
import { mcpWording } from './wording.js';

export interface ServerContext extends ToolSettings {
  /** A fresh context per tool call: the workspace, and the environment and directory workers get. */
  context: () => AppContext;
  /** Aborted when the server shuts down: ends waits in progress. */
  shutdown: AbortSignal;
}

const INSTRUCTIONS = `agentctl runs coding-agent workers (Codex CLI, Claude Code, Gemini CLI, or any shell command) in tmux panes, in parallel, and records each run on disk. Typical loop: start_run (returns a run id at once), then wait_runs until it ends, then read its summary, followup_prompt and outcome; resume_run or escalate_run to continue a run that missed its goal. To keep parallel workers on one git repository apart, start them with worktree: true: each works on its own branch in its own checkout; then run_diff to review a run's change, merge_run to bring it into the project's current branch, discard_run to throw it away. For a team member you talk to again and again (an architect, a developer you hand task after task), spawn_instance starts a persistent interactive agent that keeps its context: send_to_instance (wait: true for the reply), answer_permission when it asks, interrupt_instance to redirect it, terminate_instance when done. Runs and instances are shared with the agentctl CLI and other agentctl servers through the workspace on disk.`;

type Handler = (args: Record<string, unknown>, extra: { signal: AbortSignal }) => Promise<CallToolResult>;
interface Registration {
  name: string;
  config: { title: string; description: string; inputSchema: z.ZodRawShape; outputSchema: z.ZodObject; annotations: ToolAnnotations };
  handler: Handler;
}

/** Each tool's definition and handler, made once for the server's life. */
export function toolRegistrations(ctx: ServerContext): Registration[] {
  return TOOLS.map((tool) => {
    const def = typeof tool.definition === 'function' ? tool.definition(ctx) : tool.definition;
    const handler: Handler = async (args, extra) => {
      try {
        const call = { ctx: ctx.context(), signal: AbortSignal.any([extra.signal, ctx.shutdown]), settings: { maxWaitS: ctx.maxWaitS } };
        const { data, text, error } = await tool.run(args, call);
        return { ...(error ? { isError: true } : {}), content: [{ type: 'text', text }], structuredContent: data as Record<string, unknown> };
      } catch (err) {
        if (err instanceof AppError) return { isError: true, content: [{ type: 'text', text: err.render(mcpWording) }] };
        const e = err as Error;
        process.stderr.write(`agentctl mcp: internal error in ${def.name}: ${e?.stack ?? String(err)}\n`);
        return { isError: true, content: [{ type: 'text', text: `internal error: ${e?.message ?? String(err)} (a bug in agentctl: please report it)` }] };
      }
    };
    // loose at the top: a record (show_run) carries more fields than the schema names
    const config = { title: def.title, description: def.description, inputSchema: def.input, outputSchema: z.looseObject(def.output), annotations: def.annotations };
    return { name: def.name, config, handler };
  });
}

/** A server offering the tools; one per transport (the SDK connects a server to one transport only). */
export function createServer(tools: readonly Registration[]): McpServer {
  const server = new McpServer({ name: 'agentctl', version: VERSION }, { instructions: INSTRUCTIONS });
  // the SDK's generics cannot follow a shape passed through a variable
  const register = server.registerTool.bind(server) as (n: string, c: Registration['config'], h: Handler) => unknown;
  for (const t of tools) register(t.name, t.config, t.handler);
  return server;
}
