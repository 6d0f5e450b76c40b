import { onTestFailed } from 'vitest';
import type { Browser, BrowserContextOptions } from 'playwright-core';
import { openSession, type Session } from './browser.js';

/**
 * Opens browser sessions for one journey; on failure keeps a screenshot of every page and a trace
 * under .e2e-artifacts/, and always closes the contexts.
 */
export function sessions(browser: Browser, journey: string) {
  const opened: Session[] = [];
  onTestFailed(async () => {
    for (const [i, s] of opened.entries()) await s.keepArtifacts(`${journey}-${i}`);
  });
  return {
    async open(options?: BrowserContextOptions): Promise<Session> {
      const s = await openSession(browser, options);
      opened.push(s);
      return s;
    },
    async closeAll(): Promise<void> {
      for (const s of opened.splice(0)) await s.close().catch(() => {});
    },
    get all() {
      return opened;
    },
  };
}
