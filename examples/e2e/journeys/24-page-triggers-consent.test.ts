/**
 * Page triggers in a shop that asks before the chat may store or send anything
 * (THREADLINE_DEMO_ASK_CONSENT=1): before consent there is no session, so no campaign is listed,
 * no trigger code loads and nothing fires; once the shopper allows the chat the page campaign's
 * trigger runs, and its prompt keeps clear of the page's `data-threadline-avoid` Pay button.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launch } from '../support/browser.js';
import { startDemoServer, type Demo } from '../support/demo.js';
import { sessions } from '../support/story.js';
import { launcher } from '../support/widget.js';

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

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const TEXT = 'Questions before you pay? We answer in minutes.';

function overlaps(a: { x: number; y: number; width: number; height: number }, b: { x: number; y: number; width: number; height: number }) {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

it('nothing loads or fires before consent; once allowed, the trigger fires and its prompt keeps clear of the Pay button', async () => {
  const created = await demo.api('POST', '/v1/campaigns', {
    id: 'pay-reassurance',
    name: 'Pay reassurance',
    status: 'live',
    message: { text: TEXT, author: { kind: 'bot', name: 'Assistant' } },
    display: 'toast',
    trigger: { kind: 'time_on_page', seconds: 1, urlPattern: '*/checkout*' },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);

  const s = sessions(browser, 'page-triggers-consent');
  const { page, errors } = await s.open(PHONE);
  const sockets: string[] = [];
  page.on('websocket', (ws) => sockets.push(ws.url()));
  await page.goto(`${demo.url}/checkout`);
  await launcher(page).waitFor();
  await page.waitForTimeout(2000); // past the trigger's second: nothing to wait for, nothing may happen
  const loaded = (chunk: string) => page.evaluate((c) => performance.getEntriesByType('resource').some((e) => e.name.includes(`/${c}-`)), chunk);
  expect(await loaded('tl-triggers')).toBe(false);
  expect(sockets).toEqual([]);
  expect(await page.locator('[data-threadline]').getByText(TEXT).count()).toBe(0);
  expect(demo.ruleEvaluations.filter((e) => e.rule === 'pay-reassurance')).toEqual([]);

  await page.getByRole('button', { name: 'Allow chat' }).click();
  const toast = page.locator('[data-threadline]').getByRole('status', { name: /^Message from/ });
  await toast.getByText(TEXT).waitFor({ timeout: 15_000 });
  expect(await loaded('tl-triggers')).toBe(true);
  const pay = (await page.locator('#pay-button').boundingBox())!;
  const box = (await toast.boundingBox())!;
  expect(overlaps(box, pay), `prompt ${JSON.stringify(box)} covers Pay ${JSON.stringify(pay)}`).toBe(false);
  await expect.poll(async () => (await demo.api('GET', '/v1/campaigns/pay-reassurance/stats')).body.arms[0]).toMatchObject({ eligible: 1, shown: 1 });
  expect(errors).toEqual([]);
  await s.closeAll();
});
