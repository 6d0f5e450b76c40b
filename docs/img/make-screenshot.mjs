#!/usr/bin/env node
// Makes docs/img/demo-shop.png (1280×800): the widget on the demo shop, with a shopper's question
// and an answer from Sam, one of the team the demo's first screen shows (examples/shop/demo-settings.mjs). Runs the demo server on a fresh data directory, drives Debian Chromium
// through playwright-core, and stops the server again.
//
//   pnpm build                          # once, if packages/widget/dist is missing
//   node docs/img/make-screenshot.mjs   # CHROMIUM_PATH=… to use another Chromium
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../../examples/e2e/support/chromium.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const out = path.join(root, 'docs/img/demo-shop.png');
const port = process.env.PORT ?? '3555';
const base = `http://localhost:${port}`;

if (!fs.existsSync(path.join(root, 'packages/widget/dist/threadline.js'))) {
  throw new Error('the widget is not built: run "pnpm build" first');
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadline-shot-'));
const server = spawn(process.execPath, [path.join(root, 'examples/shop/server.mjs')], {
  cwd: root,
  env: { ...process.env, PORT: port, THREADLINE_DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
  stdio: ['ignore', 'inherit', 'inherit'],
});

async function waitForServer() {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${base}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the demo server did not start');
}

async function api(method, route, apiKey, body) {
  const res = await fetch(`${base}${route}`, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
  return res.json();
}

let browser;
try {
  await waitForServer();
  const { apiKey } = JSON.parse(fs.readFileSync(path.join(dataDir, 'demo-credentials.json'), 'utf8'));

  browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('pageerror', (e) => console.error('page error:', e.message));

  // Put something in the cart, so the agent has context, then go back to the shop's front page.
  await page.goto(`${base}/product/rain-shell`);
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await page.goto(`${base}/`);

  // Open the launcher; on a first visit the panel opens on a new conversation (or the inbox).
  await page.getByRole('button', { name: /^Open messages/ }).click();
  const composer = page.getByRole('textbox', { name: 'Message' });
  await composer.waitFor({ state: 'visible' }).catch(async () => {
    await page.getByRole('button', { name: 'Send us a message' }).click();
    await composer.waitFor({ state: 'visible' });
  });
  const question = 'Hi! Is the Rain Shell warm enough for autumn hikes?';
  await composer.fill(question);
  await composer.press('Enter');

  // The brand answers through the HTTP API, as an agent would.
  let threadId;
  for (let i = 0; i < 50 && !threadId; i++) {
    const { items } = await api('GET', '/v1/threads', apiKey);
    threadId = items.find((t) => t.lastMessage?.text === question)?.id;
    if (!threadId) await new Promise((r) => setTimeout(r, 200));
  }
  if (!threadId) throw new Error('the shopper message did not reach the server');
  const answer = 'It is a shell, so layer a fleece under it when it gets cold. It keeps the rain out all day.';
  await api('POST', `/v1/threads/${threadId}/messages`, apiKey, { text: answer, author: { kind: 'agent', name: 'Sam', avatarUrl: `${base}/shop/img/team/sam.svg` } });
  await page.getByRole('log').getByText(answer).waitFor({ state: 'visible', timeout: 10_000 });

  await composer.blur();
  await page.mouse.move(10, 10);
  await page.waitForTimeout(600); // let the entrance animations settle
  await page.screenshot({ path: out });
  console.log(`wrote ${path.relative(root, out)}`);
} finally {
  await browser?.close();
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  fs.rmSync(dataDir, { recursive: true, force: true });
}
