import path from 'node:path';
import { answerFromText, clip, lastLines } from './answer.js';
import { defineAdapter } from './define.js';
import type { AgentAdapter, FinalAnswer, FinishInput, Invocation, InvocationContext } from './types.js';

const RESULT_FILE = 'result.shell.json';
const NOTE_LINES = 20;

function buildInvocation(ctx: InvocationContext): Invocation {
  const [file, ...args] = ctx.command ?? [];
  if (!file) throw new Error('the shell agent needs a command (agentctl start --agent shell -- COMMAND ARGS...)');
  const outputFile = path.join(ctx.runDir, RESULT_FILE);
  return {
    file,
    args,
    stdin: ctx.prompt === '' ? null : ctx.prompt,
    env: { AGENTCTL_RESULT_FILE: outputFile, AGENTCTL_RUN_DIR: ctx.runDir },
    outputFile,
  };
}

/** The command as a user would type it, for summaries. */
export function displayCommand(command: string[]): string {
  return command.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)).join(' ');
}

function finish(input: FinishInput, command: string): FinalAnswer {
  // A kill, or a command that never ran, is a broken run; a non-zero exit is only "goal not met".
  const ended = input.signal ? `was killed by signal ${input.signal}`
    : input.exitCode === null ? 'did not run to completion' : `exited with code ${input.exitCode}`;
  const broken = input.signal !== null || input.exitCode === null;
  const agentError = broken ? `\`${command}\` ${ended}${input.state.errors.length ? `: ${input.state.errors.join('; ')}` : ''}` : undefined;
  const withError = (answer: FinalAnswer): FinalAnswer => (agentError ? { ...answer, agentError } : answer);

  // A script that writes $AGENTCTL_RESULT_FILE speaks for itself; otherwise the exit code does.
  if (input.outputFileText !== null && input.outputFileText.trim() !== '') return withError(answerFromText(input.outputFileText));

  const stdoutLines = lastLines(input.stdoutTail, NOTE_LINES);
  const stderrLines = lastLines(input.stderrTail, NOTE_LINES);
  const lastOut = stdoutLines.at(-1);
  const goalMet = !broken && input.exitCode === 0;
  const notes = [
    stdoutLines.length ? `stdout (last lines):\n${stdoutLines.join('\n')}` : '',
    stderrLines.length ? `stderr (last lines):\n${stderrLines.join('\n')}` : '',
  ].filter(Boolean).join('\n\n');
  const value = {
    goal_met: goalMet,
    summary: `\`${command}\` ${ended}${lastOut ? `: ${clip(lastOut, 200)}` : ''}`,
    followup_prompt: goalMet ? '' : `\`${command}\` ${ended}. Look at its failing output (see notes) and fix the cause, then run it again.`,
    notes,
  };
  return withError({ rawText: JSON.stringify(value), value });
}

/**
 * finish() needs the command for its summary but only gets the stream state, so each shell
 * adapter remembers the command of its own buildInvocation: getAdapter('shell') hands out a fresh
 * instance per run.
 */
export function createShellAdapter(): AgentAdapter {
  // finish() names the command, and only buildInvocation() sees it: one adapter per run
  let command: string[] = [];
  return defineAdapter({
    name: 'shell',
    binary: 'sh',
    resumable: false,
    buildInvocation(ctx) {
      command = ctx.command ?? [];
      return buildInvocation(ctx);
    },
    onLine: (line) => [{ kind: 'output', text: line.replace(/\r$/, '') }],
    finish: (input) => finish(input, command.length ? displayCommand(command) : 'the command'),
  });
}
