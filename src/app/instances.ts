// TEMP declarations (H10d): the signatures of wave3.md until H10b's module lands on main.
import type { InstanceView, PermissionMode, TurnReport, InstanceAgent } from '../core/instances/types.js';
import type { AppContext } from './context.js';

export interface SpawnRequest {
  agent?: InstanceAgent;
  role?: string;
  name?: string;
  model?: string;
  project?: string;
  worktree?: boolean;
  parent?: string;
  permissions?: PermissionMode;
  context?: string;
  wait?: boolean;
  timeoutMs?: number;
}
export async function spawnInstance(_ctx: AppContext, _o: SpawnRequest): Promise<InstanceView> {
  throw new Error('TEMP: spawnInstance lands with the engine');
}
export async function sendToInstances(_ctx: AppContext, _o: { ids: string[]; message: string; queue?: boolean }): Promise<{ instance: string; name: string; turn: number }[]> {
  throw new Error('TEMP: sendToInstances lands with the engine');
}
export async function askInstance(_ctx: AppContext, _o: { id: string; message: string; timeoutMs?: number }): Promise<TurnReport> {
  throw new Error('TEMP: askInstance lands with the engine');
}
export async function interruptInstances(_ctx: AppContext, _o: { ids: string[] }): Promise<InstanceView[]> {
  throw new Error('TEMP: interruptInstances lands with the engine');
}
export async function answerPermission(_ctx: AppContext, _o: { id: string; decision: 'allow' | 'deny'; message?: string }): Promise<InstanceView> {
  throw new Error('TEMP: answerPermission lands with the engine');
}
export async function stopInstances(_ctx: AppContext, _o: { ids: string[]; tree?: boolean }): Promise<InstanceView[]> {
  throw new Error('TEMP: stopInstances lands with the engine');
}
export async function reviveInstances(_ctx: AppContext, _o: { ids?: string[]; all?: boolean }): Promise<InstanceView[]> {
  throw new Error('TEMP: reviveInstances lands with the engine');
}
