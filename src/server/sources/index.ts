// The kinds of work the dashboard shows, in the order of the front page. Instances and
// workflows join here, each as a Source (see source.ts), when their app functions exist.
import { runsSource } from './runs.js';
import type { Source } from './source.js';

export const SOURCES: readonly Source[] = [runsSource];
