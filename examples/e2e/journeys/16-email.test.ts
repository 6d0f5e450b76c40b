/**
 * The reply reaches a shopper who has left (docs/notifications.md): the shopper leaves an address
 * in the widget's inline ask and closes the page; the agent answers twice; after the (shortened)
 * delay exactly one email reaches the brand's relay (a real smtp-server on loopback) with both
 * answers and a continue link; the shopper's reply by email lands in the thread, live in the agent
 * console, its quote stripped; the continue link opens the widget on that thread in a fresh browser
 * with every message; unsubscribing stops the next email; a shopper who is there and reads gets none.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launch } from '../support/browser.js';
import { API_KEY, startDemoServer, type Demo } from '../support/demo.js';
import { sessions } from '../support/story.js';
import { messages, openConsole, openConversation, reply } from '../support/agent.js';
import { composer, log, openPanel, waitForText, write } from '../support/widget.js';
// The brand's mail relay of the server's own tests: a real smtp-server keeping what it receives.
import { startRelay, type Received, type Relay } from '../../../packages/server/src/test/smtp.js';

const DELAY_MS = 1500;
/** A 2×2 PNG, the photo the brand sends. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAFElEQVR4nGP8z8DwnwEKmBiQAAAmOgICgbbCXQAAAABJRU5ErkJggg==', 'base64');
let demo: Demo;
let browser: Browser;
let relay: Relay;

beforeAll(async () => {
  relay = await startRelay();
  demo = await startDemoServer({
    env: {
      THREADLINE_SMTP_URL: relay.url,
      THREADLINE_SMTP_FROM: 'support@shop.test',
      THREADLINE_SMTP_INBOUND_DOMAIN: 'reply.shop.test',
      THREADLINE_NOTIFY_DELAY_MS: String(DELAY_MS),
    },
  });
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await demo?.stop();
  await relay?.close();
});

const to = (address: string) => relay.received.filter((r) => r.envelope.to.includes(address));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Longer than a delay window and a job worker's round: what would be sent has been by then. */
const aWindowLater = () => sleep(DELAY_MS * 3);

function header(r: Received, name: string): string {
  const head = r.raw.toString('utf8').split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
  const line = head.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line ? line.slice(name.length + 1).trim() : '';
}

async function leaveAddress(page: Page, email: string): Promise<void> {
  const ask = page.getByRole('form', { name: 'Get the reply by email' });
  await ask.waitFor({ timeout: 10_000 });
  await ask.getByRole('textbox', { name: 'Email address' }).fill(email);
  await ask.getByRole('button', { name: 'Email me' }).click();
  await page.getByText(`We'll email ${email}`).waitFor();
}

it('emails a shopper who left once, takes their reply, brings them back by the link, and stops on unsubscribe', async () => {
  const s = sessions(browser, 'email');

  // Nobody of the brand is online: the widget asks, inline, after the first message.
  const shopper = await s.open();
  await shopper.page.goto(`${demo.url}/product/trail-runner`);
  await openPanel(shopper.page);
  await write(shopper.page, 'Is the Trail Runner waterproof?');
  await waitForText(shopper.page, 'Is the Trail Runner waterproof?');
  await leaveAddress(shopper.page, 'alice@example.com');
  expect(shopper.errors).toEqual([]);
  await shopper.close();

  // The agent answers twice within the delay window.
  const agent = await s.open();
  await openConsole(agent.page, demo.url);
  await openConversation(agent.page, 'Is the Trail Runner waterproof?');
  await reply(agent.page, 'Yes: taped seams and a 10k membrane.');
  await messages(agent.page).getByText('Yes: taped seams and a 10k membrane.').first().waitFor();
  // The second, with a photo, from the brand's backend.
  const form = new FormData();
  form.append('file', new Blob([PNG], { type: 'image/png' }), 'green.png');
  const upload = await fetch(`http://127.0.0.1:${demo.port}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${API_KEY}` }, body: form });
  expect(upload.status).toBe(201);
  const photo = ((await upload.json()) as { attachment: { id: string } }).attachment.id;
  const waiting = await demo.thread((t) => t.lastMessage?.text === 'Yes: taped seams and a 10k membrane.');
  expect((await demo.api('POST', `/v1/threads/${waiting.id}/messages`, { text: 'It also comes in green.', attachments: [photo], author: { kind: 'agent', name: 'Sam' } })).status).toBe(201);
  await messages(agent.page).getByText('It also comes in green.').first().waitFor();

  // Exactly one email, with both answers, the continue link and one-click unsubscribe.
  await expect.poll(() => to('alice@example.com').length, { timeout: 15_000 }).toBe(1);
  await aWindowLater();
  expect(to('alice@example.com')).toHaveLength(1);
  const mail = to('alice@example.com')[0]!;
  expect(mail.mail.subject).toBe('2 new messages from Demo shop');
  expect(mail.mail.text).toContain('Yes: taped seams and a 10k membrane.');
  expect(mail.mail.text).toContain('It also comes in green.');
  const link = /Continue the conversation: (\S+)/.exec(mail.mail.text ?? '')?.[1];
  expect(link).toMatch(new RegExp(`^${demo.url.replace(/[.:/]/g, '\\$&')}/product/trail-runner#tl-continue=`));
  expect(header(mail, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
  // The photo as a thumbnail linking to the file, which opens without a session (signed, expiring).
  const fileUrl = /File: green\.png <([^>]+)>/.exec(mail.mail.text ?? '')?.[1];
  expect(fileUrl).toMatch(/\/v1\/files\/[^?]+\?exp=\d+&sig=[0-9a-f]+$/);
  expect(mail.mail.html).toContain(`<img src="${fileUrl!.replace(/&/g, '&amp;')}"`);
  const file = await fetch(new URL(new URL(fileUrl!).pathname + new URL(fileUrl!).search, `http://127.0.0.1:${demo.port}`));
  expect(file.status).toBe(200);
  expect(Buffer.from(await file.arrayBuffer()).equals(PNG)).toBe(true);

  // The shopper answers from their mail client: the reply lands, quote stripped, live in the console.
  const replyTo = mail.mail.replyTo!.value[0]!.address!;
  const raw = [
    'From: Alice <alice@example.com>',
    `To: ${replyTo}`,
    `Subject: Re: ${mail.mail.subject}`,
    'Message-ID: <reply-1@example.com>',
    `In-Reply-To: ${mail.mail.messageId}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    "Great, I'll take a medium in green.",
    '',
    'On Mon, 30 Nov 2026 at 17:00, Demo shop <support@shop.test> wrote:',
    '> Yes: taped seams and a 10k membrane.',
    '',
  ].join('\r\n');
  const inbound = await fetch(`http://127.0.0.1:${demo.port}/v1/inbound/email`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'message/rfc822' },
    body: raw,
  });
  expect(inbound.status).toBe(201);
  await messages(agent.page).getByText("Great, I'll take a medium in green.").first().waitFor({ timeout: 10_000 });
  // Marked as sent by email.
  await messages(agent.page).locator('.msg').filter({ hasText: "Great, I'll take a medium in green." }).getByText('By email').waitFor();
  expect(await messages(agent.page).getByText('taped seams and a 10k membrane.').count()).toBe(1);
  expect(agent.errors).toEqual([]);
  await agent.close();

  // The continue link in a fresh browser (another device): the widget opens on that thread with
  // every message, the token is gone from the address bar, and nothing else came along.
  const other = await s.open({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await other.page.goto(link!);
  await composer(other.page).waitFor({ timeout: 15_000 });
  for (const text of ['Is the Trail Runner waterproof?', 'Yes: taped seams and a 10k membrane.', 'It also comes in green.', "Great, I'll take a medium in green."]) {
    await waitForText(other.page, text);
  }
  expect(new URL(other.page.url()).hash).toBe('');
  expect(await log(other.page).getByText('On Mon, 30 Nov').count()).toBe(0);
  await write(other.page, 'Ordered, thanks!');
  await expect.poll(async () => (await demo.thread((t) => t.lastMessage?.text === 'Ordered, thanks!', 10_000)).id).toBeTruthy();
  expect(other.errors).toEqual([]);
  await other.close();

  // One click on "Unsubscribe" in the mail client (RFC 8058): the next answer sends no email.
  const unsubscribe = /<([^>]+)>/.exec(header(mail, 'List-Unsubscribe'))![1]!;
  const res = await fetch(unsubscribe.replace('localhost', '127.0.0.1'), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
  expect(res.status).toBe(200);
  const thread = await demo.thread((t) => t.lastMessage?.text === 'Ordered, thanks!');
  expect((await demo.api('POST', `/v1/threads/${thread.id}/messages`, { text: 'Your jacket ships tomorrow.', author: { kind: 'agent', name: 'Sam' } })).status).toBe(201);
  await aWindowLater();
  expect(to('alice@example.com')).toHaveLength(1);
  await s.closeAll();
});

it('sends nothing to a shopper who is there and reads the answer', async () => {
  const s = sessions(browser, 'email-online');
  const shopper = await s.open();
  await shopper.page.goto(`${demo.url}/`);
  await openPanel(shopper.page);
  await write(shopper.page, 'Do you ship to Norway?');
  await waitForText(shopper.page, 'Do you ship to Norway?');
  await leaveAddress(shopper.page, 'bob@example.com');
  const thread = await demo.thread((t) => t.lastMessage?.text === 'Do you ship to Norway?');
  expect((await demo.api('POST', `/v1/threads/${thread.id}/messages`, { text: 'We do, in 3 days.', author: { kind: 'agent', name: 'Sam' } })).status).toBe(201);
  await waitForText(shopper.page, 'We do, in 3 days.');
  await expect.poll(async () => (await demo.api('GET', `/v1/threads/${thread.id}`)).body.visitorReadSeq, { timeout: 10_000 }).toBe(2);
  await aWindowLater();
  expect(to('bob@example.com')).toHaveLength(0);
  expect(shopper.errors).toEqual([]);
  await s.closeAll();
});
