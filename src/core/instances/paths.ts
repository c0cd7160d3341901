import { join } from 'node:path';

/** Files of one instance; the id must already be validated (INSTANCE_ID_RE). */
export function instanceFiles(home: string, id: string) {
  const dir = join(home, 'instances', id);
  return {
    dir,
    record: join(dir, 'instance.json'),
    events: join(dir, 'events.jsonl'),
    /** Hook payloads land here, one file each, written whole then renamed (the hooks are tiny shell commands). */
    inbox: join(dir, 'inbox'),
    /** Standing instructions (spawn's stdin) and the role text, as given to the agent. */
    context: join(dir, 'context.md'),
    /** claude: the --settings file with agentctl's hooks; codex: not used (hooks go as -c overrides). */
    settings: join(dir, 'settings.json'),
    /** claude: the --mcp-config file giving the instance agentctl's MCP server. */
    mcpConfig: join(dir, 'mcp.json'),
    /** Pending permission requests (<request>.json) and their answers (<request>.answer.json). */
    permissions: join(dir, 'permissions'),
    /** The caller's environment for the agent, 0600, deleted by the supervisor once read. */
    env: join(dir, 'env.json'),
    lock: join(dir, '.lock'),
  };
}
export type InstanceFiles = ReturnType<typeof instanceFiles>;

export function instancesDir(home: string): string {
  return join(home, 'instances');
}
