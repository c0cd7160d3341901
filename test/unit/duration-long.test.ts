// Durations beyond what a Node timer holds (2^31-1 ms, ~24.8 days): accepted up to a year and
// honoured; anything longer is refused with the maximum named.
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/core/sys/errors.js';
import { MAX_DURATION_S, parseDuration, setLongTimeout } from '../../src/core/sys/duration.js';

function refusal(text: string): string {
  try {
    parseDuration(text, 'timeout');
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return (err as Error).message;
  }
  throw new Error(`${text} was accepted`);
}

describe('long durations', () => {
  it('accepts 25d, 30d and 365d', () => {
    expect(parseDuration('25d')).toBe(25 * 86400);
    expect(parseDuration('30d')).toBe(30 * 86400);
    expect(parseDuration('365d')).toBe(MAX_DURATION_S);
  });

  it('refuses more than 365d, and absurd numbers, in one line naming the maximum', () => {
    expect(refusal('366d')).toBe('invalid timeout "366d": the maximum is 365d');
    expect(refusal(String(365 * 86400 + 1))).toMatch(/: the maximum is 365d$/);
    const huge = '9'.repeat(300);
    const msg = refusal(huge);
    expect(msg).toMatch(/^invalid timeout "9+\.\.\.": the maximum is 365d$/);
    expect(msg.length).toBeLessThan(100);
    expect(refusal(`${'9'.repeat(400)}d`)).toMatch(/the maximum is 365d$/);
  });
});

describe('setLongTimeout', () => {
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  afterEach(() => {
    process.off('warning', onWarning);
  });

  it('does not fire early for a delay over 2^31 ms, and warns of nothing', async () => {
    process.on('warning', onWarning);
    let fired = false;
    const cancel = setLongTimeout(() => (fired = true), 30 * 86400 * 1000);
    await new Promise((r) => setTimeout(r, 100));
    cancel();
    expect(fired).toBe(false);
    expect(warnings.filter((w) => w.name === 'TimeoutOverflowWarning')).toEqual([]);
  });

  it('chains short timers up to the whole delay, then fires once', async () => {
    const started = performance.now();
    let fires = 0;
    await new Promise<void>((resolve) => {
      setLongTimeout(() => {
        fires++;
        resolve();
      }, 120, 25);
    });
    expect(performance.now() - started).toBeGreaterThanOrEqual(119);
    await new Promise((r) => setTimeout(r, 50));
    expect(fires).toBe(1);
  });

  it('can be cancelled between the chained timers', async () => {
    let fired = false;
    const cancel = setLongTimeout(() => (fired = true), 80, 20);
    await new Promise((r) => setTimeout(r, 45));
    cancel();
    await new Promise((r) => setTimeout(r, 80));
    expect(fired).toBe(false);
  });
});
