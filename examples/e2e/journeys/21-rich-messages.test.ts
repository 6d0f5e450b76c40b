/**
 * Rich messages (docs/protocol.md, "Rich messages"): a shopper asks where her order is; an agent
 * answers through the REST API with a card (the product photo from the file store, status and
 * ETA, a tracking link and two buttons) and a form asking for the order number and email. The
 * shopper sees all of it in the widget, uses the form with the keyboard alone — a wrong order
 * number is explained under its field — and the answer reaches the server with its values in
 * `meta.form`; the form then shows as answered. A carousel of orders scrolls sideways with the
 * keyboard, in Arabic (right to left) on a phone. Screenshots at 1280×800 and 390×844, on a light
 * and a dark host page, go to .e2e-artifacts/rich-messages/ to be looked at.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { withDemo } from '../support/setup.js';
import { sessions } from '../support/story.js';
import { API_KEY } from '../support/demo.js';
import { log, openPanel, waitForText, write } from '../support/widget.js';
import { messages, openConsole, openConversation } from '../support/agent.js';
import { axeWidget } from '../support/axe.js';

const env = withDemo();
const SHOTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../.e2e-artifacts/rich-messages');

// A real 2×2 PNG, stretched by the card: enough to prove the image comes through the file store.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAFElEQVR4nGP8z8DwnwEKmBiQAAAmOgICgbbCXQAAAABJRU5ErkJggg==', 'base64');

async function uploadImage(): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([PNG], { type: 'image/png' }), 'trail-runner.png');
  const res = await fetch(`http://127.0.0.1:${env.demo.port}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${API_KEY}` }, body: form });
  expect(res.status).toBe(201);
  return ((await res.json()) as { attachment: { url: string } }).attachment.url;
}

function answer(image: string) {
  return {
    text: 'Your order A-1001 has shipped and should arrive on Friday. If you have another order, tell me its number.',
    author: { kind: 'agent', name: 'Sam' },
    blocks: [
      {
        type: 'card',
        title: 'Order A-1001',
        subtitle: 'Trail Runner, size 42',
        image: { url: image, alt: 'Trail Runner shoe' },
        fields: [
          { label: 'Status', value: 'Shipped' },
          { label: 'ETA', value: 'Fri 4 Dec' },
        ],
        buttons: [
          { type: 'url', label: 'Track parcel', url: 'https://carrier.example/track/123' },
          { type: 'reply', label: 'That’s all, thanks', value: 'done' },
          { type: 'handoff', label: 'Talk to a person' },
        ],
      },
      {
        type: 'form',
        submitLabel: 'Look it up',
        fields: [
          { name: 'order', label: 'Order number', pattern: 'A-\\d{4}', hint: 'Like A-1234', required: true },
          { name: 'email', label: 'Email', type: 'email', required: true },
        ],
      },
    ],
  };
}

/** Heights of every control the blocks draw (links, buttons, fields): each must be a 44 px target. */
function targetHeights(page: Page): Promise<number[]> {
  return page.locator('[data-threadline] .rich').locator('a, button, input').evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().height)));
}

it('shows an agent’s card and form, and the shopper answers the form with the keyboard', async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  const s = sessions(env.browser, 'rich-messages');
  // bypassCSP lets the test inject axe; the widget runs under the shop's strict CSP in 08.
  const shopper = await s.open({ bypassCSP: true });
  const { page } = shopper;
  await page.goto(`${env.demo.url}/product/trail-runner`);
  await openPanel(page);
  await write(page, 'Where is my order?');
  const thread = await env.demo.thread((t) => t.lastMessage?.text === 'Where is my order?');
  const sent = await env.demo.api('POST', `/v1/threads/${thread.id}/messages`, answer(await uploadImage()));
  expect(sent.status).toBe(201);

  // The text first (the fallback), then the blocks from their chunk.
  await waitForText(page, /Your order A-1001 has shipped/);
  const widget = log(page);
  await widget.getByText('Order A-1001', { exact: true }).waitFor();
  await expect.poll(() => widget.getByRole('img', { name: 'Trail Runner shoe' }).evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(2);
  expect(await widget.getByRole('img', { name: 'Trail Runner shoe' }).getAttribute('src')).toMatch(/^blob:/);
  const track = widget.getByRole('link', { name: 'Track parcel (opens in a new tab)' });
  expect(await track.getAttribute('href')).toBe('https://carrier.example/track/123');
  expect(await track.getAttribute('target')).toBe('_blank');
  expect(await track.getAttribute('rel')).toBe('noopener noreferrer');
  await widget.getByRole('button', { name: 'Talk to a person' }).waitFor();
  expect(Math.min(...(await targetHeights(page)))).toBeGreaterThanOrEqual(44);
  expect(await axeWidget(page)).toEqual([]);

  // Keyboard only: Tab from the "That’s all" button reaches the form's fields and its button.
  await widget.getByRole('button', { name: 'That’s all, thanks' }).focus();
  await page.keyboard.press('Tab'); // Talk to a person
  await page.keyboard.press('Tab');
  const order = widget.getByRole('textbox', { name: /^Order number/ });
  await expect.poll(() => order.evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement)).toBe(true);
  await page.keyboard.type('B-12');
  await page.keyboard.press('Tab');
  await page.keyboard.type('alice@example.com');
  await page.keyboard.press('Enter');
  // Refused before sending, with the reason under the field, and the field focused again.
  await widget.getByText('Check the format. Like A-1234').waitFor();
  expect(await order.getAttribute('aria-invalid')).toBe('true');
  await expect.poll(() => order.evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement)).toBe(true);
  for (const [device, viewport] of [['desktop', { width: 1280, height: 800 }], ['phone', { width: 390, height: 844 }]] as const) {
    await page.setViewportSize(viewport);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.waitForTimeout(150);
      await page.screenshot({ path: path.join(SHOTS, `form-${device}-${scheme}.png`) });
    }
  }
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.emulateMedia({ colorScheme: 'light' });

  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type('A-1001');
  await page.keyboard.press('Enter');
  await widget.getByText('Sent', { exact: true }).waitFor();
  await expect.poll(() => widget.getByRole('textbox', { name: /^Order number/ }).count()).toBe(0);
  const stored = await expect
    .poll(async () => (await env.demo.api('GET', `/v1/threads/${thread.id}/messages`)).body.items.at(-1))
    .toMatchObject({ author: { kind: 'visitor' }, text: 'Order number: A-1001\nEmail: alice@example.com', meta: { form: { messageId: sent.body.message.id, values: { order: 'A-1001', email: 'alice@example.com' } } } });
  void stored;
  for (const [device, viewport] of [['desktop', { width: 1280, height: 800 }], ['phone', { width: 390, height: 844 }]] as const) {
    await page.setViewportSize(viewport);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await widget.getByText('Order A-1001', { exact: true }).scrollIntoViewIfNeeded();
      await page.waitForTimeout(150);
      await page.screenshot({ path: path.join(SHOTS, `card-${device}-${scheme}.png`) });
    }
  }
  await page.emulateMedia({ colorScheme: 'dark' });
  expect(await axeWidget(page)).toEqual([]);
  expect(shopper.errors).toEqual([]);

  // The agent console shows what the shopper was shown, read only, and the form's answer.
  const agent = await s.open();
  await openConsole(agent.page, env.demo.url);
  await openConversation(agent.page, 'Order number: A-1001');
  const list = messages(agent.page);
  await list.getByText('Order A-1001', { exact: true }).waitFor();
  await list.getByText('Talk to a person (handoff)').waitFor();
  await list.getByText('Form', { exact: true }).waitFor();
  await list.getByRole('definition').filter({ hasText: 'alice@example.com' }).waitFor();
  await agent.page.screenshot({ path: path.join(SHOTS, 'console-desktop.png') });
  expect(agent.errors).toEqual([]);
  await s.closeAll();
});

it('scrolls a carousel of orders with the keyboard, right to left on a phone', async () => {
  const s = sessions(env.browser, 'rich-messages-carousel');
  const shopper = await s.open({ bypassCSP: true, locale: 'ar', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, colorScheme: 'dark' });
  const { page } = shopper;
  await page.goto(`${env.demo.url}/`);
  await page.getByRole('button', { name: /^Open messages|فتح/ }).first().click();
  const field = page.locator('[data-threadline] textarea');
  await field.waitFor().catch(async () => {
    await page.locator('[data-threadline] .footer button').click();
    await field.waitFor();
  });
  await field.fill('أين طلبي؟');
  await field.press('Enter');
  const thread = await env.demo.thread((t) => t.lastMessage?.text === 'أين طلبي؟');
  const card = (n: number) => ({ title: `Order A-100${n}`, subtitle: 'Trail Runner', fields: [{ label: 'الحالة', value: n === 1 ? 'تم الشحن' : 'قيد التجهيز' }], buttons: [{ type: 'reply', label: `التفاصيل ${n}`, value: `A-100${n}` }] });
  const sent = await env.demo.api('POST', `/v1/threads/${thread.id}/messages`, {
    text: 'لديك ثلاثة طلبات حديثة.',
    blocks: [{ type: 'carousel', cards: [card(1), card(2), card(3)] }],
    quickReplies: [{ label: 'شكرًا' }],
  });
  expect(sent.status).toBe(201);
  const list = log(page).getByRole('list', { name: 'بطاقات' });
  await list.waitFor();
  expect(await list.getByRole('listitem').count()).toBe(3);
  // Quick replies on a message that is not a prompt.
  await page.locator('[data-threadline] .quick-replies').getByRole('button', { name: 'شكرًا' }).waitFor();
  // Keyboard: the list takes focus and the arrow keys scroll it (the next card is on the left in Arabic).
  await list.focus();
  const before = await list.evaluate((el) => el.scrollLeft);
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  await expect.poll(() => list.evaluate((el) => el.scrollLeft)).toBeLessThan(before);
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(SHOTS, 'carousel-phone-dark-ar.png') });
  await list.getByRole('button', { name: 'التفاصيل 3' }).click();
  await expect
    .poll(async () => (await env.demo.api('GET', `/v1/threads/${thread.id}/messages`)).body.items.at(-1))
    .toMatchObject({ text: 'التفاصيل 3', meta: { quickReply: 'A-1003' } });
  expect(await axeWidget(page)).toEqual([]);
  expect(shopper.errors).toEqual([]);
  await s.closeAll();
});
