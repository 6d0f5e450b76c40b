import { io, type Socket } from 'socket.io-client';
import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { messages, openConversation } from '../support/agent.js';
import { API_KEY } from '../support/demo.js';
import { withDemo } from '../support/setup.js';
import { sessions } from '../support/story.js';

const env = withDemo();

/** A shopper scripted as a bare socket.io client, the way an attacker would, not the widget. */
async function scriptedShopper(url: string) {
  const socket: Socket = io(url, { auth: { appId: 'demo', v: 1 }, transports: ['websocket'], reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('session', () => resolve());
    socket.once('connect_error', reject);
  });
  return {
    call: (event: string, payload: unknown) => socket.timeout(5000).emitWithAck(event, payload) as Promise<any>,
    close: () => socket.close(),
  };
}

/** Watches the console page for CSP violations, as events and as console messages. */
async function watchCsp(page: Page): Promise<() => Promise<string[]>> {
  const reported: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to (load|execute|apply|connect|frame)/i.test(m.text())) reported.push(m.text());
  });
  await page.addInitScript(() => {
    (window as any).__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => (window as any).__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  return async () => [...reported, ...(await page.evaluate(() => (window as any).__violations as string[]))];
}

const consoleUrl = () => `${env.demo.url}/agent/#key=${encodeURIComponent(API_KEY)}&name=Sam`;
const uuid = () => crypto.randomUUID();

it('the agent console runs under a strict policy with zero violations, and a locale that is not one breaks nothing', async () => {
  const s = sessions(env.browser, 'agent-console-csp');
  const { page, errors } = await s.open();
  const violations = await watchCsp(page);
  const assets: Record<string, string | undefined> = {};
  page.on('response', (r) => {
    if (r.url().includes('/agent/assets/')) assets[r.url()] = r.headers()['content-security-policy'];
  });

  // A shopper asks something from the checkout.
  const shopper = await scriptedShopper(env.demo.url);
  await shopper.call('context.update', { page: { url: `${env.demo.url}/checkout`, title: 'Checkout' }, cart: { value: 120, currency: 'EUR', items: 2 }, locale: 'en-GB' });
  await shopper.call('message.send', { threadId: uuid(), create: true, clientId: uuid(), text: 'Do you ship to Norway?' });

  // Sam opens the console: the page, and everything it loads, comes with the policy.
  const response = await page.goto(consoleUrl());
  const headers = response!.headers();
  const csp = headers['content-security-policy']!;
  for (const directive of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' blob:", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"]) {
    expect(csp).toContain(directive);
  }
  expect(csp).toMatch(/connect-src 'self'/);
  expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  expect(headers['x-frame-options']).toBe('DENY');
  expect(headers['referrer-policy']).toBe('no-referrer');

  await openConversation(page, 'Do you ship to Norway?');
  const panel = page.getByRole('complementary', { name: 'Visitor details' });
  await panel.getByText('Language: en-GB').waitFor();

  // The shopper sends a locale that made Intl throw in the console: the server refuses it…
  const refused = await shopper.call('context.update', { locale: 'x!' });
  expect(refused).toMatchObject({ ok: false, error: { code: 'bad_request' } });
  // …and what they send next still reaches Sam, with the thread and the panel in place.
  await shopper.call('context.update', { page: { url: `${env.demo.url}/cart`, title: 'Your cart' } });
  await panel.getByText('Your cart').waitFor();
  await messages(page).getByText('Do you ship to Norway?').waitFor();
  expect(await page.getByText('Loading messages…').count()).toBe(0);

  // The proactive tab lists the shopper.
  await page.getByRole('button', { name: /Proactive message/ }).click();
  await page.getByRole('radio', { name: /Visitor/ }).first().waitFor();

  expect(Object.keys(assets).length).toBeGreaterThan(0);
  for (const [url, policy] of Object.entries(assets)) expect(policy, url).toBe(csp);
  expect(await violations()).toEqual([]);
  expect(errors).toEqual([]);
  shopper.close();
  await s.closeAll();
});

it('the console shows a visitor whose broken locale was stored before locales were checked', async () => {
  const s = sessions(env.browser, 'agent-console-stored-locale');
  const { page, errors } = await s.open();
  const violations = await watchCsp(page);
  const shopper = await scriptedShopper(env.demo.url);
  await shopper.call('context.update', { page: { url: `${env.demo.url}/checkout`, title: 'Checkout' }, cart: { value: 89.5, currency: 'EUR', items: 1 } });
  await shopper.call('message.send', { threadId: uuid(), create: true, clientId: uuid(), text: 'Is the blue one back in stock?' });

  // An older server handed out whatever the page sent: give the console "x!" as it would have
  // (wherever a visitor comes with a thread: the lists, the queue, a thread, a visitor).
  const breakLocale = (visitor: { context?: Record<string, unknown> } | undefined) => visitor?.context && (visitor.context.locale = 'x!');
  await page.route(/\/v1\/(threads|visitors|queue)(\/[^/]+)?(\?.*)?$/, async (route) => {
    const res = await route.fetch();
    const json = await res.json();
    for (const item of json.items ?? [json]) breakLocale(item.visitor ?? item);
    await route.fulfill({ response: res, json });
  });

  await page.goto(consoleUrl());
  await openConversation(page, 'Is the blue one back in stock?');
  await messages(page).getByText('Is the blue one back in stock?').waitFor();
  const panel = page.getByRole('complementary', { name: 'Visitor details' });
  await panel.getByText('Language: x!').waitFor();
  await panel.getByText(/89/).first().waitFor();
  await page.getByRole('button', { name: /Proactive message/ }).click();
  await page.getByRole('radio', { name: /Visitor/ }).first().waitFor();
  expect(await page.getByRole('alert').count()).toBe(0);

  expect(await violations()).toEqual([]);
  expect(errors).toEqual([]);
  shopper.close();
  await s.closeAll();
});
