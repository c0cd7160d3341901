import { checkLine, doctorReport } from '../../app/doctor.js';
import { DoctorView } from '../../app/views.js';
import { defineTool, READ } from './tool.js';

export const doctor = defineTool({
  definition: {
    name: 'doctor',
    title: 'Check the setup',
    description:
      'Check what agentctl needs and report each check as ok, warn or fail with how to fix it: node, tmux, each agent CLI (codex, claude, gemini) and its version, the codex profiles, the wake-up pane, the workspace, its config, profiles and projects, and runs whose worker died. Use it when a start fails for a reason that is not clear, or to see which agents can run here.',
    input: {},
    output: DoctorView.shape,
    annotations: READ,
  },
  async run(_a, { ctx }) {
    const report = await doctorReport(ctx);
    return { data: report, text: report.checks.map(checkLine).join('\n') };
  },
});
