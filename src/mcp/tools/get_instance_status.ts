import * as z from 'zod';
import { instanceStatus } from '../../app/instance-reads.js';
import { InstanceView, StatusEventView } from '../../app/instance-views.js';
import { defineTool, READ } from './tool.js';
import { instanceId, instanceText } from './instance-tool.js';

export const getInstanceStatus = defineTool({
  definition: {
    name: 'get_instance_status',
    title: "An instance's status",
    description:
      "Return one instance's status (starting, idle, working, needs_permission with the pending request, exited, lost, or unknown with why), since when, where that status comes from (the agent's hooks, the process table, its transcript, agentctl, or a person at the pane), its current turn, parent and pane, and its recent status changes. To wait for a turn to end, use wait_instances rather than calling this repeatedly.",
    input: { id: instanceId },
    output: { ...InstanceView.shape, events: z.array(StatusEventView).describe('recent status changes, oldest first') },
    annotations: READ,
  },
  async run(a, { ctx }) {
    const s = await instanceStatus(ctx, { id: a.id });
    const recent = s.events.slice(-5).map((e) => `${e.t} ${e.source}: ${e.status ?? e.kind}${e.why ? ` (${e.why})` : ''}`);
    return { data: s, text: [instanceText(s), ...recent].join('\n') };
  },
});
