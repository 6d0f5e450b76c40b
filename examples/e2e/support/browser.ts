/** Browser sessions for the journeys, with a trace and a screenshot kept for failed journeys. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { launchChromium } from './chromium.mjs';

const ARTIFACTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../.e2e-artifacts');

/** Debian's Chromium (see chromium.mjs, shared with the benchmarks), with `extraArgs`. */
export function launch(extraArgs: string[] = []): Promise<Browser> {
  return launchChromium(extraArgs);
}

export interface Session {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught page errors seen so far (the widget must never throw into the page). */
  errors: string[];
  /** Saves a trace and a screenshot under .e2e-artifacts/ (call on failure). */
  keepArtifacts(name: string): Promise<void>;
  close(): Promise<void>;
}

export async function openSession(browser: Browser, options: BrowserContextOptions = {}): Promise<Session> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  await context.tracing.start({ screenshots: true, snapshots: true });
  const page = await context.newPage();
  const errors: string[] = [];
  // The page's console, the newest lines: printed with the artifacts, so a failure in CI says
  // what the widget reported (its warnings carry the core's error codes).
  const consoleLines: string[] = [];
  const watch = (p: Page) => {
    p.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    p.on('console', (m) => {
      consoleLines.push(`${new Date().toISOString().slice(11, 23)} ${m.type()}: ${m.text().slice(0, 300)}`);
      if (consoleLines.length > 40) consoleLines.shift();
    });
  };
  watch(page);
  context.on('page', watch);
  let traced = true;
  return {
    context,
    page,
    errors,
    async keepArtifacts(name) {
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      const safe = name.replace(/[^\w-]+/g, '_').slice(0, 80);
      if (consoleLines.length) process.stderr.write(`[${safe}] console:\n${consoleLines.map((l) => `  ${l}`).join('\n')}\n`);
      for (const [i, p] of context.pages().entries()) {
        await p.screenshot({ path: path.join(ARTIFACTS, `${safe}-${i}.png`), fullPage: true }).catch(() => {});
      }
      if (traced) {
        await context.tracing.stop({ path: path.join(ARTIFACTS, `${safe}.trace.zip`) }).catch(() => {});
        traced = false;
      }
    },
    async close() {
      if (traced) await context.tracing.stop().catch(() => {});
      traced = false;
      await context.close();
    },
  };
}
