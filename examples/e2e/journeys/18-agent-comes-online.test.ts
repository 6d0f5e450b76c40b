/**
 * Nobody of the brand is online when the shopper writes, so the widget asks for an email address
 * (docs/notifications.md); an agent opens the console while the panel is open: the server tells
 * the shopper's widget, and the ask nobody typed in goes away. When the agent leaves, it is back.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launch } from '../support/browser.js';
import { startDemoServer, type Demo } from '../support/demo.js';
import { sessions } from '../support/story.js';
import { openConsole } from '../support/agent.js';
import { openPanel, waitForText, write } from '../support/widget.js';

let demo: Demo;
let browser: Browser;

beforeAll(async () => {
  // Email on (the ask shows only where the server sends email), to a relay nobody listens on:
  // no email is due in this story.
  demo = await startDemoServer({ env: { THREADLINE_SMTP_URL: 'smtp://127.0.0.1:9', THREADLINE_SMTP_FROM: 'support@shop.test', THREADLINE_NOTIFY_DELAY_MS: '3600000' } });
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

it('stops asking for an email once an agent comes online while the panel is open, and asks again when they leave', async () => {
  const s = sessions(browser, 'agent-comes-online');
  const shopper = await s.open();
  const { page } = shopper;
  await page.goto(`${demo.url}/product/trail-runner`);
  await openPanel(page);
  await write(page, 'Do the Trail Runners come in wide?');
  await waitForText(page, 'Do the Trail Runners come in wide?');
  const ask = page.getByRole('form', { name: 'Get the reply by email' });
  await ask.waitFor({ timeout: 10_000 });

  const agent = await s.open();
  await openConsole(agent.page, demo.url);
  await ask.waitFor({ state: 'detached' });

  await agent.close();
  await ask.waitFor();
  expect(shopper.errors).toEqual([]);
  await s.closeAll();
});
