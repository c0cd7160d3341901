// dist/top.mjs: the full-screen `top` view as an ES module of its own. Ink (and the yoga layout
// engine under it) load only as ES modules with top-level await, which neither the startup
// snapshot nor the code-cached CommonJS bundle can import; `agentctl top` runs this file in a
// child process sharing its terminal. argv: the options as one JSON argument.
import { createContext } from '../../app/context.js';
import { runTop } from './ui.js';

const [json = '{}'] = process.argv.slice(2);
const o = JSON.parse(json) as { home?: string; project?: string | null; status?: string | null };
const ctx = createContext({ home: o.home });
runTop(ctx, { project: o.project ?? null, status: o.status ?? null }).then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`agentctl: top failed: ${err.message}\n`);
    process.exit(1);
  },
);
