import * as z from 'zod';
import { listInstances as list } from '../../app/instance-reads.js';
import { InstanceView } from '../../app/instance-views.js';
import { defineTool, READ } from './tool.js';
import { instanceText } from './instance-tool.js';

export const listInstances = defineTool({
  definition: {
    name: 'list_instances',
    title: 'List instances',
    description:
      'List the persistent agents (instances): id, name, role, agent, model, status (and the pending permission request of those that need one), since when and from which source, current turn, parent (the hierarchy: who spawned whom) and pane. Includes instances spawned from the command line, by other agentctl servers and by other instances.',
    input: { all: z.boolean().optional().describe('include exited instances (terminated, or ended on their own)') },
    output: { instances: z.array(InstanceView) },
    annotations: READ,
  },
  async run(a, { ctx }) {
    const instances = await list(ctx, { all: a.all });
    return { data: { instances }, text: instances.length ? instances.map(instanceText).join('\n') : 'no instances: start one with spawn_instance' };
  },
});
