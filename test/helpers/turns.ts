// The model side of an interactive agent's turns, held by the test: each turn's model request
// waits in a queue until the test answers it (or never does: an interrupted turn). The TUIs'
// side requests (a session title) are answered at once.
import type { ModelServer, RecordedRequest, Reply } from './model-server.mjs';

export interface HeldRequest {
  request: RecordedRequest;
  answer(reply: Reply): void;
}

/** The TUIs' side request for a session title: asked with a {title} schema, or in so many words (codex). */
export function isTitleRequest(r: RecordedRequest): boolean {
  const format = JSON.stringify(r.body?.text?.format ?? r.body?.output_config ?? r.body?.output_format ?? null);
  return format.includes('"title"') || /^Generate a concise, single-line task title/.test(r.prompt);
}

export class Turns {
  private held: HeldRequest[] = [];
  private waiters: ((h: HeldRequest) => void)[] = [];

  constructor(server: ModelServer, api: 'openai' | 'anthropic') {
    server.addRules(
      { api, when: isTitleRequest, times: Infinity, reply: { text: '{"title":"A test session"}' } },
      {
        api,
        when: (r) => !isTitleRequest(r),
        times: Infinity,
        reply: (request) =>
          new Promise<Reply>((answer) => {
            const h = { request, answer };
            const w = this.waiters.shift();
            if (w) w(h);
            else this.held.push(h);
          }),
      },
    );
  }

  /** The next turn request the agent makes (already made, or the next to come). */
  next(timeoutMs = 30_000): Promise<HeldRequest> {
    const h = this.held.shift();
    if (h) return Promise.resolve(h);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        reject(new Error(`no model request within ${timeoutMs} ms`));
      }, timeoutMs);
      const w = (x: HeldRequest) => {
        clearTimeout(timer);
        resolve(x);
      };
      this.waiters.push(w);
    });
  }

  /** Answer the next turn request with reply; returns the request. */
  async reply(reply: Reply, timeoutMs?: number): Promise<RecordedRequest> {
    const h = await this.next(timeoutMs);
    h.answer(reply);
    return h.request;
  }

  /** No request is waiting unanswered (none was left behind by a test). */
  get pending(): number {
    return this.held.length;
  }
}

/** Every text the model was sent in a request, as one string: whether an earlier turn is in its context. */
export function contextText(r: RecordedRequest): string {
  return JSON.stringify(r.body?.messages ?? r.body?.input ?? '');
}
