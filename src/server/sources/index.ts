// The kinds of work the dashboard shows, in the order of the front page; each is a Source
// (see source.ts).
import { instancesSource } from './instances.js';
import { runsSource } from './runs.js';
import type { Source } from './source.js';
import { workflowsSource } from './workflows.js';

export const SOURCES: readonly Source[] = [runsSource, instancesSource, workflowsSource];
