import { readFileSync } from 'node:fs';
import { UserError } from './errors.js';

/**
 * The prompt: --prompt-file, or stdin when it is not a terminal. Never waits forever: a pipe
 * that stays open with nothing coming is given up on after idleMs.
 */
export async function readPrompt(o: { promptFile?: string; optional: boolean; idleMs?: number }): Promise<string> {
  if (o.promptFile && o.promptFile !== '-') {
    try {
      return readFileSync(o.promptFile, 'utf8');
    } catch (err) {
      throw new UserError(`cannot read --prompt-file ${o.promptFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  if (process.stdin.isTTY) {
    if (o.optional) return '';
    throw new UserError("no prompt: pipe it on stdin (agentctl start ... <<'PROMPT') or pass --prompt-file FILE");
  }
  return readStdin(o.idleMs ?? (o.optional ? 100 : 10_000), o.optional);
}

function readStdin(idleMs: number, optional: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let timer: NodeJS.Timeout;
    const done = (err?: Error) => {
      clearTimeout(timer);
      process.stdin.removeAllListeners();
      process.stdin.pause();
      process.stdin.unref?.();
      if (err) reject(err);
      else resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (optional || chunks.length) done();
        else done(new UserError(`no prompt arrived on stdin within ${idleMs / 1000}s: close stdin after writing the prompt, or pass --prompt-file FILE`));
      }, idleMs);
    };
    arm();
    process.stdin.on('data', (c: Buffer) => {
      chunks.push(c);
      arm();
    });
    process.stdin.on('end', () => done());
    process.stdin.on('error', (e) => done(e));
  });
}
