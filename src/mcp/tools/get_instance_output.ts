import * as z from 'zod';
import type { TranscriptTurn } from '../../agents/interactive/types.js';
import { readConversation } from '../../app/instance-reads.js';
import { TranscriptTurnView } from '../../app/instance-views.js';
import { defineTool, READ } from './tool.js';
import { instanceId } from './instance-tool.js';

export const getInstanceOutput = defineTool({
  definition: {
    name: 'get_instance_output',
    title: "Read an instance's conversation",
    description:
      "Return an instance's conversation, turn by turn, from the agent's own transcript (never from the screen): each turn's message, the tools it used, its reply and how it ended. Use it to catch up on an instance's earlier work or on a turn a person typed in its pane; for the reply to a message you just sent, send_to_instance with wait or wait_instances already returns it.",
    input: {
      id: instanceId,
      last: z.number().int().min(1).optional().describe('only the last N turns'),
      turn: z.number().int().min(1).optional().describe('only this turn'),
    },
    output: { turns: z.array(TranscriptTurnView) },
    annotations: READ,
  },
  async run(a, { ctx }) {
    const turns = await readConversation(ctx, { id: a.id, last: a.last, turn: a.turn });
    return { data: { turns }, text: turns.length ? turns.map(turnText).join('\n\n') : 'no turns yet' };
  },
});

function turnText(t: TranscriptTurn): string {
  const lines = [`turn ${t.n} (${t.outcome})`, `message: ${t.prompt}`];
  if (t.tools?.length) lines.push(`tools: ${t.tools.map((x) => x.name).join(', ')}`);
  if (t.error) lines.push(`error: ${t.error}`);
  lines.push(`reply: ${t.reply ?? '(none yet)'}`);
  return lines.join('\n');
}
