import * as z from 'zod';
import { interruptInstances } from '../../app/instances.js';
import { InstanceView } from '../../app/instance-views.js';
import { defineTool } from './tool.js';
import { instanceIds, instanceText } from './instance-tool.js';

export const interruptInstance = defineTool({
  definition: {
    name: 'interrupt_instance',
    title: 'Interrupt instances',
    description:
      "Stop the current turn of one or more instances (as a person pressing Escape), keeping their context, and return them once idle. Use it to redirect an agent that went the wrong way: interrupt, then send_to_instance with the new directions; it remembers what it did so far.",
    input: { ids: instanceIds.describe('the instances to interrupt') },
    output: { instances: z.array(InstanceView) },
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  },
  async run(a, { ctx }) {
    const instances = await interruptInstances(ctx, { ids: a.ids });
    return { data: { instances }, text: instances.map(instanceText).join('\n') };
  },
});
