// The event log folded into what the hooks say: the status, the turns (who started each, how it
// ended, its reply) and the pending permission request. Pure: status.ts checks the result
// against the processes and the transcript.
import type { InstanceEvent, InstanceRecord, InstanceStatus, PendingPermission, StatusSource } from './types.js';

export type TurnOutcome = 'running' | 'completed' | 'failed' | 'interrupted';

export interface TurnState {
  n: number;
  /** agentctl: the prompt was a send of agentctl's (or spawn's first prompt); person: typed at the pane. */
  by: 'agentctl' | 'person';
  prompt: string;
  started_at: string;
  outcome: TurnOutcome;
  ended_at: string | null;
  reply: string | null;
  error: string | null;
  /** The agent's own id of the turn (claude prompt_id, codex turn_id), when it gave one. */
  agent_turn_id: string | null;
}

export interface Folded {
  status: InstanceStatus;
  /** When the event that set the status happened. */
  since: string;
  source: StatusSource;
  why: string | null;
  turns: TurnState[];
  permission: (PendingPermission & { hook_pid: number | null }) | null;
  /** The session the hooks speak for (record's, else the first hook's). */
  session_id: string | null;
  /** Sends not yet seen as a UserPromptSubmit. */
  /** queued: sent while a turn ran (claude takes it as the next turn once that one ends). */
  pendingSends: { turn: number | null; text: string; t: string; queued: boolean }[];
  /** The last status event in the log (what was last recorded). */
  recorded: { status: InstanceStatus; why: string | null; t: string } | null;
  exitCode: number | null;
}

/** How a pasted text shows in UserPromptSubmit when the adapter does not say: whitespace is not compared exactly. */
export function looseNormalize(text: string): string {
  return text.replace(/\t/g, '    ').replace(/\s+/g, ' ').trim();
}

/** Tools through which a model asks the person something itself: no hook of their own, seen in PreToolUse. */
const QUESTION_TOOLS = new Set(['AskUserQuestion', 'request_user_input']);

/**
 * The prompt as typed, when claude submitted a paste as a block: it may wrap a paste it took in
 * slowly (a busy TUI, a long text) as `<pasted_content id="X">\nTEXT\n</pasted_content id="X">`
 * in what it submits and reports. Anything else is returned as it is.
 */
export function unwrapPasted(prompt: string): string {
  const m = /^\n*<pasted_content id="([^"]*)">\n([\s\S]*)\n<\/pasted_content id="\1">\n*$/.exec(prompt);
  return m ? m[2]! : prompt;
}

export function foldEvents(record: InstanceRecord, events: InstanceEvent[], normalize: (text: string) => string = looseNormalize): Folded {
  const f: Folded = {
    status: 'starting',
    since: record.created_at,
    source: 'agentctl',
    why: null,
    turns: [],
    permission: null,
    session_id: record.session_id,
    pendingSends: [],
    recorded: null,
    exitCode: null,
  };
  const set = (ev: InstanceEvent, status: InstanceStatus, source: StatusSource, why: string | null = null) => {
    f.status = status;
    f.since = ev.t;
    f.source = source;
    f.why = why;
  };
  const current = () => f.turns.at(-1) ?? null;
  const endTurn = (ev: InstanceEvent, outcome: TurnOutcome, reply: string | null, error: string | null) => {
    const t = current();
    if (!t || t.outcome !== 'running') return;
    t.outcome = outcome;
    t.ended_at = ev.t;
    t.reply = reply;
    t.error = error;
  };
  // a log read from its end (a long-lived instance): the numbering goes on from its first status event
  let base = 0;
  for (const ev of events) {
    const str = (k: string) => (typeof ev[k] === 'string' ? (ev[k] as string) : null);
    if (ev.kind === 'status') {
      if (ev.status) f.recorded = { status: ev.status, why: ev.why ?? null, t: ev.t };
      if (!f.turns.length && typeof ev.turn === 'number') base = ev.turn;
      continue;
    }
    if (ev.kind !== 'hook') {
      switch (ev.kind) {
        case 'launched':
        case 'revived':
          set(ev, 'starting', ev.source, ev.kind === 'revived' ? 'revived' : null);
          f.permission = null;
          f.exitCode = null;
          endTurn(ev, 'interrupted', null, 'the agent was restarted');
          break;
        case 'ready':
          if (f.status === 'starting') set(ev, 'idle', 'process', str('why'));
          break;
        case 'send':
          f.pendingSends.push({ turn: ev.turn ?? null, text: str('text') ?? '', t: ev.t, queued: ev.queued === true });
          break;
        case 'interrupted':
          if (current()?.outcome === 'running') {
            endTurn(ev, 'interrupted', null, null);
            set(ev, 'idle', ev.source, 'turn interrupted');
            f.permission = null;
          }
          break;
        case 'turn_failed':
          if (current()?.outcome === 'running') {
            endTurn(ev, 'failed', null, str('error') ?? 'the turn failed');
            set(ev, 'idle', ev.source, `turn failed: ${str('error') ?? 'no reason given'}`);
            f.permission = null;
          }
          break;
        case 'permission_answer':
          if (f.permission && f.permission.request === str('request')) {
            f.permission = null;
            set(ev, 'working', 'agentctl', `permission ${str('decision') ?? 'answered'}`);
          }
          break;
        case 'exited':
          f.exitCode = typeof ev.code === 'number' ? ev.code : null;
          // after a stop or the session's end, that says more than the exit
          if (f.status === 'exited') break;
          endTurn(ev, 'interrupted', null, 'the agent exited');
          f.permission = null;
          set(ev, 'exited', 'process', str('why') ?? `the agent exited${f.exitCode !== null ? ` with code ${f.exitCode}` : ''}`);
          break;
        case 'stopped':
          endTurn(ev, 'interrupted', null, 'stopped');
          f.permission = null;
          set(ev, 'exited', 'agentctl', str('why') ? `stopped by agentctl: ${str('why')}` : 'stopped by agentctl');
          break;
      }
      continue;
    }
    // after an exit only a new session's start counts (a late hook of the old one does not)
    if (f.status === 'exited' && ev.hook !== 'SessionStart') continue;
    const sid = str('session_id');
    // codex notify also fires for its internal title thread: only the instance's session counts
    if (ev.hook === 'notify') {
      if (f.session_id && sid !== f.session_id) continue;
    } else if (sid && !f.session_id) {
      f.session_id = sid;
    }
    switch (ev.hook) {
      case 'SessionStart':
        if (f.status === 'starting' || f.status === 'exited') set(ev, 'idle', 'hook', str('start_source') === 'resume' ? 'session resumed' : null);
        break;
      case 'UserPromptSubmit': {
        const prompt = str('prompt') ?? '';
        const want = normalize(unwrapPasted(prompt));
        const i = f.pendingSends.findIndex((s) => normalize(s.text) === want || s.text === prompt);
        const by = i >= 0 ? 'agentctl' : 'person';
        if (i >= 0) f.pendingSends.splice(i, 1);
        // a prompt while a turn runs (claude's queue) ends that one's bookkeeping first
        endTurn(ev, 'completed', null, null);
        const n = base + f.turns.length + 1;
        f.turns.push({ n, by, prompt, started_at: ev.t, outcome: 'running', ended_at: null, reply: null, error: null, agent_turn_id: str('prompt_id') ?? str('turn_id') });
        f.permission = null;
        set(ev, 'working', by === 'person' ? 'person' : 'hook', by === 'person' ? 'a prompt typed at the pane' : null);
        break;
      }
      case 'PreToolUse':
        if (f.status === 'working' && QUESTION_TOOLS.has(str('tool_name') ?? '')) f.why = `the agent asks a question (${str('tool_name')}); answer at the pane`;
        break;
      case 'PermissionRequest': {
        const request = str('request') ?? ev.key ?? ev.t;
        f.permission = { request, tool: str('tool_name') ?? 'unknown', input: ev.tool_input, asked_at: ev.t, hook_pid: typeof ev.hook_pid === 'number' ? ev.hook_pid : null };
        set(ev, 'needs_permission', 'hook', `${f.permission.tool} waits for permission`);
        break;
      }
      case 'PermissionDecision':
        if (f.permission && f.permission.request === str('request')) {
          f.permission = null;
          set(ev, 'working', 'hook', `permission ${str('decision') ?? 'decided'}${str('by') ? ` (${str('by')})` : ''}`);
        }
        break;
      case 'PostToolUse':
      case 'PostToolUseFailure':
      case 'PermissionDenied':
        if (f.status === 'needs_permission') set(ev, 'working', 'hook');
        f.permission = null;
        break;
      case 'Stop':
      case 'notify':
        // codex's notify repeats the Stop; it counts only for a turn no Stop has ended
        if (ev.hook === 'notify' && current()?.outcome !== 'running') break;
        endTurn(ev, 'completed', str('last_assistant_message'), null);
        f.permission = null;
        if (f.status !== 'exited') set(ev, 'idle', 'hook', null);
        break;
      case 'StopFailure': {
        const err = [str('error'), str('last_assistant_message')].filter(Boolean).join(': ') || 'the turn failed';
        endTurn(ev, 'failed', null, err);
        f.permission = null;
        set(ev, 'idle', 'hook', `turn failed: ${err}`);
        break;
      }
      case 'Interrupt':
        endTurn(ev, 'interrupted', null, null);
        f.permission = null;
        set(ev, 'idle', 'hook', 'turn interrupted');
        break;
      case 'SessionEnd':
        endTurn(ev, 'interrupted', null, 'the session ended');
        f.permission = null;
        set(ev, 'exited', 'hook', `session ended (${str('reason') ?? 'no reason given'})`);
        break;
    }
  }
  return f;
}
