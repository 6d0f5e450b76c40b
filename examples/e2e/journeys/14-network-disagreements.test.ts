/**
 * When the browser's idea of the network and the socket's disagree. Three stories, each ending
 * with every message on the server exactly once, in order, without a reload, a few seconds after
 * the network is usable again:
 *
 * 1. The browser says offline for two seconds; the WebSocket itself survives the blip.
 * 2. The connection is reset while the browser stays online (a load balancer restarts).
 * 3. A proxy stops forwarding without closing anything (a hung proxy, a NAT that lost its state):
 *    neither end hears about it; only an unanswered request or a heartbeat can tell.
 *
 * Stories 2 and 3 load the shop through a TCP proxy in front of the demo, which the test makes
 * misbehave (`packages/core/src/test/network-proxy.ts`).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launch } from '../support/browser.js';
import { startDemoServer, type Demo } from '../support/demo.js';
import { sessions } from '../support/story.js';
import { log, openPanel, waitForText, write } from '../support/widget.js';
import { startNetworkProxy, type NetworkProxy } from '../../../packages/core/src/test/network-proxy.js';

// A 1×1 PNG: the "photo" the shopper attaches during the outage.
const PHOTO = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

let demo: Demo;
let browser: Browser;
let proxy: NetworkProxy;

beforeAll(async () => {
  // The shop is also reached through the proxy, on another origin: allow it.
  demo = await startDemoServer({ env: { THREADLINE_DEMO_ORIGINS: '*' } });
  proxy = await startNetworkProxy(demo.port);
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await proxy?.close();
  await demo?.stop();
});

/** The texts of the newest thread on the server — each story's shopper is a new visitor ("[image/png]" for a photo). */
async function onServer(): Promise<string[]> {
  const threads = (await demo.api('GET', '/v1/threads')).body.items as { id: string; visitor: { id: string } }[];
  return (await demo.api('GET', `/v1/threads/${threads[0]!.id}/messages`)).body.items.map((m: any) =>
    m.attachments.length ? `[${m.attachments[0].mime}]` : m.text,
  );
}

/** Waits until the server holds exactly `expected` in the newest thread; returns how long it took. */
async function deliveredWithin(expected: string[], timeoutMs: number): Promise<number> {
  const started = Date.now();
  await expect.poll(onServer, { timeout: timeoutMs }).toEqual(expected);
  return Date.now() - started;
}

async function nothingSending(page: Page): Promise<void> {
  await expect.poll(() => log(page).getByText('Sending…').count()).toBe(0);
}

it('the browser goes offline for two seconds while the socket survives: what was written meanwhile, a photo included, is delivered once, and the photo shows', async () => {
  const s = sessions(browser, 'network-blip');
  const { page, context, errors } = await s.open();
  await page.goto(`${demo.url}/`);
  await openPanel(page);
  await write(page, 'Before the blip');
  await waitForText(page, 'Before the blip');
  await deliveredWithin(['Before the blip'], 10_000);

  await context.setOffline(true);
  await write(page, 'Written while offline');
  await page.locator('[data-threadline] input[type=file]').first().setInputFiles({ name: 'dashboard.png', mimeType: 'image/png', buffer: PHOTO });
  await page.getByRole('button', { name: 'Send' }).click();
  await page.waitForTimeout(2000);
  await context.setOffline(false);
  const back = Date.now();
  await write(page, 'Back online');

  await deliveredWithin(['Before the blip', 'Written while offline', '[image/png]', 'Back online'], 20_000);
  console.log(`network blip: all delivered ${Date.now() - back} ms after the browser came back online`);
  await nothingSending(page);
  // The shopper's own photo is on screen (from the page's copy), not a "Loading…" box.
  const photo = page.locator('[data-threadline]').getByRole('img', { name: 'Image: dashboard.png' });
  await expect.poll(() => photo.evaluate((img: HTMLImageElement) => img.tagName === 'IMG' && img.complete && img.naturalWidth > 0)).toBe(true);
  // Once more after the blip: the connection is usable, nothing waits for a reload.
  await write(page, 'And again');
  await deliveredWithin(['Before the blip', 'Written while offline', '[image/png]', 'Back online', 'And again'], 10_000);
  expect(errors).toEqual([]);
  await s.closeAll();
});

it('the connection is reset while the browser stays online: the widget reconnects by itself and sends what was written', async () => {
  const s = sessions(browser, 'network-reset');
  const { page, errors } = await s.open();
  await page.goto(`${proxy.url}/`);
  await openPanel(page);
  await write(page, 'Before the reset');
  await deliveredWithin(['Before the reset'], 10_000);

  proxy.kill();
  const cut = Date.now();
  await write(page, 'Right after the reset');
  await write(page, 'And one more');
  const took = await deliveredWithin(['Before the reset', 'Right after the reset', 'And one more'], 15_000);
  console.log(`connection reset: all delivered ${Date.now() - cut} ms after the reset (waited ${took} ms)`);
  await nothingSending(page);
  expect(errors).toEqual([]);
  await s.closeAll();
});

it('a proxy stops forwarding without closing: the late ack is noticed, the widget moves to a fresh connection, and both sides hear each other again', async () => {
  const s = sessions(browser, 'network-black-hole');
  const { page, errors } = await s.open();
  await page.goto(`${proxy.url}/`);
  await openPanel(page);
  await write(page, 'Before the black hole');
  await deliveredWithin(['Before the black hole'], 10_000);

  proxy.stall();
  const stalled = Date.now();
  await write(page, 'Into the black hole');
  const took = await deliveredWithin(['Before the black hole', 'Into the black hole'], 20_000);
  console.log(`black hole: delivered ${took} ms after the proxy stopped forwarding (socket.io's own heartbeat would take up to 45 s)`);
  await nothingSending(page);

  // The brand answers: it reaches the page over the fresh connection.
  const threads = (await demo.api('GET', '/v1/threads')).body.items as { id: string }[];
  await demo.api('POST', `/v1/threads/${threads[0]!.id}/messages`, { text: 'We hear you again', author: { kind: 'agent', name: 'Sam' } });
  await waitForText(page, 'We hear you again');
  expect(errors).toEqual([]);
  await s.closeAll();
});
