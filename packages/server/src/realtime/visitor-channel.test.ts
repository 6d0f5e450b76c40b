import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '@threadline/protocol';
import { connect, newId, send, startServer, type Harness } from '../test/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startServer();
});
afterAll(() => h.close());

describe('visitor channel: sending', () => {
  it('issues a session with a token on first connect and keeps the visitor on the next', async () => {
    const a = await connect(h.url);
    expect(a.session.visitorId).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.session.token.split('.')).toHaveLength(3);
    a.close();
    const again = await connect(h.url, { token: a.session.token });
    expect(again.session.visitorId).toBe(a.session.visitorId);
    again.close();
  });

  it('acknowledges a send after commit with seq 1 in a new thread', async () => {
    const v = await connect(h.url);
    const threadId = newId();
    const ack = await send(v, threadId, 'Hello, where is my order?', { create: true });
    expect(ack.ok).toBe(true);
    expect(ack.duplicate).toBe(false);
    expect(ack.message).toMatchObject({ threadId, seq: 1, text: 'Hello, where is my order?', author: { kind: 'visitor' }, kind: 'text' });
    expect(ack.thread).toMatchObject({ id: threadId, status: 'open', lastSeq: 1 });
    const stored = await h.api('GET', `/v1/threads/${threadId}/messages`);
    expect(stored.body.items).toHaveLength(1);
    v.close();
  });

  it('stores one row and answers the same seq when one clientId is sent five times', async () => {
    const v = await connect(h.url);
    const threadId = newId();
    await send(v, threadId, 'first', { create: true });
    const payload = { threadId, clientId: newId(), text: 'retry me' };
    const acks = await Promise.all([1, 2, 3, 4, 5].map(() => v.call('message.send', payload)));
    expect(acks.every((a) => a.ok)).toBe(true);
    expect(new Set(acks.map((a) => a.message.seq))).toEqual(new Set([2]));
    expect(new Set(acks.map((a) => a.message.id)).size).toBe(1);
    expect(acks.filter((a) => !a.duplicate)).toHaveLength(1);
    const stored = await h.api('GET', `/v1/threads/${threadId}/messages`);
    expect(stored.body.items.map((m: any) => m.text)).toEqual(['first', 'retry me']);
    v.close();
  });

  it('answers conflict when a clientId is reused with a different body', async () => {
    const v = await connect(h.url);
    const threadId = newId();
    const clientId = newId();
    await v.call('message.send', { threadId, create: true, clientId, text: 'one' });
    const ack = await v.call('message.send', { threadId, clientId, text: 'two' });
    expect(ack).toEqual({ ok: false, error: { code: 'conflict', message: expect.any(String) } });
    v.close();
  });

  it('assigns strictly increasing seqs to concurrent sends', async () => {
    const v = await connect(h.url);
    const threadId = newId();
    await send(v, threadId, 'start', { create: true });
    const acks = await Promise.all(Array.from({ length: 20 }, (_, i) => send(v, threadId, `m${i}`)));
    const seqs = acks.map((a) => a.message.seq).sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
    v.close();
  });

  it('refuses bad input with bad_request naming the field, and keeps the connection', async () => {
    const v = await connect(h.url);
    const garbage = await v.call('message.send', 'not an object' as any);
    expect(garbage.error.code).toBe('bad_request');
    const empty = await v.call('message.send', { threadId: newId(), create: true, clientId: newId(), text: '  ' });
    expect(empty.error.message).toBe('a message needs text or at least one attachment');
    expect(v.socket.connected).toBe(true);
    v.close();
  });

  it('answers payload_too_large, naming the field, for text over the limit', async () => {
    const v = await connect(h.url);
    const tooLong = await v.call('message.send', { threadId: newId(), create: true, clientId: newId(), text: 'x'.repeat(LIMITS.maxTextLength + 1) });
    expect(tooLong).toMatchObject({ ok: false, error: { code: 'payload_too_large', message: expect.stringMatching(/^text:/) } });
    expect(v.socket.connected).toBe(true);
    v.close();
  });

  it('refuses a locale that is not BCP 47 and stores a valid one in its canonical form', async () => {
    const v = await connect(h.url);
    const bad = await v.call('context.update', { locale: 'x!' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad_request', message: expect.stringMatching(/^locale: .*BCP 47/) } });
    expect((await v.call('context.update', { locale: 'pt-br' })).ok).toBe(true);
    const visitor = await h.api('GET', `/v1/visitors/${v.session.visitorId}`);
    expect(visitor.body.context.locale).toBe('pt-BR');
    v.close();
  });

  it('leaves out a locale stored before it was validated, so agents never receive one that makes Intl throw', async () => {
    const v = await connect(h.url);
    await h.server.store.mergeContext(v.session.visitorId, { locale: 'x!', page: { url: 'http://shop.test/' } });
    const visitor = await h.api('GET', `/v1/visitors/${v.session.visitorId}`);
    expect(visitor.body.context.page.url).toBe('http://shop.test/');
    expect(visitor.body.context).not.toHaveProperty('locale');
    v.close();
  });

  it('answers not_found for a send to an unknown thread without create', async () => {
    const v = await connect(h.url);
    const ack = await send(v, newId(), 'hello?');
    expect(ack.error.code).toBe('not_found');
    v.close();
  });

  it("echoes a visitor's message to the visitor's other tabs", async () => {
    const a = await connect(h.url);
    const b = await connect(h.url, { token: a.session.token });
    const threadId = newId();
    const gotThread = b.next('thread');
    const gotMessage = b.next('message');
    await send(a, threadId, 'from tab A', { create: true });
    expect((await gotThread).id).toBe(threadId);
    expect((await gotMessage).text).toBe('from tab A');
    a.close();
    b.close();
  });

  it('pages older messages and moves the read horizon only forward', async () => {
    const v = await connect(h.url);
    const threadId = newId();
    await send(v, threadId, 'm1', { create: true });
    for (let i = 2; i <= 7; i++) await send(v, threadId, `m${i}`);
    const newest = await v.call('messages.list', { threadId, limit: 3 });
    expect(newest.items.map((m: any) => m.seq)).toEqual([5, 6, 7]);
    expect(newest.more).toBe(true);
    const older = await v.call('messages.list', { threadId, before: 5, limit: 3 });
    expect(older.items.map((m: any) => m.seq)).toEqual([2, 3, 4]);
    const after = await v.call('messages.list', { threadId, after: 5 });
    expect(after.items.map((m: any) => m.seq)).toEqual([6, 7]);
    expect(after.more).toBe(false);

    await h.api('POST', `/v1/threads/${threadId}/messages`, { text: 'agent reply' });
    const read = await v.call('thread.read', { threadId, seq: 99 });
    expect(read.thread.visitorReadSeq).toBe(8);
    expect(read.thread.unread).toBe(0);
    const back = await v.call('thread.read', { threadId, seq: 3 });
    expect(back.thread.visitorReadSeq).toBe(8);
    v.close();
  });

  it('answers a ping at once with the server time, and refuses a ping with junk in it', async () => {
    const v = await connect(h.url);
    const pong = await v.call('ping', {});
    expect(pong.ok).toBe(true);
    expect(Number.isNaN(Date.parse((pong as { now: string }).now))).toBe(false);
    const bad = await v.call('ping', 'hello' as never);
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    v.close();
  });

  it('stores tracked events and context for the agent side', async () => {
    const v = await connect(h.url);
    const threadId = newId();
    await send(v, threadId, 'hi', { create: true });
    expect((await v.call('track', { name: 'checkout_started', props: { cartValue: 42 } })).ok).toBe(true);
    const ctx = await v.call('context.update', {
      page: { url: 'http://shop.test/checkout', title: 'Checkout' },
      cart: { value: 42, currency: 'EUR', items: 2 },
      attributes: { plan: 'gold' },
    });
    expect(ctx.ok).toBe(true);
    const thread = await h.api('GET', `/v1/threads/${threadId}`);
    expect(thread.body.visitor.context).toMatchObject({ page: { url: 'http://shop.test/checkout' }, cart: { value: 42, currency: 'EUR' }, attributes: { plan: 'gold' } });
    expect(thread.body.visitor.online).toBe(true);
    const visitor = await h.api('GET', `/v1/visitors/${v.session.visitorId}`);
    expect(visitor.body.events[0]).toMatchObject({ name: 'checkout_started', props: { cartValue: 42 } });
    const bad = await v.call('context.update', { cart: { value: -1 } });
    expect(bad.error.code).toBe('bad_request');
    v.close();
  });

  it('asks for a rating once resolved, records it, and reopens when the visitor writes again', async () => {
    const v = await connect(h.url);
    const threadId = newId();
    await send(v, threadId, 'help', { create: true });
    const threadEvent = v.next('thread');
    const resolved = await h.api('POST', `/v1/threads/${threadId}/resolve`);
    expect(resolved.body.status).toBe('resolved');
    expect((await threadEvent).status).toBe('resolved');
    const rated = await v.call('thread.rate', { threadId, score: 5, comment: 'quick answer' });
    expect(rated.thread.rating).toEqual({ score: 5, comment: 'quick answer' });
    expect(rated.message).toMatchObject({ kind: 'rating', meta: { score: 5, comment: 'quick answer' } });
    expect((await v.call('thread.rate', { threadId, score: 9 })).error.code).toBe('bad_request');
    const ack = await send(v, threadId, 'one more thing');
    expect(ack.thread.status).toBe('open');
    v.close();
  });
});
