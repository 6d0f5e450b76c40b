import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { withDemo } from '../support/setup.js';
import { sessions } from '../support/story.js';
import { composer, eventually, waitForText, write } from '../support/widget.js';

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

// The shop's checkout rule, with its 20 s delay shortened for the test.
const env = withDemo({ rulesDelayMs: 1500 });

async function checkoutWithCart(page: Page): Promise<void> {
  await page.goto(`${env.demo.url}/product/rain-shell`);
  await page.getByRole('button', { name: 'Add to cart' }).tap();
  await page.goto(`${env.demo.url}/checkout`);
}

const toast = (page: Page) => page.locator('[data-threadline]').getByText('Need help with your order?');

function overlaps(a: { x: number; y: number; width: number; height: number }, b: { x: number; y: number; width: number; height: number }) {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

it('at checkout on a phone the prompt appears clear of the Pay button, and a reply opens a thread tied to the campaign', async () => {
  const s = sessions(env.browser, 'proactive-reply');
  const { page, errors } = await s.open(PHONE);
  await checkoutWithCart(page);
  await toast(page).waitFor({ timeout: 15_000 });

  const pay = (await page.locator('#pay-button').boundingBox())!;
  const widgetParts = page.locator('[data-threadline]').locator('button, [role="status"], [role="dialog"], aside, section');
  for (const box of await widgetParts.evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON()))) {
    if (box.width && box.height) expect(overlaps(box, pay), `widget element ${JSON.stringify(box)} covers Pay ${JSON.stringify(pay)}`).toBe(false);
  }

  // The prompt's suggested reply answers it in one tap and opens the conversation.
  await page.locator('[data-threadline]').getByRole('button', { name: 'Shipping costs' }).tap();
  await composer(page).waitFor();
  await waitForText(page, 'Shipping costs');
  await write(page, 'Is shipping free to Ireland?');
  await waitForText(page, 'Is shipping free to Ireland?');

  const thread = await eventually(async () => (await env.demo.api('GET', '/v1/threads')).body.items.find((t: any) => t.campaign === 'checkout-help'));
  const stored = (await env.demo.api('GET', `/v1/threads/${thread.id}/messages`)).body.items;
  expect(stored.map((m: any) => [m.kind, m.text])).toEqual([
    ['proactive', 'Need help with your order?'],
    ['text', 'Shipping costs'],
    ['text', 'Is shipping free to Ireland?'],
  ]);
  expect(errors).toEqual([]);
  await s.closeAll();
});

it('a dismissed prompt does not come back, not after a reload and not on the next checkout', async () => {
  const s = sessions(env.browser, 'proactive-dismiss');
  const { page } = await s.open(PHONE);
  await checkoutWithCart(page);
  await toast(page).waitFor({ timeout: 15_000 });
  await page.locator('[data-threadline]').getByRole('button', { name: 'Dismiss' }).tap();
  await eventually(async () => (await toast(page).count()) === 0);

  await page.reload();
  await page.waitForTimeout(3500);
  expect(await toast(page).count()).toBe(0);
  await page.goto(`${env.demo.url}/checkout`);
  await page.waitForTimeout(3500);
  expect(await toast(page).count()).toBe(0);
  await s.closeAll();
});
