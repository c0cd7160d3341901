// What the instance tools share: how an instance is named, how long a call may block, and the
// one-line renderings a model reads first.
import * as z from 'zod';
import type { InstanceView, TurnReport } from '../../core/instances/types.js';
import { parseDuration } from '../../core/sys/duration.js';
import type { ToolSettings } from './tool.js';

export const instanceId = z.string().describe('instance id (i-xxxxxx) or its name');
export const instanceIds = z.array(instanceId).min(1);

/** A wait's timeout_s argument: described and capped with the server's limit, like wait_runs. */
export const timeoutInput = (maxWaitS: number) =>
  z
    .union([z.number(), z.string()])
    .optional()
    .describe(`stop waiting after this many seconds (default and maximum ${maxWaitS}, so the call itself never times out); the turns go on: wait again with wait_instances`);

/** The milliseconds a call may block: what was asked, at most the server's cap. */
export function boundedMs(timeoutS: number | string | undefined, settings: ToolSettings): number {
  const asked = timeoutS === undefined ? settings.maxWaitS : parseDuration(String(timeoutS), 'timeout_s');
  return Math.min(asked, settings.maxWaitS) * 1000;
}

/** `dev (i-abc123, developer, claude): needs_permission Bash {"command":"npm i"}, turn 3, in pane %7` */
export function instanceText(v: InstanceView): string {
  const what = [v.role, v.agent, v.model].filter(Boolean).join(', ');
  const bits = [`${v.name} (${v.id}, ${what}): ${v.status}`];
  if (v.permission) bits[0] += ` ${v.permission.tool} ${JSON.stringify(v.permission.input)}`;
  if (v.why) bits.push(v.why);
  if (v.turn !== null) bits.push(`turn ${v.turn}`);
  if (v.parent) bits.push(`parent ${v.parent}`);
  if (v.pane) bits.push(`in pane ${v.pane}`);
  return bits.join(', ');
}

/** A turn's report: the reply in full (it is what the caller waited for), or what to do next. */
export function reportText(r: TurnReport): string {
  const head = `${r.name} (${r.instance}) turn ${r.turn ?? '-'}: ${r.outcome}`;
  if (r.outcome === 'needs_permission' && r.permission) {
    return `${head}: it asks to use ${r.permission.tool} ${JSON.stringify(r.permission.input)}; call answer_permission with allow or deny`;
  }
  if (r.outcome === 'timeout') return `${head}: still ${r.status}; call wait_instances to keep waiting`;
  const tail = [r.error ? `error: ${r.error}` : null, r.reply].filter((s): s is string => !!s);
  return tail.length ? `${head}\n${tail.join('\n')}` : head;
}

/** Instances whose wait timed out: their turns go on. */
export function stillWorking(reports: TurnReport[]): string[] {
  return reports.filter((r) => r.outcome === 'timeout').map((r) => r.instance);
}
