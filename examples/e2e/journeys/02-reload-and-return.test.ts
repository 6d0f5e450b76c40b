import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Route } from 'playwright-core';
import { launch } from '../support/browser.js';
import { startDemoServer, type Demo } from '../support/demo.js';
import { sessions } from '../support/story.js';
import { countInLog, eventually, openPanel, openThread, waitForText, write } from '../support/widget.js';

let demo: Demo;
let browser: Browser;
beforeAll(async () => {
  demo = await startDemoServer();
  // Pages replayed by the test's route handler count as "unknown address space" to Chromium, which
  // would then block their sockets to localhost; the shop in real life is served, not replayed.
  browser = await launch(['--disable-features=LocalNetworkAccessChecks']);
});
afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

it('a shopper reloads and reopens the tab: the thread is there at once, even with the server down, and nothing shows twice', async () => {
  const s = sessions(browser, 'reload-and-return');
  const shopper = await s.open();

  // Every page asset passes through here so it can be replayed once the server is stopped; the
  // real-time channel is refused while the server is down.
  const cache = new Map<string, { status: number; headers: Record<string, string>; body: Buffer }>();
  let serverDown = false;
  await shopper.context.route('**/*', async (route: Route) => {
    const url = route.request().url();
    if (serverDown) {
      const hit = cache.get(url);
      return hit ? route.fulfill(hit) : route.abort('connectionrefused');
    }
    if (url.includes('/socket.io/')) return route.continue();
    const res = await route.fetch();
    const body = await res.body();
    if (route.request().method() === 'GET') cache.set(url, { status: res.status(), headers: res.headers(), body });
    return route.fulfill({ response: res, body });
  });

  const { page } = shopper;
  await page.goto(`${demo.url}/product/rain-shell`);
  await openPanel(page);
  await write(page, 'Is the Rain Shell really waterproof?');
  const thread = await eventually(async () => (await demo.api('GET', '/v1/threads')).body.items[0]);
  await demo.api('POST', `/v1/threads/${thread.id}/messages`, { text: 'Yes — fully taped seams, 20,000 mm.', author: { kind: 'agent', name: 'Sam' } });
  await waitForText(page, 'Yes — fully taped seams, 20,000 mm.');

  // Reload.
  await page.reload();
  await openThread(page, /waterproof|taped/);
  await waitForText(page, 'Is the Rain Shell really waterproof?');
  expect(await countInLog(page, 'Is the Rain Shell really waterproof?')).toBe(1);
  expect(await countInLog(page, 'Yes — fully taped seams, 20,000 mm.')).toBe(1);

  // Close the tab and open the shop again.
  await page.close();
  const again = await shopper.context.newPage();
  await again.goto(`${demo.url}/product/rain-shell`);
  await openThread(again, /waterproof|taped/);
  await waitForText(again, 'Yes — fully taped seams, 20,000 mm.');
  expect(await countInLog(again, 'Is the Rain Shell really waterproof?')).toBe(1);
  await again.close();

  // The server goes away; the stored thread still renders, from IndexedDB alone.
  await demo.stop();
  serverDown = true;
  const offline = await shopper.context.newPage();
  await offline.goto(`${demo.url}/product/rain-shell`);
  await openThread(offline, /waterproof|taped/);
  await waitForText(offline, 'Is the Rain Shell really waterproof?', 5000);
  await waitForText(offline, 'Yes — fully taped seams, 20,000 mm.', 5000);
  expect(await countInLog(offline, 'Yes — fully taped seams, 20,000 mm.')).toBe(1);
  expect(shopper.errors).toEqual([]);
  await offline.close();

  serverDown = false;
  await demo.start();
  await s.closeAll();
});
