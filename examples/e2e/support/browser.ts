/** Debian Chromium through playwright-core, with a trace and a screenshot kept for failed journeys. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';

const ARTIFACTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../.e2e-artifacts');

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launch(extraArgs: string[] = []): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install it with "apt-get install -y chromium" (pnpm test does this when run as root)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      ...extraArgs,
    ],
  });
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
  const watch = (p: Page) => {
    p.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
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
