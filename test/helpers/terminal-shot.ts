// A picture of a terminal screen for people (the README's, and test artifacts): tmux's
// capture-pane -e text (with its colours) drawn as HTML in headless Chromium.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import AnsiToHtml from 'ansi-to-html';

export const CHROMIUM = process.env.AGENTCTL_CHROMIUM ?? '/usr/bin/chromium';

/** Writes `file` (PNG) showing `ansi` as a terminal would; false when there is no Chromium. */
export async function terminalShot(ansi: string, file: string, o: { columns: number; rows: number }): Promise<boolean> {
  if (!existsSync(CHROMIUM)) return false;
  const { chromium } = await import('playwright-core');
  const body = new AnsiToHtml({ fg: '#d0d0d0', bg: '#1c1c1c', escapeXML: true }).toHtml(ansi.replace(/\n+$/, ''));
  const html = `<!doctype html><meta charset="utf-8"><style>
    body { margin: 0; background: #1c1c1c; }
    pre { margin: 0; padding: 12px 16px; color: #d0d0d0; font: 14px/1.35 "DejaVu Sans Mono", monospace; white-space: pre; }
  </style><pre>${body}</pre>`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--disable-dev-shm-usage', ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])] });
  try {
    const page = await browser.newPage({ viewport: { width: Math.ceil(o.columns * 8.45) + 32, height: Math.ceil(o.rows * 19) + 24 } });
    await page.setContent(html);
    mkdirSync(dirname(file), { recursive: true });
    await page.screenshot({ path: file });
    return true;
  } finally {
    await browser.close();
  }
}
