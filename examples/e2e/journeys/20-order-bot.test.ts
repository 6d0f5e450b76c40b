/**
 * "Where is my order?" answered in a second by the demo's order bot (examples/order-bot, on the
 * public API: webhooks in, REST out). Alice, signed in on the shop, gets her recent orders as a
 * carousel of cards with tracking links; a guest gets a form, fills it with the keyboard alone
 * (a wrong format first: the field says what is expected), and gets the order's card; axe finds
 * nothing to fix in the widget with cards and a form in it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launch } from '../support/browser.js';
import { startDemoServer, type Demo } from '../support/demo.js';
import { sessions } from '../support/story.js';
import { log, openPanel, waitForText, write } from '../support/widget.js';
import { axeWidget } from '../support/axe.js';

let demo: Demo;
let browser: Browser;

beforeAll(async () => {
  demo = await startDemoServer({ env: { THREADLINE_DEMO_BOT: '1' } });
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

it('shows Alice her recent orders as cards with tracking links when she asks where her order is', async () => {
  const s = sessions(browser, 'order-bot-alice');
  const { page, errors } = await s.open({ bypassCSP: true });
  await page.goto(`${demo.url}/`);
  await page.getByRole('button', { name: 'Sign in as Alice' }).click();
  await page.getByRole('button', { name: 'Sign out (Alice)' }).waitFor();
  await openPanel(page);
  await write(page, 'where is my order?');
  const cards = log(page).getByRole('list', { name: 'Cards' });
  await cards.waitFor();
  // Newest first: three orders, each with its status; the shipped ones link to the carrier.
  const items = cards.getByRole('listitem');
  await expect.poll(() => items.count()).toBe(3);
  await items.filter({ hasText: 'Order NW-10482' }).getByText('On its way').waitFor();
  const track = items.filter({ hasText: 'Order NW-10482' }).getByRole('link', { name: 'Track parcel' });
  expect(await track.getAttribute('href')).toMatch(/^https:\/\/www\.dhl\.com\//);
  expect(await track.getAttribute('target')).toBe('_blank');
  expect(await track.getAttribute('rel')).toContain('noopener');
  await waitForText(page, 'Your 3 most recent orders: NW-10477 is being packed; NW-10482 is on its way with DHL; NW-10391 was delivered.');
  // Keyboard: the carousel is reachable and scrolls; its links take focus.
  await cards.focus();
  await page.keyboard.press('ArrowRight');
  await track.focus();
  expect(await track.evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement)).toBe(true);
  expect(await axeWidget(page)).toEqual([]);
  expect(errors).toEqual([]);
  await s.closeAll();
});

it('asks a guest for order number and email with a form, filled with the keyboard alone, and answers with the order', async () => {
  const s = sessions(browser, 'order-bot-guest');
  const { page, errors } = await s.open({ bypassCSP: true });
  await page.goto(`${demo.url}/`);
  await openPanel(page);
  await write(page, '我的订单在哪里');
  const form = log(page).locator('form');
  await form.waitFor();
  expect(await axeWidget(page)).toEqual([]);
  const order = form.getByRole('textbox', { name: /订单号/ });
  const email = form.getByRole('textbox', { name: /邮箱/ });
  // Keyboard only: focus the first field, type, Tab, type, Enter.
  await order.focus();
  await page.keyboard.type('12');
  await page.keyboard.press('Tab');
  expect(await email.evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement)).toBe(true);
  await page.keyboard.type('sam@example.com');
  await page.keyboard.press('Enter');
  // A value that does not fit the field's pattern is not sent: the field says what it expects.
  expect(await order.getAttribute('aria-invalid')).toBe('true');
  await form.getByText('例如 NW-10482（见确认邮件）').waitFor();
  await order.focus();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type('NW-10455');
  await page.keyboard.press('Enter');
  // The bot answers in the shopper's language with the order's card.
  await waitForText(page, '找到了：订单 NW-10455 已由 DPD 发出。');
  await log(page).locator('.rich-card').getByText('订单 NW-10455').waitFor();
  await log(page).locator('.rich-card').getByText('运输中').waitFor();
  const thread = await demo.thread((t) => t.lastMessage?.author.kind === 'bot' && /找到了/.test(t.lastMessage.text));
  expect(thread.assignee).toMatchObject({ kind: 'bot' });
  const stored = (await demo.api('GET', `/v1/threads/${thread.id}/messages`)).body.items;
  const answer = stored.find((m: any) => m.meta?.form);
  expect(answer.meta.form.values).toEqual({ order: 'NW-10455', email: 'sam@example.com' });
  expect(errors).toEqual([]);
  await s.closeAll();
});
