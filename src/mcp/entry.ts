// What the program's entry (src/main.ts) hands to `agentctl mcp`: the transports and the
// Claude Code registration. Each transport's module loads only its part of the SDK.
export { serveHttp } from './http.js';
export { serveStdio } from './stdio.js';
export { installClaude } from './install.js';
