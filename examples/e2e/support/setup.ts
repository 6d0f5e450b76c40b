import { afterAll, beforeAll } from 'vitest';
import type { Browser } from 'playwright-core';
import { launch } from './browser.js';
import { startDemoServer, type Demo } from './demo.js';

/** The demo server and a Chromium for one journey file, started before and stopped after it. */
export function withDemo(options: { rulesDelayMs?: number; browserArgs?: string[] } = {}): { demo: Demo; browser: Browser } {
  const env = {} as { demo: Demo; browser: Browser };
  beforeAll(async () => {
    env.demo = await startDemoServer({ rulesDelayMs: options.rulesDelayMs });
    env.browser = await launch(options.browserArgs);
  });
  afterAll(async () => {
    await env.browser?.close();
    await env.demo?.stop();
  });
  return env;
}
