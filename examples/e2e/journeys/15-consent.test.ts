/**
 * A shop that asks before the chat may store or send anything (THREADLINE_DEMO_ASK_CONSENT=1: the
 * widget boots with `consent: false` and the shop's banner calls `Threadline('consent', …)`).
 * The shop calls `update` on every page and `track` at checkout, as the docs tell integrators to:
 * before consent none of it may touch the device or leave the page. After consent everything
 * works at once, and what waited in memory reaches the brand; withdrawing erases the device.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page, Request } from 'playwright-core';
import { launch } from '../support/browser.js';
import { startDemoServer, type Demo } from '../support/demo.js';
import { sessions } from '../support/story.js';
import { launcher, openPanel, waitForText, write } from '../support/widget.js';

let demo: Demo;
let browser: Browser;

beforeAll(async () => {
  demo = await startDemoServer({ env: { THREADLINE_DEMO_ASK_CONSENT: '1' } });
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

/** What the widget keeps on the device: IndexedDB databases and their keys, and its localStorage keys. */
async function deviceTraces(page: Page): Promise<{ databases: string[]; keys: number; localStorage: string[] }> {
  return page.evaluate(async () => {
    const databases = (await indexedDB.databases()).map((d) => d.name!).filter((n) => n.startsWith('threadline'));
    let keys = 0;
    for (const name of databases) {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const r = indexedDB.open(name);
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      for (const store of Array.from(db.objectStoreNames)) {
        keys += await new Promise<number>((resolve) => {
          const r = db.transaction(store).objectStore(store).count();
          r.onsuccess = () => resolve(r.result);
        });
      }
      db.close();
    }
    const local = Object.keys(localStorage).filter((k) => k.toLowerCase().includes('threadline'));
    return { databases, keys, localStorage: local };
  });
}

/** Resolves after the page's browser was idle twice (`requestIdleCallback`), where the widget starts. */
function browserIdle(page: Page): Promise<void> {
  return page.evaluate(() => new Promise<void>((resolve) => requestIdleCallback(() => requestIdleCallback(() => resolve()))));
}

/** Requests that carry anything about the visitor: the socket and the API. The widget's own script files carry nothing. */
const visitorTraffic = (r: Request) => /\/socket\.io\/|\/v1\//.test(r.url());

it('before consent nothing is stored or sent, even with update and track on every page; once allowed everything works and the waiting context arrives; withdrawn, the device is erased', async () => {
  const s = sessions(browser, 'consent');
  const { page, errors } = await s.open();
  const sent: string[] = [];
  page.on('request', (r) => visitorTraffic(r) && sent.push(r.url()));
  // A WebSocket is not a request to Playwright: watch it too.
  page.on('websocket', (ws) => sent.push(ws.url()));

  // Two pages, each calling update (page and cart), the checkout one also track.
  await page.goto(`${demo.url}/`);
  await page.getByRole('region', { name: 'Chat privacy' }).waitFor();
  await launcher(page).waitFor();
  await page.goto(`${demo.url}/checkout`);
  await launcher(page).waitFor();
  // The positive signal that the widget had every chance to misbehave: its start runs when the
  // browser is idle, so two idle periods have passed once this resolves (the shop's calls ran at load).
  await browserIdle(page);
  expect(sent).toEqual([]);
  expect(await deviceTraces(page)).toEqual({ databases: [], keys: 0, localStorage: [] });

  // The shopper allows the chat.
  await page.getByRole('button', { name: 'Allow chat' }).click();
  await expect.poll(() => sent.some((u) => u.includes('/socket.io/'))).toBe(true);
  await openPanel(page);
  await write(page, 'Hello after consent');
  await waitForText(page, 'Hello after consent');
  // The brand sees the context the checkout page gave before consent (it waited in memory).
  const thread = await demo.thread();
  const visitor = async () => (await demo.api('GET', `/v1/visitors/${thread.visitor.id}`)).body;
  await expect.poll(async () => (await visitor())?.context?.page?.url).toMatch(/\/checkout$/);
  expect((await visitor()).context.cart).toMatchObject({ currency: 'EUR' });
  const traces = await deviceTraces(page);
  expect(traces.databases.length).toBe(1);
  expect(traces.keys).toBeGreaterThan(0);

  // Later the shopper closes the chat and withdraws consent: the device is erased and the widget
  // waits again.
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'Chat privacy' }).click();
  await page.getByRole('button', { name: 'Withdraw consent' }).click();
  await expect.poll(async () => (await deviceTraces(page)).keys).toBe(0);
  await launcher(page).waitFor();
  const before = sent.length;
  await page.reload();
  await launcher(page).waitFor();
  await browserIdle(page);
  expect(sent.length).toBe(before);
  expect((await deviceTraces(page)).keys).toBe(0);
  expect(errors).toEqual([]);
  await s.closeAll();
});
