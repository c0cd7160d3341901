// A kind of work the dashboard shows (runs; instances and workflows as they come): its list on
// the front page, a page per item, the actions a person may take on one, what to watch for
// changes, and its metrics. The server knows kinds only through this interface.
import type { AppContext } from '../../app/context.js';
import type { Html } from '../html.js';
import type { Family } from '../metrics-text.js';

export interface PageOut {
  /** The item's own id (the request may have named it by a prefix). */
  id: string;
  title: string;
  body: Html;
}

export interface Source {
  /** The path segment: /runs, /runs/ID, POST /runs/ID/ACTION. */
  readonly kind: string;
  /** The list's heading on the front page. */
  readonly heading: string;
  /** Files and directories whose changes may change the list (fs.watch). */
  watchPaths(ctx: AppContext): string[];
  /** The front page's list, newest first; `shown` is told each id shown, so its changes are watched. */
  list(ctx: AppContext, o: { limit: number; status?: string; project?: string }, shown: (id: string) => void): Promise<Html>;
  /** The directory holding an item's files: watched once the item was shown. */
  itemDir(ctx: AppContext, id: string): string;
  /** The files in an item's directory whose change changes its row in the list. */
  readonly listFiles: readonly string[];
  /** Directories in an item's directory where any change changes its row. */
  readonly listDirs?: readonly string[];
  /** One item's page; null when no such item. */
  page(ctx: AppContext, id: string, csrf: string): Promise<PageOut | null>;
  /** State-changing actions by name (POST /KIND/ID/NAME); each returns a line for the person. */
  readonly actions: Record<string, (ctx: AppContext, id: string, form: URLSearchParams) => Promise<string>>;
  /** Metric families computed from this kind's records. */
  metrics?(ctx: AppContext): Promise<Family[]>;
}
