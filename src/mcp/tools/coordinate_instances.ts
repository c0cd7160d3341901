import * as z from 'zod';
import { waitInstances } from '../../app/instance-reads.js';
import { sendToInstances } from '../../app/instances.js';
import { SentView, TurnReportView } from '../../app/instance-views.js';
import { AppError } from '../../core/sys/errors.js';
import { mcpWording } from '../wording.js';
import { ACT, defineTool } from './tool.js';
import { boundedMs, instanceId, reportText, stillWorking, timeoutInput } from './instance-tool.js';

export const coordinateInstances = defineTool({
  definition: ({ maxWaitS }) => ({
    name: 'coordinate_instances',
    title: 'Send several messages and gather the replies',
    description: `Send a different message to each of several idle instances at once (e.g. a plan to the developer and the test list to the tester), then wait (at most timeout_s, up to ${maxWaitS} s) until every turn ends or stops on a permission request, and return all replies together. One instance that refuses (it is working, or unknown) does not stop the others: its entry carries the error. Each instance may appear once.`,
    input: {
      messages: z
        .array(z.object({ instance: instanceId, message: z.string().min(1) }))
        .min(1)
        .describe('one message per instance'),
      queue: z.boolean().optional().describe('Claude only: queue a message behind a running turn instead of refusing'),
      timeout_s: timeoutInput(maxWaitS),
    },
    output: {
      results: z
        .array(
          z.object({
            instance: z.string().describe('as given'),
            sent: SentView.nullable().describe('the turn the message started; null when it was not delivered'),
            error: z.string().nullable().describe('why it was not delivered'),
            reply: TurnReportView.nullable().describe("the turn's report; null when it was not delivered"),
          }),
        )
        .describe('one entry per message, in the order given'),
      still_working: z.array(z.string()).describe('instances whose turn had not ended when the wait did: call wait_instances with them'),
    },
    annotations: ACT,
  }),
  async run(a, { ctx, settings, signal }) {
    const given = a.messages.map((m) => m.instance);
    const twice = given.find((id, i) => given.indexOf(id) !== i);
    if (twice !== undefined) throw new AppError(`${JSON.stringify(twice)} is given more than once`, { fix: 'send one message per instance: put both into one message' });
    // delivered in parallel: each instance confirms its own turn
    const sends = await Promise.allSettled(a.messages.map((m) => sendToInstances(ctx, { ids: [m.instance], message: m.message, queue: a.queue })));
    const sent = sends.map((s) => (s.status === 'fulfilled' ? (s.value[0] ?? null) : null));
    const ids = sent.filter((s): s is NonNullable<typeof s> => s !== null).map((s) => s.instance);
    const replies = ids.length ? await waitInstances(ctx, { ids, timeoutMs: boundedMs(a.timeout_s, settings), signal }) : [];
    const byId = new Map(replies.map((r) => [r.instance, r]));
    const results = a.messages.map((m, i) => {
      const s = sends[i]!;
      const error = s.status === 'rejected' ? problem(s.reason) : null;
      return { instance: m.instance, sent: sent[i] ?? null, error, reply: sent[i] ? (byId.get(sent[i]!.instance) ?? null) : null };
    });
    const text = results.map((r) => (r.reply ? reportText(r.reply) : `${r.instance}: not delivered: ${r.error ?? 'no turn started'}`));
    const failed = results.some((r) => r.error !== null);
    return { data: { results, still_working: stillWorking(replies) }, text: text.join('\n\n'), ...(failed ? { error: true } : {}) };
  },
});

/** A refused delivery in a model's words; anything else is a bug and goes up as one. */
function problem(err: unknown): string {
  if (err instanceof AppError) return err.render(mcpWording);
  throw err;
}
