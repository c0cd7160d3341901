// TEMP declarations (H10d): the signatures of wave3.md until H10a's module lands on main.
import type { TranscriptTurn } from '../agents/interactive/types.js';
import type { InstanceEvent, InstanceView, TurnReport } from '../core/instances/types.js';
import type { AppContext } from './context.js';

export async function waitInstances(_ctx: AppContext, _o: { ids: string[]; any?: boolean; timeoutMs?: number; signal?: AbortSignal }): Promise<TurnReport[]> {
  throw new Error('TEMP: waitInstances lands with the engine');
}
export async function listInstances(_ctx: AppContext, _o: { all?: boolean }): Promise<InstanceView[]> {
  throw new Error('TEMP: listInstances lands with the engine');
}
export async function instanceStatus(_ctx: AppContext, _o: { id: string }): Promise<InstanceView & { events: InstanceEvent[] }> {
  throw new Error('TEMP: instanceStatus lands with the engine');
}
export async function readConversation(_ctx: AppContext, _o: { id: string; last?: number; turn?: number }): Promise<TranscriptTurn[]> {
  throw new Error('TEMP: readConversation lands with the engine');
}
