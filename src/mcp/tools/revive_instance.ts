import * as z from 'zod';
import { reviveInstances } from '../../app/instances.js';
import { InstanceView } from '../../app/instance-views.js';
import { ACT, defineTool } from './tool.js';
import { instanceId, instanceText } from './instance-tool.js';

export const reviveInstance = defineTool({
  definition: {
    name: 'revive_instance',
    title: 'Revive instances',
    description:
      'Bring back instances whose agent exited or whose pane or tmux server died (status exited or lost), or that were terminated: the same agent session is resumed, with its whole context, from the same directory, in a new pane. Give ids, or all true for every exited or lost instance.',
    input: {
      ids: z.array(instanceId).optional().describe('the instances to bring back'),
      all: z.boolean().optional().describe('every instance that is exited or lost (not those ended with terminate_instance)'),
    },
    output: { instances: z.array(InstanceView) },
    annotations: ACT,
  },
  async run(a, { ctx }) {
    const instances = await reviveInstances(ctx, a.ids?.length ? { ids: a.ids } : { all: a.all });
    return { data: { instances }, text: instances.length ? instances.map(instanceText).join('\n') : 'nothing to revive' };
  },
});
