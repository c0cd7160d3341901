// Claude may submit a paste it took in slowly as a block around the text: the delivery check and
// the turn's author must still know it as the message agentctl sent (seen on 2.1.332 under load).
import { describe, expect, it } from 'vitest';
import { foldEvents, unwrapPasted } from '../../src/core/instances/fold.js';
import type { InstanceEvent } from '../../src/core/instances/types.js';
import { makeRecord } from '../helpers/instances.js';

const TEXT = 'Première ligne: «ça va?»\nsecond line with "quotes", $HOME\n\nlast line';
const WRAPPED = `\n\n<pasted_content id="102b">\n${TEXT}\n</pasted_content id="102b">\n`;

describe('a paste claude submitted as a block', () => {
  it('unwraps to the text as typed; anything else stays as it is', () => {
    expect(unwrapPasted(WRAPPED)).toBe(TEXT);
    expect(unwrapPasted(TEXT)).toBe(TEXT);
    // ids that do not pair, or text around the block, are not a block of ours
    expect(unwrapPasted('<pasted_content id="a">\nx\n</pasted_content id="b">')).toBe('<pasted_content id="a">\nx\n</pasted_content id="b">');
    expect(unwrapPasted(`before ${WRAPPED}`)).toBe(`before ${WRAPPED}`);
  });

  it("counts as agentctl's turn, not a person's", () => {
    const t = (s: number) => new Date(Date.UTC(2026, 11, 1, 7, 0, s)).toISOString();
    const events: InstanceEvent[] = [
      { t: t(0), source: 'hook', kind: 'hook', hook: 'SessionStart', key: 'a' },
      { t: t(1), source: 'agentctl', kind: 'send', turn: 1, text: TEXT },
      { t: t(2), source: 'hook', kind: 'hook', hook: 'UserPromptSubmit', key: 'b', prompt: WRAPPED } as InstanceEvent,
    ];
    const f = foldEvents(makeRecord({ id: 'i-paste1' }), events);
    expect(f.turns.at(-1)).toMatchObject({ n: 1, by: 'agentctl' });
  });
});
