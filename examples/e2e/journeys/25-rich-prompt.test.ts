/**
 * A proactive prompt with rich content (docs/protocol.md, "Rich messages"; docs/campaigns.md):
 * Alice is at checkout; the shop's backend pushes a prompt that opens the messenger, with a card
 * (free express shipping, a link to the rules) and a reply button. The panel shows the prompt's
 * card above a new conversation; Alice taps the reply button, and the thread starts from the
 * prompt with its card in it, for her and on the server. A prompt with a form is answered in the
 * panel on a phone: a wrong value is explained under the field, a right one starts the thread,
 * where the prompt's copy shows the form answered. Screenshots at 1280×800 and 390×844 go to
 * .e2e-artifacts/rich-prompt/ to be looked at.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { withDemo } from '../support/setup.js';
import { sessions } from '../support/story.js';
import { log, waitForText } from '../support/widget.js';
import { axeWidget } from '../support/axe.js';

const env = withDemo();
const SHOTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../.e2e-artifacts/rich-prompt');

const blocks = [
  {
    type: 'card',
    title: 'Free express shipping',
    subtitle: 'Your cart qualifies: it arrives tomorrow.',
    buttons: [{ type: 'url', label: 'Shipping rules', url: 'https://shop.example/shipping' }],
  },
  { type: 'buttons', buttons: [{ type: 'reply', label: 'Yes, ship it express', value: 'express' }] },
];

it('a checkout prompt with a card and buttons opens in the panel; its reply button starts the thread with the prompt’s card in it', async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  const s = sessions(env.browser, 'rich-prompt');
  const { page, errors } = await s.open();
  await page.goto(`${env.demo.url}/`);
  await page.getByRole('button', { name: 'Sign in as Alice' }).click();
  await page.getByRole('button', { name: 'Sign out (Alice)' }).waitFor();
  await page.goto(`${env.demo.url}/checkout`);

  const pushed = await env.demo.api('POST', '/v1/proactive', {
    to: { userId: 'alice' },
    text: 'Good news: your order ships express for free. Want it tomorrow?',
    display: 'open',
    campaign: 'checkout-express',
    author: { kind: 'bot', name: 'Shop assistant' },
    blocks,
  });
  expect(pushed.status, JSON.stringify(pushed.body)).toBe(202);
  expect(pushed.body.proactive.blocks).toEqual(blocks);

  // The panel opens on the prompt: its text, then its card and buttons from the rich chunk.
  const widget = page.locator('[data-threadline]');
  await widget.getByText('Free express shipping', { exact: true }).waitFor({ timeout: 15_000 });
  await widget.getByText('Good news: your order ships express for free.', { exact: false }).waitFor();
  expect(await widget.getByRole('link', { name: /Shipping rules/ }).getAttribute('href')).toBe('https://shop.example/shipping');
  for (const [device, viewport] of [['desktop', { width: 1280, height: 800 }], ['phone', { width: 390, height: 844 }]] as const) {
    await page.setViewportSize(viewport);
    await page.waitForTimeout(150);
    await page.screenshot({ path: path.join(SHOTS, `prompt-${device}.png`) });
  }
  expect(await axeWidget(page)).toEqual([]);

  await widget.getByRole('button', { name: 'Yes, ship it express' }).click();
  // The thread starts from the prompt: its card is the thread's first message, then Alice's answer.
  await waitForText(page, 'Yes, ship it express');
  await expect.poll(() => log(page).getByText('Free express shipping', { exact: true }).count(), { timeout: 15_000 }).toBe(1);
  const thread = await env.demo.thread((t) => t.campaign === 'checkout-express');
  await expect
    .poll(async () => (await env.demo.api('GET', `/v1/threads/${thread.id}/messages`)).body.items.map((m: any) => [m.kind, m.text, m.blocks, m.meta?.quickReply]))
    .toEqual([
      ['proactive', 'Good news: your order ships express for free. Want it tomorrow?', blocks, undefined],
      ['text', 'Yes, ship it express', undefined, 'express'],
    ]);
  await page.waitForTimeout(150);
  await page.screenshot({ path: path.join(SHOTS, 'thread-phone.png') });
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.waitForTimeout(150);
  await page.screenshot({ path: path.join(SHOTS, 'thread-desktop.png') });
  expect(errors).toEqual([]);
  await s.closeAll();
});

it('a prompt’s form is answered in the panel: the thread starts from the prompt and shows the form answered', async () => {
  const s = sessions(env.browser, 'rich-prompt-form');
  const { page, errors } = await s.open({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  await page.goto(`${env.demo.url}/`);
  await page.getByRole('button', { name: 'Sign in as Alice' }).click();
  await page.getByRole('button', { name: 'Sign out (Alice)' }).waitFor();
  const form = [{ type: 'form', submitLabel: 'Look it up', fields: [{ name: 'order', label: 'Order number', pattern: 'A-\\d{4}', hint: 'Like A-1234', required: true }] }];
  const pushed = await env.demo.api('POST', '/v1/proactive', {
    to: { userId: 'alice' },
    text: 'Is this about an order? Give me its number and I will look it up.',
    display: 'open',
    campaign: 'order-lookup',
    blocks: form,
  });
  expect(pushed.status, JSON.stringify(pushed.body)).toBe(202);
  const widget = page.locator('[data-threadline]');
  const order = widget.getByRole('textbox', { name: /^Order number/ });
  await order.waitFor({ timeout: 15_000 });
  await page.screenshot({ path: path.join(SHOTS, 'form-phone.png') });
  await order.fill('B-12');
  await widget.getByRole('button', { name: 'Look it up' }).tap();
  await widget.getByText('Check the format. Like A-1234').waitFor();
  await order.fill('A-1001');
  await widget.getByRole('button', { name: 'Look it up' }).tap();
  // The thread starts from the prompt; its copy there shows the form answered.
  await waitForText(page, 'Order number: A-1001');
  await log(page).getByText('Sent', { exact: true }).first().waitFor();
  await expect.poll(() => log(page).getByRole('textbox', { name: /^Order number/ }).count()).toBe(0);
  const thread = await env.demo.thread((t) => t.campaign === 'order-lookup');
  const [copy, answer] = (await env.demo.api('GET', `/v1/threads/${thread.id}/messages`)).body.items;
  expect(copy).toMatchObject({ kind: 'proactive', blocks: form });
  expect(answer).toMatchObject({ text: 'Order number: A-1001', meta: { form: { messageId: copy.id, values: { order: 'A-1001' } } } });
  await page.screenshot({ path: path.join(SHOTS, 'form-answered-phone.png') });
  expect(errors).toEqual([]);
  await s.closeAll();
});
