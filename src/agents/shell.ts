import path from 'node:path';
import { AppError } from '../core/sys/errors.js';
import { answerFromText, clip, lastLines } from './answer.js';
import { type AdapterDefinition, defineAdapter } from './define.js';
import type { AgentAdapter, AgentState, FinalAnswer, FinishInput, Invocation, InvocationContext } from './types.js';

const RESULT_FILE = 'result.shell.json';
const NOTE_LINES = 20;

function buildInvocation(ctx: InvocationContext): Invocation {
  const [file, ...args] = ctx.command ?? [];
  // launch checks this first with a fix for the user; this guards the adapter's own contract
  if (!file) throw new AppError('the shell agent needs a command to run');
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

function finish(state: AgentState, input: FinishInput): FinalAnswer {
  const command = displayCommand([input.invocation.file, ...input.invocation.args]);
  // A kill, or a command that never ran, is a broken run; a non-zero exit is only "goal not met".
  const ended = input.signal ? `was killed by signal ${input.signal}`
    : input.exitCode === null ? 'did not run to completion' : `exited with code ${input.exitCode}`;
  const broken = input.signal !== null || input.exitCode === null;
  const agentError = broken ? `\`${command}\` ${ended}${state.errors.length ? `: ${state.errors.join('; ')}` : ''}` : undefined;
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

export const shell: AdapterDefinition<AgentState> = {
  name: 'shell',
  binary: 'sh',
  resumable: false,
  buildInvocation,
  newState: () => ({ errors: [] }),
  // Any output, as it comes: the command's stdout is not an event stream.
  onLine: (line) => [{ kind: 'output', text: line.replace(/\r$/, '') }],
  finish,
};

export const shellAdapter: AgentAdapter = defineAdapter(shell);
