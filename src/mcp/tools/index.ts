// Every tool the server offers, in the order a client lists them.
import { addProject } from './add_project.js';
import { answerPermission } from './answer_permission.js';
import { cancelRun } from './cancel_run.js';
import { cleanWorktrees } from './clean_worktrees.js';
import { coordinateInstances } from './coordinate_instances.js';
import { discardRun } from './discard_run.js';
import { doctor } from './doctor.js';
import { landRuns } from './land_runs.js';
import { escalateRun } from './escalate_run.js';
import { getInstanceOutput } from './get_instance_output.js';
import { getInstanceStatus } from './get_instance_status.js';
import { interruptInstance } from './interrupt_instance.js';
import { listInstances } from './list_instances.js';
import { listProjects } from './list_projects.js';
import { listRuns } from './list_runs.js';
import { mergeRun } from './merge_run.js';
import { notifications } from './notifications.js';
import { resumeRun } from './resume_run.js';
import { reviveInstance } from './revive_instance.js';
import { runDiff } from './run_diff.js';
import { runLogs } from './run_logs.js';
import { sendToInstance } from './send_to_instance.js';
import { showRun } from './show_run.js';
import { spawnInstance } from './spawn_instance.js';
import { startRun } from './start_run.js';
import { terminateInstance } from './terminate_instance.js';
import type * as z from 'zod';
import type { Tool } from './tool.js';
import { waitInstances } from './wait_instances.js';
import { waitRuns } from './wait_runs.js';
import { listWorkflows } from './list_workflows.js';
import { runWorkflow } from './run_workflow.js';
import { workflowStatus } from './workflow_status.js';

// each tool is checked against its own schemas where it is defined (defineTool); the table lists them
export const TOOLS: readonly Tool<z.ZodRawShape, z.ZodRawShape>[] = [
  startRun,
  waitRuns,
  showRun,
  listRuns,
  resumeRun,
  escalateRun,
  cancelRun,
  runLogs,
  notifications,
  runDiff,
  mergeRun,
  landRuns,
  discardRun,
  cleanWorktrees,
  listProjects,
  addProject,
  doctor,
  spawnInstance,
  sendToInstance,
  waitInstances,
  getInstanceOutput,
  getInstanceStatus,
  listInstances,
  coordinateInstances,
  interruptInstance,
  answerPermission,
  terminateInstance,
  reviveInstance,
  runWorkflow,
  workflowStatus,
  listWorkflows,
];
