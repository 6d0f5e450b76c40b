import { io as ioClient, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentClientEvents, AgentServerEvents } from '@threadline/protocol';
import { API_KEY, connect, eventually, newId, send, startServer, type Harness } from '../test/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startServer();
});
afterAll(() => h.close());

function agent(apiKey = API_KEY): Promise<Socket<AgentServerEvents, AgentClientEvents>> {
  const s: Socket<AgentServerEvents, AgentClientEvents> = ioClient(`${h.url}/agent`, { auth: { apiKey, name: 'Sam' }, transports: ['websocket'], reconnection: false, forceNew: true });
  return new Promise((resolve, reject) => {
    s.once('connect', () => resolve(s));
    s.once('connect_error', (err: Error & { data?: unknown }) => {
      s.close();
      reject(err);
    });
  });
}

const once = <T>(s: Socket<any, any>, event: string) => new Promise<T>((r) => s.once(event, r));

describe('agent channel', () => {
  it('refuses a wrong API key', async () => {
    const err = (await agent('tl_sk_wrong').catch((e) => e)) as Error & { data?: { code: string } };
    expect(err.data?.code).toBe('unauthorized');
  });

  it('hears each message to an existing thread with the unread count and the visitor as they are at that message', async () => {
    const inbox = await agent();
    const v = await connect(h.url);
    const threadId = newId();
    await send(v, threadId, 'hello', { create: true });
    await h.api('POST', `/v1/threads/${threadId}/messages`, { text: 'hi, how can we help?' });
    await new Promise((r) => inbox.emit('thread.read', { threadId, seq: 2 }, r));
    await v.call('context.update', { page: { url: 'http://shop.test/cart', title: 'Cart' } });
    const heard: any[] = [];
    inbox.on('message', (m: any) => m.thread.id === threadId && heard.push(m));
    await send(v, threadId, 'one');
    await send(v, threadId, 'two');
    await eventually(() => heard.length === 2);
    expect(heard.map((m) => [m.message.seq, m.thread.lastSeq, m.thread.unread, m.thread.lastMessage.text])).toEqual([
      [3, 3, 1, 'one'],
      [4, 4, 2, 'two'],
    ]);
    expect(heard[1].thread.visitor).toMatchObject({ id: v.session.visitorId, online: true, context: { page: { url: 'http://shop.test/cart' } } });
    // The visitor's own view: the agent's reply was read by nobody on the visitor's side yet.
    expect((await send(v, threadId, 'three')).thread).toMatchObject({ lastSeq: 5, unread: 1, lastMessage: { seq: 5, text: 'three' } });
    inbox.close();
    v.close();
  });

  it('hears new threads and messages with the visitor context, typing both ways, and read horizons', async () => {
    const inbox = await agent();
    const v = await connect(h.url);
    await v.call('context.update', { page: { url: 'http://shop.test/p/boots', title: 'Boots' }, cart: { value: 120, currency: 'EUR' } });

    const threadId = newId();
    const created = once<any>(inbox, 'thread');
    const message = once<any>(inbox, 'message');
    await send(v, threadId, 'do these run large?', { create: true });
    expect((await created).visitor.context.page.url).toBe('http://shop.test/p/boots');
    const m = await message;
    expect(m.message.text).toBe('do these run large?');
    expect(m.thread).toMatchObject({ id: threadId, unread: 1, visitor: { online: true, context: { cart: { value: 120 } } } });

    const visitorTyping = once<any>(inbox, 'typing');
    await v.call('typing', { threadId, typing: true });
    expect(await visitorTyping).toEqual({ threadId, author: { kind: 'visitor' }, typing: true });

    const agentTyping = v.next('typing');
    inbox.emit('typing', { threadId, typing: true });
    expect(await agentTyping).toEqual({ threadId, author: { kind: 'agent', name: 'Sam' }, typing: true });

    const readByAgent = v.next('read');
    const ack = await new Promise<any>((r) => inbox.emit('thread.read', { threadId, seq: 1 }, r));
    expect(ack.ok).toBe(true);
    expect(await readByAgent).toEqual({ threadId, seq: 1, by: 'agent' });

    await h.api('POST', `/v1/threads/${threadId}/messages`, { text: 'true to size' });
    const readByVisitor = once<any>(inbox, 'read');
    await v.call('thread.read', { threadId, seq: 2 });
    expect(await readByVisitor).toEqual({ threadId, seq: 2, by: 'visitor' });

    const offline = once<any>(inbox, 'visitor');
    v.close();
    expect(await offline).toMatchObject({ id: v.session.visitorId, online: false });
    inbox.close();
  });

  it('lists the visitors online now, with or without a thread', async () => {
    const browsing = await connect(h.url);
    await browsing.call('context.update', { page: { url: 'http://shop.test/p/boots' } });
    const gone = await connect(h.url);
    gone.close();
    const online = await eventually(async () => {
      const res = await h.api('GET', '/v1/visitors?online=true');
      return !res.body.items.some((v: any) => v.id === gone.session.visitorId) && res;
    });
    expect(online.body.items.map((v: any) => v.id)).toContain(browsing.session.visitorId);
    expect(online.body.items.find((v: any) => v.id === browsing.session.visitorId)).toMatchObject({ online: true, context: { page: { url: 'http://shop.test/p/boots' } } });
    const recent = await h.api('GET', '/v1/visitors?limit=5');
    expect(recent.body.items.length).toBeGreaterThan(0);
    browsing.close();
  });

  it('lists threads newest first with cursor paging and status filter', async () => {
    const v = await connect(h.url);
    const ids = [];
    for (let i = 0; i < 3; i++) {
      const id = newId();
      ids.push(id);
      await send(v, id, `t${i}`, { create: true });
      await new Promise((r) => setTimeout(r, 5));
    }
    await h.api('POST', `/v1/threads/${ids[0]}/resolve`);
    const page1 = await h.api('GET', '/v1/threads?limit=2');
    expect(page1.body.items).toHaveLength(2);
    expect(page1.body.next).toBeTruthy();
    const page2 = await h.api('GET', `/v1/threads?limit=2&cursor=${page1.body.next}`);
    const seen = [...page1.body.items, ...page2.body.items].map((t: any) => t.id);
    expect(new Set(seen).size).toBe(seen.length);
    const resolved = await h.api('GET', '/v1/threads?status=resolved');
    expect(resolved.body.items.map((t: any) => t.id)).toContain(ids[0]);
    expect(resolved.body.items.every((t: any) => t.status === 'resolved')).toBe(true);
    expect((await h.api('GET', '/v1/threads?limit=0')).body.error.code).toBe('bad_request');
    expect((await h.api('GET', '/v1/threads?cursor=zzz')).body.error.code).toBe('bad_request');
    v.close();
  });

  it('honours Idempotency-Key on agent replies and answers conflict for a different body', async () => {
    const v = await connect(h.url);
    const threadId = newId();
    await send(v, threadId, 'hi', { create: true });
    const key = { 'idempotency-key': 'reply-' + newId() };
    const first = await h.api('POST', `/v1/threads/${threadId}/messages`, { text: 'hello' }, key);
    const again = await h.api('POST', `/v1/threads/${threadId}/messages`, { text: 'hello' }, key);
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.message.seq).toBe(first.body.message.seq);
    const different = await h.api('POST', `/v1/threads/${threadId}/messages`, { text: 'other' }, key);
    expect(different.status).toBe(409);
    expect(different.body.error.code).toBe('conflict');
    const bad = await h.api('POST', `/v1/threads/${threadId}/messages`, { text: 'x', author: { kind: 'visitor' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/author/);
    v.close();
  });

  it('serves an OpenAPI description of every route', async () => {
    const res = await fetch(`${h.url}/v1/openapi.json`);
    const doc = (await res.json()) as any;
    expect(doc.openapi).toMatch(/^3\./);
    for (const p of ['/v1/threads', '/v1/threads/{id}', '/v1/threads/{id}/messages', '/v1/threads/{id}/resolve', '/v1/threads/{id}/reopen', '/v1/proactive', '/v1/uploads', '/v1/files/{id}', '/v1/webhooks', '/health']) {
      expect(Object.keys(doc.paths)).toContain(p);
    }
  });
});
