/**
 * The continue link of an email, on loopback with a real SMTP relay: the email carries it, and a
 * new device opening it gets that one thread (and nothing else of its owner's), live.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connect, eventually, newId, send, startServer, type Harness, type Visitor } from '../test/harness.js';
import { startRelay, type Relay } from '../test/smtp.js';
import { LINK_KEY_SETTING, LinkSigner } from './link-signer.js';

let relay: Relay;
let h: Harness;

beforeAll(async () => {
  relay = await startRelay();
});
afterAll(async () => {
  await relay.close();
});
beforeEach(async () => {
  relay.received.length = 0;
  h = await startServer({ notifications: { smtpUrl: relay.url, from: 'support@shop.test', delayMs: 60_000, inboundDomain: 'reply.shop.test' } });
});
afterEach(async () => {
  await h.close();
});

async function runDueNow() {
  await h.server.store.db.updateTable('jobs').set({ run_at: Date.now() - 1 }).where('kind', '=', 'notify.email').execute();
  h.server.jobs.wake();
}

/** A shopper with two threads, who left an address on the product page and went away; the brand answers the first. */
async function shopperWhoLeft(page?: string) {
  const a = await connect(h.url, { origin: 'http://shop.test' });
  const answered = newId();
  const other = newId();
  expect((await send(a, answered, 'Do you have this in M?', { create: true })).ok).toBe(true);
  expect((await send(a, other, 'A private question', { create: true })).ok).toBe(true);
  if (page) expect((await a.call('context.update', { page: { url: page } })).ok).toBe(true);
  expect((await a.call('notify.email.set', { email: 'alice@example.com' })).ok).toBe(true);
  a.close();
  await eventually(async () => (await h.api('GET', `/v1/visitors/${a.session.visitorId}`)).body.online === false);
  expect((await h.api('POST', `/v1/threads/${answered}/messages`, { text: 'Yes, size M is in stock.', author: { kind: 'agent', name: 'Sam' } })).status).toBe(201);
  await runDueNow();
  const mail = await eventually(() => relay.received[0]);
  const link = /Continue the conversation: (\S+)/.exec(mail.mail.text ?? '')?.[1];
  expect(link).toBeTruthy();
  return { a, answered, other, link: link!, mail };
}

const tokenOf = (link: string) => new URL(link).hash.replace(/^#tl-continue=/, '');

describe('continue link', () => {
  it('points at the page the shopper was on, with the token in the fragment, as text and as a button', async () => {
    const { link, mail } = await shopperWhoLeft('http://shop.test/products/trail-jacket?colour=blue');
    expect(link).toMatch(/^http:\/\/shop\.test\/products\/trail-jacket\?colour=blue#tl-continue=[0-9a-f]{32}\.\d+\.[0-9a-f]{24}$/);
    expect(mail.mail.html).toContain(`href="${link.replace(/&/g, '&amp;')}"`);
    expect(mail.mail.html).toContain('Continue the conversation</a>');
  });

  it('points at the app’s site when the page is unknown or on another origin', async () => {
    const { link } = await shopperWhoLeft('https://evil.example/phish');
    expect(link).toMatch(/^http:\/\/shop\.test\/#tl-continue=/);
  });

  it('opens that one thread on a new device, with its messages, and nothing else of the owner’s', async () => {
    const { a, answered, other, link } = await shopperWhoLeft();
    const b = await connect(h.url, { origin: 'http://shop.test' });
    expect(b.session.visitorId).not.toBe(a.session.visitorId);
    const res = await b.call('thread.attach', { token: tokenOf(link) });
    expect(res.ok).toBe(true);
    expect(res.thread.id).toBe(answered);
    expect(res.messages.map((m: { text: string }) => m.text)).toEqual(['Do you have this in M?', 'Yes, size M is in stock.']);
    const sync = await b.call('sync', { cursors: {} });
    expect(sync.threads.map((t: { id: string }) => t.id)).toEqual([answered]);
    expect((await b.call('messages.list', { threadId: other })).error.code).toBe('not_found');
    // Writes there, and hears the brand live.
    expect((await send(b, answered, 'Great, I will order it')).ok).toBe(true);
    await h.api('POST', `/v1/threads/${answered}/messages`, { text: 'Thanks!', author: { kind: 'agent' } });
    await eventually(() => b.received.message?.some((m) => m.text === 'Thanks!'));
    b.close();
    // Kept for this device's next connections.
    const again = await connect(h.url, { origin: 'http://shop.test', token: b.session.token });
    expect(again.session.visitorId).toBe(b.session.visitorId);
    expect((await again.call('sync', { cursors: {} })).threads.map((t: { id: string }) => t.id)).toEqual([answered]);
    again.close();
  });

  it('refuses a forged, altered or expired token, and one for another thread’s signature', async () => {
    const { link, answered } = await shopperWhoLeft();
    const token = tokenOf(link);
    const [id, exp, sig] = token.split('.') as [string, string, string];
    const key = (await h.server.store.db.selectFrom('settings').select('value').where('key', '=', LINK_KEY_SETTING).executeTakeFirstOrThrow()).value;
    const signer = new LinkSigner(key);
    const past = Date.now() - 1000;
    const nid = `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20)}`;
    const b: Visitor = await connect(h.url, { origin: 'http://shop.test' });
    for (const bad of [
      `${id}.${exp}.${sig.replace(/^./, (c) => (c === '0' ? '1' : '0'))}`, // altered signature
      `${id}.${Number(exp) + 1}.${sig}`, // a later expiry under the old signature
      signer.continueToken(nid, past), // expired, though signed
      signer.continueToken(newId(), Date.now() + 60_000), // signed, but for no email
    ]) {
      const res = await b.call('thread.attach', { token: bad });
      expect(res, bad).toMatchObject({ ok: false, error: { code: 'not_found' } });
    }
    expect((await b.call('thread.attach', { token: 'not a token' })).error.code).toBe('bad_request');
    expect((await b.call('sync', { cursors: {} })).threads.map((t: { id: string }) => t.id)).not.toContain(answered);
    b.close();
  });
});
