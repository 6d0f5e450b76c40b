import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launch } from '../support/browser.js';
import { startDemoServer, type Demo } from '../support/demo.js';
import { sessions } from '../support/story.js';
import { eventually } from '../support/widget.js';

let demo: Demo;
let browser: Browser;
beforeAll(async () => {
  demo = await startDemoServer();
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

it('a page built on @threadline/core alone sends, receives and keeps a thread without the widget', async () => {
  const s = sessions(browser, 'headless');
  const { page, errors } = await s.open();
  await page.goto(`${demo.url}/headless/`);
  await page.getByRole('status').getByText(/Connection: connected/).waitFor();
  expect(await page.locator('[data-threadline]').count()).toBe(0);

  await page.getByRole('textbox', { name: 'Message' }).fill('Written in a custom UI');
  await page.getByRole('button', { name: 'Send' }).click();
  await page.getByRole('log').getByText('Written in a custom UI').waitFor();
  const thread = await eventually(async () => (await demo.api('GET', '/v1/threads')).body.items[0]);
  await demo.api('POST', `/v1/threads/${thread.id}/messages`, { text: 'Answered in the same thread', author: { kind: 'agent', name: 'Sam' } });
  await page.getByRole('log').getByText('Answered in the same thread').waitFor();

  await page.reload();
  await page.getByRole('log').getByText('Answered in the same thread').waitFor();
  expect(await page.getByRole('log').getByText('Written in a custom UI').count()).toBe(1);
  expect(errors).toEqual([]);
  await s.closeAll();
});
