// The hook contract of the interactive TUIs (docs/agent-clis.md, "Interactive sessions"), asserted
// by ONE test body run against the fakes in test/fakes/interactive and, when $AGENTCTL_REAL_CLIS
// names a bin directory with the pinned binaries, against the real claude and codex: so the
// fakes the fast tests use cannot drift from what the engine relies on. Each TUI runs in a
// private tmux server with the launch src/agents/interactive builds, offline against the scripted
// model server (its proxy variables point there too: nothing reaches beyond loopback).
// With AGENTCTL_RECORD_INTERACTIVE=1 (test/golden/interactive/record.mjs) the real sessions'
// transcripts are saved as the golden files the unit tests read.
import { accessSync, constants, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { interactiveAdapter } from '../../src/agents/interactive/index.js';
import type { InstanceAgent } from '../../src/core/instances/types.js';
import { waitFor } from '../helpers/harness.js';
import { type ModelServer, type RecordedRequest, startModelServer } from '../helpers/model-server.mjs';
import { payloadFieldDiffs, saveGolden } from '../helpers/tui-golden.js';
import { FAKE_TUIS, gitRepo, type Hook, killTuiServer, makeTuiWorld, startTui, type Tui, type TuiWorld } from '../helpers/tui.js';

const REAL = process.env.AGENTCTL_REAL_CLIS;
const RECORD = !!process.env.AGENTCTL_RECORD_INTERACTIVE;
type Impl = 'fake' | 'real';

function whyMissing(agent: InstanceAgent, impl: Impl): string | undefined {
  if (impl === 'fake') return undefined;
  if (!REAL) return 'AGENTCTL_REAL_CLIS is not set (bash .ci/run installs the real CLIs and sets it)';
  try {
    accessSync(join(REAL, agent), constants.X_OK);
    return undefined;
  } catch {
    return `no ${agent} in AGENTCTL_REAL_CLIS=${REAL}`;
  }
}

/** The model called a tool and got its result back: the request that follows a tool call. */
function afterTool(r: RecordedRequest): boolean {
  if (r.api === 'anthropic') {
    const last = (r.body?.messages ?? []).at(-1);
    return Array.isArray(last?.content) && last.content.some((b: { type?: string }) => b.type === 'tool_result');
  }
  const last = (Array.isArray(r.body?.input) ? r.body.input : []).at(-1);
  return /_output$/.test(last?.type ?? '');
}
const asks = (marker: string) => (r: RecordedRequest) => r.prompt.includes(marker) && !afterTool(r);

/** A tool call that needs approval: a write outside what the sandbox/permission mode allows (codex: the model asks to leave the sandbox). */
function writeCall(agent: InstanceAgent, file: string, escalate = true) {
  if (agent === 'claude') return { name: 'Bash', arguments: { command: `touch ${file}`, description: 'Create a file' } };
  return { name: 'exec_command', arguments: escalate ? { cmd: `touch ${file}`, sandbox_permissions: 'require_escalated', justification: 'Create a file?' } : { cmd: `touch ${file}` } };
}

const names = (hooks: Hook[]) => hooks.map((h) => h.hook_event_name);

for (const impl of ['fake', 'real'] as const) {
  for (const agent of ['claude', 'codex'] as const) {
    const why = whyMissing(agent, impl);
    const suite = why ? describe.skip : describe;
    suite(`${impl} ${agent} TUI${why ? ` (skipped: ${why})` : ''}`, () => {
      const adapter = interactiveAdapter(agent);
      let server: ModelServer;
      let world: TuiWorld;
      const tuis: Tui[] = [];
      const start = (o: Parameters<typeof startTui>[2] = {}) => {
        const tui = startTui(world, agent, o);
        tuis.push(tui);
        return tui;
      };
      /** claude: SessionStart comes by itself; codex needs its first prompt for any hook. */
      const ready = async (tui: Tui, source = 'startup') => {
        const h = await tui.waitHook((x) => x.hook_event_name === 'SessionStart', 'SessionStart');
        expect(h.source).toBe(source);
        return h;
      };
      /** A TUI that has finished one turn (codex gets it as its first prompt, claude once ready). */
      const startWithOneTurn = async (prompt: string, reply: string, o: Parameters<typeof startTui>[2] = {}) => {
        server.addRules({ when: asks(prompt), reply: { text: reply } });
        const tui = start({ ...o, firstPrompt: agent === 'codex' ? prompt : null });
        if (agent === 'claude') {
          await ready(tui);
          await tui.submit(prompt, adapter.normalizePrompt(prompt));
        }
        expect(await turnEnd(tui, 0)).toMatchObject({ last_assistant_message: reply });
        return tui;
      };
      const turnEnd = (tui: Tui, after: number) => tui.waitHook((h, i) => i >= after && (h.hook_event_name === 'Stop' || h.hook_event_name === 'StopFailure'), 'Stop');

      beforeAll(async () => {
        server = await startModelServer();
        // codex's TUI names each thread with a side request; claude may too
        server.addRules({ times: Infinity, when: (r) => /Generate a concise, single-line task title|"title"/.test(r.prompt), reply: { text: 'A title' } });
        world = makeTuiWorld(server.url, impl === 'real' ? REAL! : FAKE_TUIS);
      });
      afterAll(async () => {
        if (world) await killTuiServer(world, tuis);
        // every payload has the fields the real binary's recorded payloads of that event have
        if (!RECORD) expect(tuis.flatMap((tui) => payloadFieldDiffs(agent, tui.hooks()))).toEqual([]);
        await server?.close();
        // refused by the server acting as proxy; codex fetches its announcement file at each start
        const announcement = (a: { target: string }) => agent === 'codex' && a.target === 'raw.githubusercontent.com:443';
        expect((server?.proxyAttempts ?? []).filter((a) => !announcement(a))).toEqual([]);
        // AGENTCTL_KEEP_TUI=1 keeps the sessions' files to look at
        if (process.env.AGENTCTL_KEEP_TUI) console.warn(`kept ${world?.root}`);
        else world?.cleanup();
      });

      it('starts, takes pasted multi-line non-ASCII prompts exactly, reports each reply, ends on /exit and resumes by id', async () => {
        const first = 'Say hello [T1]';
        server.addRules({ when: asks('[T1]'), reply: { text: 'Hello from turn one.' } });
        const tui = start({ firstPrompt: agent === 'codex' ? first : null, instructions: 'You are the tester. [ROLE]' });
        const startHook = await ready(tui);
        const sid = startHook.session_id as string;
        if (agent === 'claude') {
          expect(sid).toBe(tui.launch.args[tui.launch.args.indexOf('--session-id') + 1]);
          await tui.submit(first, adapter.normalizePrompt(first));
        }
        const ups1 = await tui.waitHook((h) => h.hook_event_name === 'UserPromptSubmit', 'UserPromptSubmit');
        expect(ups1.prompt).toBe(first);
        const stop1 = await turnEnd(tui, 0);
        expect(stop1).toMatchObject({ hook_event_name: 'Stop', session_id: sid, last_assistant_message: 'Hello from turn one.' });
        const turnKey = agent === 'claude' ? 'prompt_id' : 'turn_id';
        expect(stop1[turnKey]).toBe(ups1[turnKey]);
        for (const h of tui.hooks().filter((x) => x.hook_event_name !== 'notify')) {
          expect(h).toMatchObject({ session_id: sid, cwd: world.repo });
          expect(h.transcript_path).toBe(startHook.transcript_path);
        }
        if (agent === 'codex') {
          const notify = await tui.waitHook((h) => h.hook_event_name === 'notify' && h['thread-id'] === sid, 'notify');
          expect(notify).toMatchObject({ type: 'agent-turn-complete', 'turn-id': ups1.turn_id, 'input-messages': [first], 'last-assistant-message': 'Hello from turn one.' });
        }
        // the instructions reached the model as part of its system/developer prompt
        const req1 = server.modelRequests().find((r) => r.prompt.includes('[T1]'))!;
        expect(JSON.stringify(req1.body)).toContain('You are the tester. [ROLE]');

        const text = '  Two lines,\n\tüñíçødé «quotes» "$HOME" `x` \\ [T2]  \n';
        server.addRules({ when: asks('[T2]'), reply: { text: 'Second reply\nwith two lines.' } });
        const before = tui.hooks().length;
        await tui.submit(text, adapter.normalizePrompt(text));
        const ups2 = await tui.waitHook((h) => h.hook_event_name === 'UserPromptSubmit' && h.prompt.includes('[T2]'), 'second UserPromptSubmit');
        expect(ups2.prompt).toBe(adapter.normalizePrompt(text));
        expect(await turnEnd(tui, before)).toMatchObject({ last_assistant_message: 'Second reply\nwith two lines.' });
        expect(names(tui.hooks().slice(before)).filter((n) => n !== 'notify')).toEqual(['UserPromptSubmit', 'Stop']);

        // Stop may run before the transcript has the turn's last entry
        const turns = await waitFor(() => { const t = adapter.readTranscript(startHook.transcript_path); return t.length === 2 && t[1]!.outcome !== 'running' ? t : null; }, 10_000, 'two turns in the transcript');
        expect(turns.map((t) => [t.prompt, t.reply, t.outcome])).toEqual([
          [first, 'Hello from turn one.', 'completed'],
          [adapter.normalizePrompt(text), 'Second reply\nwith two lines.', 'completed'],
        ]);
        if (agent === 'codex') expect(adapter.transcriptPath(sid, world.repo, world.env)).toBe(startHook.transcript_path);
        else expect(adapter.transcriptPath(sid, world.repo, world.env)).toBe(startHook.transcript_path);

        await tui.send(adapter.exitCommand);
        const end = await tui.waitHook((h) => h.hook_event_name === 'SessionEnd', 'SessionEnd');
        expect(end.reason).toBe(agent === 'claude' ? 'prompt_input_exit' : 'other');
        await waitFor(() => tui.exited(), 10_000, `${agent} to exit after /exit`);
        if (RECORD && impl === 'real') saveGolden(agent, 'conversation', startHook.transcript_path, tui.hooks(), world);

        // resume: the same session, its context sent again with the next prompt
        server.addRules({ when: asks('[T4]'), reply: { text: 'Resumed.' } });
        const again = start({ resumeSessionId: sid, firstPrompt: agent === 'codex' ? 'Go on [T4]' : null });
        const resumed = await ready(again, 'resume');
        expect(resumed.session_id).toBe(sid);
        if (agent === 'claude') await again.submit('Go on [T4]', adapter.normalizePrompt('Go on [T4]'));
        expect(await turnEnd(again, 0)).toMatchObject({ last_assistant_message: 'Resumed.' });
        const req4 = server.modelRequests().find((r) => r.prompt.includes('[T4]'))!;
        expect(JSON.stringify(req4.body)).toContain('Hello from turn one.');
        await again.send(adapter.exitCommand);
        await waitFor(() => again.exited(), 10_000, `resumed ${agent} to exit`);
        if (RECORD && impl === 'real') saveGolden(agent, 'resume', resumed.transcript_path, again.hooks(), world);
      });

      it(agent === 'codex' ? 'a leading space makes a slash command text' : 'a leading space does NOT make a slash command text: " /exit" ends the session', async () => {
        const tui = start({ firstPrompt: agent === 'codex' ? 'Warm up [S0]' : null });
        server.addRules({ when: asks('[S0]'), reply: { text: 'Ready.' } });
        if (agent === 'codex') server.addRules({ when: asks('/exit [S1]'), reply: { text: 'Not an exit.' } });
        if (agent === 'claude') await ready(tui);
        else await turnEnd(tui, 0);
        const from = tui.hooks().length;
        await tui.send(' /exit [S1]');
        if (agent === 'codex') {
          const ups = await tui.waitHook((h, i) => i >= from && h.hook_event_name === 'UserPromptSubmit', 'UserPromptSubmit');
          expect(ups.prompt).toBe('/exit [S1]');
          expect(await turnEnd(tui, from)).toMatchObject({ last_assistant_message: 'Not an exit.' });
          expect(tui.exited()).toBe(false);
        } else {
          expect(await tui.waitHook((h) => h.hook_event_name === 'SessionEnd', 'SessionEnd')).toMatchObject({ reason: 'prompt_input_exit' });
          await waitFor(() => tui.exited(), 10_000, 'claude to exit');
          expect(names(tui.hooks().slice(from))).toEqual(['SessionEnd']);
        }
        tui.kill();
      });

      it('a folder the home does not trust yet holds the TUI at its trust screen, silent; prepareHome is what lets it start', async () => {
        const other = gitRepo(join(world.root, 'untrusted'));
        // a home set up for another folder: past onboarding (offline, claude's onboarding ends the TUI), API key approved
        adapter.prepareHome(world.repo, world.env);
        const held = start({ cwd: other, prepare: false, firstPrompt: agent === 'codex' ? 'Hello [U0]' : null });
        await waitFor(() => /trust/i.test(held.screen()), 20_000, `${agent}'s trust screen`);
        await new Promise((r) => setTimeout(r, 1_000));
        expect(held.hooks()).toEqual([]);
        expect(held.exited()).toBe(false);
        held.kill();
        const tui = await startWithOneTurn('Hello [U1]', 'Trusted now.', { cwd: other });
        expect(tui.hooks().find((h) => h.hook_event_name === 'Stop')).toMatchObject({ cwd: other });
        tui.kill();
      });

      it(agent === 'claude' ? 'a killed window: SessionEnd(other), then the process is gone' : 'a killed window: no hook at all, the process is gone', async () => {
        const tui = await startWithOneTurn('Warm up [K0]', 'Ready.');
        const from = tui.hooks().length;
        tui.kill();
        await waitFor(() => tui.exited(), 10_000, `${agent} to end with its window`);
        if (agent === 'claude') expect(await tui.waitHook((h, i) => i >= from && h.hook_event_name === 'SessionEnd', 'SessionEnd', 5_000)).toMatchObject({ reason: 'other' });
        else {
          await new Promise((r) => setTimeout(r, 500));
          expect(names(tui.hooks().slice(from)).filter((n) => n !== 'notify')).toEqual([]);
        }
      });

      if (agent === 'claude') {
        it('claude: a prompt pasted during a turn is queued: its UserPromptSubmit comes AT ONCE, its turn after the running one', async () => {
          const tui = await startWithOneTurn('Warm up [Q0]', 'Ready.');
          let release!: () => void;
          const held = new Promise<void>((r) => (release = r));
          server.addRules({ when: asks('[Q1]'), reply: async () => (await held, { text: 'First done.' }) }, { when: asks('[Q2]'), reply: { text: 'Second done.' } });
          const from = tui.hooks().length;
          await tui.submit('First [Q1]', 'First [Q1]');
          await waitFor(() => server.modelRequests().some((r) => r.prompt.includes('[Q1]')), 15_000, 'the held request');
          await tui.send('Second [Q2]');
          await new Promise((r) => setTimeout(r, 1_000));
          const early = names(tui.hooks().slice(from));
          release();
          await tui.waitHook((h, i) => i >= from && h.hook_event_name === 'Stop' && h.last_assistant_message === 'Second done.', 'the queued turn\'s Stop');
          const hooks = tui.hooks().slice(from);
          expect({ early, all: hooks.map((h) => `${h.hook_event_name}${h.prompt ? `:${h.prompt}` : ''}${h.last_assistant_message ? `=${h.last_assistant_message}` : ''}`) }).toEqual({
            early: ['UserPromptSubmit', 'UserPromptSubmit'],
            all: ['UserPromptSubmit:First [Q1]', 'UserPromptSubmit:Second [Q2]', 'Stop=First done.', 'Stop=Second done.'],
          });
          // (prompt_id does not pair them: seen [A, A, A, B] and [A, B, B, B] for these four)
          tui.kill();
        });
      }

      it('a tool call needing approval asks the permission hook, whose allow and deny are obeyed', async () => {
        const tui = await startWithOneTurn('Warm up [P0]', 'Ready.');

        const run = async (decision: 'allow' | 'deny', file: string) => {
          tui.decide(decision);
          const marker = `[P-${decision}]`;
          server.addRules(
            { when: asks(marker), reply: { toolCalls: [writeCall(agent, file)] } },
            { when: (r) => afterTool(r) && JSON.stringify(r.body).includes(marker), reply: { text: `Done after ${decision}.` } },
          );
          const from = tui.hooks().length;
          await tui.submit(`Create ${file} ${marker}`, adapter.normalizePrompt(`Create ${file} ${marker}`));
          const stop = await turnEnd(tui, from);
          const hooks = tui.hooks().slice(from).filter((h) => h.hook_event_name !== 'notify');
          return { stop, hooks };
        };

        const allowed = await run('allow', 'allowed.txt');
        expect(names(allowed.hooks)).toEqual(['UserPromptSubmit', 'PreToolUse', 'PermissionRequest', 'PostToolUse', 'Stop']);
        const request = allowed.hooks[2]!;
        expect(request.tool_name).toBe(agent === 'claude' ? 'Bash' : 'Bash');
        expect(JSON.stringify(request.tool_input)).toContain('touch allowed.txt');
        expect(allowed.hooks[1]!.tool_use_id).toBe(allowed.hooks[3]!.tool_use_id);
        expect(existsSync(join(world.repo, 'allowed.txt'))).toBe(true);
        expect(allowed.stop.last_assistant_message).toBe('Done after allow.');

        const denied = await run('deny', 'denied.txt');
        expect(names(denied.hooks)).toEqual(agent === 'claude'
          ? ['UserPromptSubmit', 'PreToolUse', 'PermissionRequest', 'Stop']
          : ['UserPromptSubmit', 'PreToolUse', 'PermissionRequest', 'Stop']);
        expect(existsSync(join(world.repo, 'denied.txt'))).toBe(false);
        expect(denied.stop.last_assistant_message).toBe('Done after deny.');
        // the model was told why
        const told = server.modelRequests().filter((r) => afterTool(r) && JSON.stringify(r.body).includes('[P-deny]')).at(-1)!;
        expect(JSON.stringify(told.body)).toContain('denied by the test');

        const turns = await waitFor(() => { const t = adapter.readTranscript(allowed.hooks[0]!.transcript_path); return t.at(-1)?.reply === 'Done after deny.' && t.at(-1)?.outcome !== 'running' ? t : null; }, 10_000, 'the denied turn in the transcript');
        expect(turns.slice(-2).map((t) => [t.outcome, t.reply, t.tools?.length])).toEqual([['completed', 'Done after allow.', 1], ['completed', 'Done after deny.', 1]]);
        if (RECORD && impl === 'real') saveGolden(agent, 'permissions', allowed.hooks[0]!.transcript_path, tui.hooks(), world);
        tui.kill();
      });

      it('bypass: a write runs without asking, and the TUI starts without its bypass warning', async () => {
        const tui = await startWithOneTurn('Warm up [B0]', 'Ready.', { permissions: 'bypass' });
        server.addRules(
          // without a sandbox there is nothing to escalate from (0.171 drops an escalated call then: PreToolUse, no PostToolUse)
          { when: asks('[B1]'), reply: { toolCalls: [writeCall(agent, 'bypassed.txt', false)] } },
          { when: (r) => afterTool(r) && JSON.stringify(r.body).includes('[B1]'), reply: { text: 'Done unasked.' } },
        );
        const from = tui.hooks().length;
        await tui.submit('Create bypassed.txt [B1]', 'Create bypassed.txt [B1]');
        expect(await turnEnd(tui, from)).toMatchObject({ last_assistant_message: 'Done unasked.', permission_mode: 'bypassPermissions' });
        expect(names(tui.hooks().slice(from)).filter((n) => n !== 'notify')).toEqual(['UserPromptSubmit', 'PreToolUse', 'PostToolUse', 'Stop']);
        expect(existsSync(join(world.repo, 'bypassed.txt'))).toBe(true);
        tui.kill();
      });

      it('Escape interrupts a running turn (codex says so by its Interrupt hook; claude by nothing), the next turn works; an API error ends a turn', async () => {
        const tui = await startWithOneTurn('Warm up [E0]', 'Ready.');

        let release!: () => void;
        const held = new Promise<void>((r) => (release = r));
        server.addRules({ when: asks('[E1]'), reply: async () => (await held, { text: 'too late' }) });
        const from = tui.hooks().length;
        await tui.submit('Think for long [E1]', adapter.normalizePrompt('Think for long [E1]'));
        await waitFor(() => server.modelRequests().some((r) => r.prompt.includes('[E1]')), 15_000, 'the held model request');
        const escAt = Date.now();
        tui.keys('Escape');
        if (agent === 'codex') {
          const interrupt = await tui.waitHook((h, i) => i >= from && h.hook_event_name === 'Interrupt', 'Interrupt', 5_000);
          expect(interrupt.turn_id).toBe(tui.hooks().slice(from).find((h) => h.hook_event_name === 'UserPromptSubmit')!.turn_id);
          expect(Date.now() - escAt).toBeLessThan(3_000);
        } else {
          await new Promise((r) => setTimeout(r, 1_500));
          // claude puts an interrupted prompt back into the box: one character, then Escape twice, clears it
          tui.keys('x');
          tui.keys('Escape');
          tui.keys('Escape');
          await new Promise((r) => setTimeout(r, 300));
        }
        release();
        expect(names(tui.hooks().slice(from)).filter((n) => n !== 'notify')).toEqual(agent === 'codex' ? ['UserPromptSubmit', 'Interrupt'] : ['UserPromptSubmit']);

        server.addRules({ when: asks('[E2]'), reply: { text: 'Back.' } });
        const after = tui.hooks().length;
        await tui.submit('Carry on [E2]', adapter.normalizePrompt('Carry on [E2]'));
        const ups = await tui.waitHook((h, i) => i >= after && h.hook_event_name === 'UserPromptSubmit', 'UserPromptSubmit after interrupt');
        expect(ups.prompt).toBe('Carry on [E2]');
        expect(await turnEnd(tui, after)).toMatchObject({ last_assistant_message: 'Back.' });

        server.addRules({ when: asks('[E3]'), reply: { status: 500, error: 'scripted outage' } });
        const failFrom = tui.hooks().length;
        await tui.submit('Fail please [E3]', adapter.normalizePrompt('Fail please [E3]'));
        if (agent === 'claude') {
          const failure = await turnEnd(tui, failFrom);
          expect(failure).toMatchObject({ hook_event_name: 'StopFailure' });
          expect(failure.error).toBeTruthy();
          expect(String(failure.last_assistant_message)).toContain('500');
        } else {
          await tui.waitHook((h, i) => i >= failFrom && h.hook_event_name === 'UserPromptSubmit', 'UserPromptSubmit');
          // no hook says so: the rollout does
          await waitFor(() => adapter.readTranscript(tui.hooks()[0]!.transcript_path).at(-1)?.outcome === 'failed', 15_000, 'the failed turn in the rollout');
          expect(names(tui.hooks().slice(failFrom)).filter((n) => n !== 'notify')).toEqual(['UserPromptSubmit']);
        }
        // the hook may run before the transcript has the entry
        await waitFor(() => adapter.readTranscript(tui.hooks()[0]!.transcript_path).at(-1)?.outcome === 'failed', 15_000, 'the failed turn in the transcript');
        const turns = adapter.readTranscript(tui.hooks()[0]!.transcript_path);
        expect(turns.at(-1)!.error).toBeTruthy();
        expect(turns.at(-2)).toMatchObject({ prompt: 'Carry on [E2]', reply: 'Back.', outcome: 'completed' });
        expect(turns.find((t) => t.prompt === 'Think for long [E1]')?.outcome).toBe('interrupted');
        if (RECORD && impl === 'real') saveGolden(agent, 'interrupt-error', tui.hooks()[0]!.transcript_path, tui.hooks(), world);
        tui.kill();
      });
    });
  }
}
