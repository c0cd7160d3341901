import * as z from 'zod';
import { stopInstances } from '../../app/instances.js';
import { InstanceView } from '../../app/instance-views.js';
import { defineTool } from './tool.js';
import { instanceIds, instanceText } from './instance-tool.js';

export const terminateInstance = defineTool({
  definition: {
    name: 'terminate_instance',
    title: 'Terminate instances',
    description:
      'End one or more instances cleanly (the agent exits as if /exit were typed); with tree true, the instances they spawned too, children first. Their sessions are kept: revive_instance brings one back with its whole context. Terminate instances you no longer need: the workspace allows only so many at once.',
    input: {
      ids: instanceIds.describe('the instances to end'),
      tree: z.boolean().optional().describe('also end every instance they spawned, and theirs'),
    },
    output: { instances: z.array(InstanceView) },
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  },
  async run(a, { ctx }) {
    const instances = await stopInstances(ctx, { ids: a.ids, tree: a.tree });
    return { data: { instances }, text: instances.map(instanceText).join('\n') };
  },
});
