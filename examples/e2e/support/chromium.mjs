// @ts-check
// The one way the journeys, the benchmarks and the screenshot scripts start a browser: Debian's
// Chromium through playwright-core (no browser download: scripts/ensure-browser.mjs installs the
// package). Plain JavaScript, so that plain-node scripts (bench/, screenshots) can import it as
// well as the TypeScript journeys.
import { existsSync } from 'node:fs';

/** The browser binary; CHROMIUM_PATH overrides it. */
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Flags for a quiet headless run: no sandbox (containers), GPU, background traffic or first-run UI. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Launches Chromium with CHROMIUM_ARGS plus `extraArgs`; fails, saying how to install it, when
 * the binary is missing — a browser test never skips.
 * @param {string[]} [extraArgs]
 * @returns {Promise<import('playwright-core').Browser>}
 */
export async function launchChromium(extraArgs = []) {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install it with "apt-get install -y chromium" (pnpm test does this when run as root), or set CHROMIUM_PATH.`);
  }
  // Loaded on first launch only: importing this module does not load playwright-core.
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...extraArgs] });
}
