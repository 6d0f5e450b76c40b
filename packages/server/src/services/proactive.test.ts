import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhook } from '../webhooks/signature.js';
import { userHashOf } from '../auth/identity.js';
import { SECRET, connect, eventually, newId, send, startServer, type Harness } from '../test/harness.js';

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

let h: Harness;
let hook: http.Server;
let hookUrl: string;
const received: Received[] = [];
let failNext = 0;

beforeAll(async () => {
  hook = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (failNext > 0) {
        failNext--;
        res.writeHead(503).end();
        return;
      }
      received.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hooks`;
  h = await startServer();
});
afterAll(async () => {
  await h.close();
  await new Promise((r) => hook.close(r));
});

describe('proactive messages', () => {
  it('delivers live to every connected tab of a visitor and says so', async () => {
    const a = await connect(h.url);
    const b = await connect(h.url, { token: a.session.token });
    const [pa, pb] = [a.next('proactive'), b.next('proactive')];
    const res = await h.api('POST', '/v1/proactive', { to: { visitorId: a.session.visitorId }, text: 'Need help with your order?', display: 'toast', campaign: 'checkout' });
    expect(res.status).toBe(202);
    expect(res.body.delivered).toBe('live');
    expect((await pa).text).toBe('Need help with your order?');
    expect((await pb).campaign).toBe('checkout');
    a.close();
    b.close();
  });

  it('queues for a visitor who is away and delivers on the next connection until shown', async () => {
    const v = await connect(h.url);
    v.close();
    await eventually(async () => !(await h.api('GET', `/v1/visitors/${v.session.visitorId}`)).body.online);
    const res = await h.api('POST', '/v1/proactive', { to: { visitorId: v.session.visitorId }, text: 'Your parcel ships today', display: 'open' });
    expect(res.body.delivered).toBe('queued');
    const back = await connect(h.url, { token: v.session.token });
    const sync = await back.call('sync', { cursors: {} });
    expect(sync.proactive.map((p: any) => p.text)).toEqual(['Your parcel ships today']);
    expect((await back.call('proactive.event', { id: res.body.proactive.id, event: 'shown' })).ok).toBe(true);
    const again = await back.call('sync', { cursors: {} });
    expect(again.proactive).toHaveLength(0);
    back.close();
  });

  it('never offers again a prompt the device suppressed (over its own caps), nor pushes it live', async () => {
    const v = await connect(h.url);
    const pushed = await h.api('POST', '/v1/proactive', { to: { visitorId: v.session.visitorId }, text: 'One more thing', campaign: 'checkout' });
    expect((await v.call('sync', { cursors: {} })).proactive.map((p: any) => p.id)).toEqual([pushed.body.proactive.id]);
    expect((await v.call('proactive.event', { id: pushed.body.proactive.id, event: 'suppressed' })).ok).toBe(true);
    expect((await v.call('sync', { cursors: {} })).proactive).toHaveLength(0);
    // Another tab of the visitor, connected later: not offered there either.
    const other = await connect(h.url, { token: v.session.token });
    expect((await other.call('sync', { cursors: {} })).proactive).toHaveLength(0);
    // An event name the protocol does not know is refused with its code.
    expect((await v.call('proactive.event', { id: pushed.body.proactive.id, event: 'ignored' as never })).error.code).toBe('bad_request');
    v.close();
    other.close();
  });

  it('lets one visitor get at most 5 prompts a day across campaigns, then refuses with prompt_capped; a retry of a stored one still answers', async () => {
    const v = await connect(h.url);
    const to = { visitorId: v.session.visitorId };
    const first = await h.api('POST', '/v1/proactive', { to, text: 'p0', campaign: 'a' }, { 'idempotency-key': `cap-${v.session.visitorId}` });
    expect(first.status).toBe(202);
    for (let i = 1; i < 5; i++) expect((await h.api('POST', '/v1/proactive', { to, text: `p${i}`, ...(i % 2 ? { campaign: 'b' } : {}) })).status).toBe(202);
    const over = await h.api('POST', '/v1/proactive', { to, text: 'one too many', campaign: 'c' });
    expect(over.status).toBe(429);
    expect(over.body.error.code).toBe('prompt_capped');
    // When the oldest of the five leaves the 24 hours.
    expect(over.body.error.retryAfterMs).toBeGreaterThan(23 * 3600_000);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(23 * 3600);
    expect(over.body.error.retryAfterMs).toBeLessThanOrEqual(24 * 3600_000);
    // A retry of a push that was stored is answered as before, not refused.
    const again = await h.api('POST', '/v1/proactive', { to, text: 'p0', campaign: 'a' }, { 'idempotency-key': `cap-${v.session.visitorId}` });
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ duplicate: true, proactive: { id: first.body.proactive.id } });
    // Nothing of the refused one was stored; another visitor is not affected.
    expect((await v.call('sync', { cursors: {} })).proactive.map((p: any) => p.text)).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
    const w = await connect(h.url);
    expect((await h.api('POST', '/v1/proactive', { to: { visitorId: w.session.visitorId }, text: 'hello' })).status).toBe(202);
    v.close();
    w.close();
  });

  it('pushes nothing while the visitor talks with a person: not after an agent’s answer in an open thread, yes after a bot’s or once it is resolved', async () => {
    const v = await connect(h.url);
    const to = { visitorId: v.session.visitorId };
    const threadId = newId();
    await send(v, threadId, 'Where is my parcel?', { create: true });
    expect((await h.api('POST', `/v1/threads/${threadId}/messages`, { text: 'Checking for you', author: { kind: 'bot', name: 'Helper' } })).status).toBe(201);
    expect((await h.api('POST', '/v1/proactive', { to, text: 'a bot wrote: fine' })).status).toBe(202);
    expect((await h.api('POST', `/v1/threads/${threadId}/messages`, { text: 'It ships today', author: { kind: 'agent', name: 'Sam' } })).status).toBe(201);
    const refused = await h.api('POST', '/v1/proactive', { to, text: 'Free shipping today!', campaign: 'promo' });
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: 'prompt_capped', message: expect.stringContaining('conversation with a person') });
    expect(refused.body.error.retryAfterMs).toBeGreaterThan(29 * 60_000);
    expect(refused.body.error.retryAfterMs).toBeLessThanOrEqual(30 * 60_000);
    expect((await h.api('POST', `/v1/threads/${threadId}/resolve`)).status).toBe(200);
    expect((await h.api('POST', '/v1/proactive', { to, text: 'Free shipping today!', campaign: 'promo' })).status).toBe(202);
    v.close();
  });

  it('counts prompts to a user across their devices, and five pushed at once never let a sixth through', async () => {
    const userId = 'capped-' + newId();
    const pushes = await Promise.all(Array.from({ length: 8 }, (_, i) => h.api('POST', '/v1/proactive', { to: { userId }, text: `u${i}` })));
    expect(pushes.map((r) => r.status).sort()).toEqual([202, 202, 202, 202, 202, 429, 429, 429]);
  });

  it('stores eight pushes at once to one visitor and never lets a sixth through; marked delivered when pushed live', async () => {
    const v = await connect(h.url);
    const to = { visitorId: v.session.visitorId };
    const counted = h.server.store.db;
    const pushes = await Promise.all(Array.from({ length: 8 }, (_, i) => h.api('POST', '/v1/proactive', { to, text: `v${i}` })));
    expect(pushes.map((r) => r.status).sort()).toEqual([202, 202, 202, 202, 202, 429, 429, 429]);
    expect(pushes.filter((r) => r.status === 202).every((r) => r.body.delivered === 'live')).toBe(true);
    const stored = await counted.selectFrom('proactive').select(['delivered_at', 'created_at']).where('visitor_id', '=', to.visitorId).execute();
    expect(stored).toHaveLength(5);
    for (const row of stored) expect(Number(row.delivered_at)).toBeGreaterThanOrEqual(Number(row.created_at));
    v.close();
  });

  it('targets a user on all their devices, and queues for a user not yet seen', async () => {
    const userId = 'erin-' + newId();
    const queued = await h.api('POST', '/v1/proactive', { to: { userId }, text: 'Welcome back' });
    expect(queued.body.delivered).toBe('queued');
    const v = await connect(h.url, { userId, userHash: userHashOf(SECRET, userId) });
    const sync = await v.call('sync', { cursors: {} });
    expect(sync.proactive.map((p: any) => p.text)).toEqual(['Welcome back']);
    v.close();
  });

  it('refuses an unknown visitor, an expiry in the past, and a bad body', async () => {
    expect((await h.api('POST', '/v1/proactive', { to: { visitorId: newId() }, text: 'x' })).status).toBe(404);
    const past = await h.api('POST', '/v1/proactive', { to: { userId: 'u' }, text: 'x', expiresAt: '2000-01-01T00:00:00Z' });
    expect(past.body.error).toMatchObject({ code: 'bad_request', message: expect.stringMatching(/expiresAt/) });
    const bad = await h.api('POST', '/v1/proactive', { to: {}, text: '' });
    expect(bad.status).toBe(400);
  });

  it('starts a thread from a reply, with the prompt as its first message and the campaign recorded', async () => {
    const v = await connect(h.url);
    const pushed = await h.api('POST', '/v1/proactive', {
      to: { visitorId: v.session.visitorId },
      text: 'Need help with your order?',
      campaign: 'checkout-help',
      author: { kind: 'bot', name: 'Shop assistant' },
    });
    const threadId = newId();
    const ack = await send(v, threadId, 'Yes, is shipping free?', { create: true, proactiveId: pushed.body.proactive.id });
    expect(ack.ok).toBe(true);
    expect(ack.message.seq).toBe(2);
    expect(ack.thread.campaign).toBe('checkout-help');
    const stored = await h.api('GET', `/v1/threads/${threadId}/messages`);
    expect(stored.body.items.map((m: any) => [m.kind, m.author.kind, m.text])).toEqual([
      ['proactive', 'bot', 'Need help with your order?'],
      ['text', 'visitor', 'Yes, is shipping free?'],
    ]);
    const sync = await v.call('sync', { cursors: {} });
    expect(sync.proactive.map((p: any) => p.id)).not.toContain(pushed.body.proactive.id);
    v.close();
  });

  it('honours Idempotency-Key on pushes', async () => {
    const v = await connect(h.url);
    const body = { to: { visitorId: v.session.visitorId }, text: 'once' };
    const key = { 'idempotency-key': newId() };
    const first = await h.api('POST', '/v1/proactive', body, key);
    const second = await h.api('POST', '/v1/proactive', body, key);
    expect(second.body.proactive.id).toBe(first.body.proactive.id);
    expect(second.body.duplicate).toBe(true);
    v.close();
  });
});

describe('webhooks', () => {
  it('signs each delivery so the receiver can verify it, and retries after a failure', async () => {
    const created = await h.api('POST', '/v1/webhooks', { url: hookUrl, events: ['message.created', 'proactive.dismissed', 'rating.submitted', 'thread.resolved'] });
    expect(created.status).toBe(201);
    const secret: string = created.body.secret;
    expect(secret).toMatch(/^whsec_/);

    failNext = 2; // the first two attempts get a 503
    const v = await connect(h.url);
    const threadId = newId();
    await send(v, threadId, 'hook me', { create: true });
    const delivery = await eventually(() => received.find((r) => JSON.parse(r.body).data?.message?.text === 'hook me'), 5000);
    expect(delivery.headers['threadline-event']).toBe('message.created');
    expect(verifyWebhook(secret, delivery.body, String(delivery.headers['threadline-signature']))).toBe(true);
    expect(verifyWebhook(secret, delivery.body.replace('hook me', 'hacked'), String(delivery.headers['threadline-signature']))).toBe(false);
    expect(verifyWebhook('whsec_other', delivery.body, String(delivery.headers['threadline-signature']))).toBe(false);

    await h.api('POST', `/v1/threads/${threadId}/resolve`);
    await v.call('thread.rate', { threadId, score: 4 });
    const pushed = await h.api('POST', '/v1/proactive', { to: { visitorId: v.session.visitorId }, text: 'psst', campaign: 'c1' });
    await v.call('proactive.event', { id: pushed.body.proactive.id, event: 'dismissed' });
    const types = await eventually(() => {
      const t = received.map((r) => JSON.parse(r.body).type);
      return ['thread.resolved', 'rating.submitted', 'proactive.dismissed'].every((x) => t.includes(x)) && t;
    }, 5000);
    expect(types).toContain('proactive.dismissed');
    // Only the subscribed events arrive.
    expect(types).not.toContain('thread.created');
    v.close();
  });
});
