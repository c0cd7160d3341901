// The program's entry (scripts/build.mjs bundles this file): the CLI, with the MCP server plugged
// in for `agentctl mcp`. The two front-ends never import each other; this is where they meet.
import { plugMcp } from './cli/mcp-port.js';
import { plugServer } from './cli/server-port.js';

plugMcp(() => import('./mcp/entry.js'));
plugServer(() => import('./server/entry.js'));

export { main, runCli, warmUp } from './cli/main.js';
