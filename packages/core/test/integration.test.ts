/**
 * The client against the real reference server on 127.0.0.1, with real socket.io-client and
 * IndexedDB (fake-indexeddb in Node). Each story uses its own app database name (appId is the
 * server's demo app; the store is injected so two "page loads" can share one).
 */
import 'fake-indexeddb/auto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient, indexedDbStorage, socketIoTransport, type Client, type ClientOptions, type StorageAdapter } from '../src/index.js';
import { userHashOf } from '@threadline/server';
import { SECRET, serverMessages, sleep, startRealServer, type RealServer } from '../src/test/real-server.js';

let rs: RealServer;
const clients: Client[] = [];
let db = 0;

beforeAll(async () => {
  rs = await startRealServer();
});
afterAll(async () => {
  await rs.close();
});
afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
});

function freshStore(): StorageAdapter {
  return indexedDbStorage(`it-${process.pid}-${++db}`);
}

function client(storage: StorageAdapter, extra: Partial<ClientOptions> = {}): Client {
  const c = createClient({
    appId: 'demo',
    serverUrl: rs.url,
    storage,
    multiTab: false,
    ackTimeoutMs: 2000,
    retry: { baseMs: 100, maxMs: 1000 },
    transport: socketIoTransport({ transports: ['websocket'], reconnectionDelay: 100, reconnectionDelayMax: 500 }),
    ...extra,
  });
  clients.push(c);
  return c;
}

/** How long `expect.poll` waits for the real server and socket (Vitest's default is 1 s). */
const wait = { timeout: 10_000 };

const texts = (c: Client, threadId: string) => (c.getSnapshot().messages[threadId] ?? []).map((m) => m.text);
const allSent = (c: Client, threadId: string, n: number) => {
  const list = c.getSnapshot().messages[threadId] ?? [];
  return list.length === n && list.every((m) => m.state === 'sent' || m.state === 'read');
};

describe('against the reference server', () => {
  it('sends, acks and renders from storage after a reload', async () => {
    const store = freshStore();
    const a = client(store);
    const t = a.startThread({ text: 'hello' });
    a.send(t, { text: 'second' });
    await expect.poll(() => allSent(a, t, 2), wait).toBe(true);
    // Writes land asynchronously after the ack; a reload before that is covered by the resume tests.
    await expect.poll(async () => (await store.get<unknown[]>(`m:${t}:0`))?.length, wait).toBe(2);
    a.destroy();
    const b = client(store, { consent: false });
    await b.start();
    await b.whenReady();
    // Rendered from IndexedDB before any network answer.
    expect(b.getSnapshot().connection).not.toBe('connected');
    expect(texts(b, t)).toEqual(['hello', 'second']);
  });

  it('flushes sends made while the server was down, exactly once, in order', async () => {
    const store = freshStore();
    const a = client(store);
    const t = a.startThread({ text: 'before' });
    await expect.poll(() => allSent(a, t, 1), wait).toBe(true);
    await rs.stop();
    await expect.poll(() => a.getSnapshot().connection, wait).not.toBe('connected');
    for (let i = 0; i < 5; i++) a.send(t, { text: `offline ${i}` });
    // The positive signal: all five are durable in the outbox (stored before any emit).
    await expect.poll(async () => (await store.keys()).filter((k) => k.startsWith('o:')).length, wait).toBe(5);
    expect(a.getSnapshot().messages[t]!.filter((m) => m.state === 'sending').length).toBe(5);
    await rs.start();
    await expect.poll(() => allSent(a, t, 6), { timeout: 15_000, message: 'all sent' }).toBe(true);
    const onServer = await serverMessages(rs, t);
    expect(onServer.map((m) => m.text)).toEqual(['before', ...Array.from({ length: 5 }, (_, i) => `offline ${i}`)]);
    expect(texts(a, t)).toEqual(onServer.map((m) => m.text));
  });

  it('loses and duplicates nothing when the page reloads mid-send', async () => {
    for (const delay of [0, 1, 3, 8, 20]) {
      const store = freshStore();
      const a = client(store);
      await expect.poll(() => a.getSnapshot().connection, wait).toBe('connected');
      const t = a.startThread({ text: `reload ${delay}` });
      a.send(t, { text: `after ${delay}` });
      await sleep(delay);
      a.destroy(); // the tab goes away, maybe between emit and ack
      const b = client(store);
      await expect.poll(() => allSent(b, t, 2), { timeout: 10_000, message: `resent after ${delay} ms` }).toBe(true).catch(async (err: unknown) => {
        console.log(delay, JSON.stringify(b.getSnapshot().messages[t]), b.getSnapshot().connection, JSON.stringify(await serverMessages(rs, t).catch((e) => String(e))));
        throw err;
      });
      const onServer = await serverMessages(rs, t);
      expect(onServer.map((m) => m.text)).toEqual([`reload ${delay}`, `after ${delay}`]);
      expect(texts(b, t)).toEqual([`reload ${delay}`, `after ${delay}`]);
      b.destroy();
    }
  });

  it('keeps every message, once and in order, across a server restart mid-stream', async () => {
    const store = freshStore();
    const a = client(store);
    const t = a.startThread({ text: 'm0' });
    await expect.poll(() => allSent(a, t, 1), wait).toBe(true);
    const n = 40;
    const sending = (async () => {
      for (let i = 1; i < n; i++) {
        a.send(t, { text: `m${i}` });
        await sleep(5);
      }
    })();
    await sleep(60);
    await rs.restart();
    await sending;
    await expect.poll(() => allSent(a, t, n), { timeout: 20_000, message: 'all sent after restart' }).toBe(true);
    const onServer = await serverMessages(rs, t);
    expect(onServer.map((m) => m.text)).toEqual(Array.from({ length: n }, (_, i) => `m${i}`));
    expect(onServer.map((m) => m.seq)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(a.getSnapshot().messages[t]!.map((m) => m.seq)).toEqual(onServer.map((m) => m.seq));
  });

  it('delivers agent messages sent while the visitor was away, once each, with unread counts', async () => {
    const store = freshStore();
    const a = client(store);
    const t = a.startThread({ text: 'anyone?' });
    await expect.poll(() => allSent(a, t, 1), wait).toBe(true);
    a.destroy();
    for (const text of ['Hi!', 'Sorry for the wait', 'How can I help?']) {
      const res = await rs.api('POST', `/v1/threads/${t}/messages`, { text, author: { kind: 'agent', name: 'Sam' } });
      expect(res.status).toBe(201);
    }
    const b = client(store, { consent: false });
    const seen: string[] = [];
    b.on('message', ({ message }) => seen.push(message.text));
    await b.start();
    await expect.poll(() => b.getSnapshot().messages[t]?.length ?? 0, wait).toBe(4);
    expect(texts(b, t)).toEqual(['anyone?', 'Hi!', 'Sorry for the wait', 'How can I help?']);
    expect(seen).toEqual(['Hi!', 'Sorry for the wait', 'How can I help?']);
    expect(b.getSnapshot().totalUnread).toBe(3);
    b.markRead(t);
    await expect.poll(async () => (await rs.api('GET', `/v1/threads/${t}`)).body.visitorReadSeq, wait).toBe(4);
  });

  it('receives agent replies live and shows own messages as read', async () => {
    const a = client(freshStore());
    const t = a.startThread({ text: 'live?' });
    await expect.poll(() => allSent(a, t, 1), wait).toBe(true);
    await rs.api('POST', `/v1/threads/${t}/messages`, { text: 'yes, live', author: { kind: 'agent', name: 'Sam' } });
    await expect.poll(() => texts(a, t), wait).toContain('yes, live');
    await rs.api('POST', `/v1/threads/${t}/read`, { seq: 1 });
    await expect.poll(() => a.getSnapshot().messages[t]![0]!.state, wait).toBe('read');
  });

  it('uploads a file with progress, then sends the message referring to it', async () => {
    const a = client(freshStore());
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
    const progress: number[] = [];
    a.subscribe(() => {
      for (const list of Object.values(a.getSnapshot().uploads)) for (const u of list) progress.push(u.loaded);
    });
    const t = a.startThread({ text: 'photo', files: [new File([png], 'dash.png', { type: 'image/png' })] });
    await expect.poll(() => allSent(a, t, 1), wait).toBe(true);
    const [m] = a.getSnapshot().messages[t]!;
    expect(m!.attachments).toMatchObject([{ name: 'dash.png', mime: 'image/png' }]);
    expect(progress.length).toBeGreaterThan(0);
    const onServer = await rs.api('GET', `/v1/threads/${t}/messages`);
    expect(onServer.body.items[0].attachments[0].id).toBe(m!.attachments[0]!.id);
    const url = await a.attachmentUrl(m!.attachments[0]!);
    expect(url).toMatch(/^blob:/);
    const bytes = new Uint8Array(await (await fetch(url!)).arrayBuffer());
    expect(bytes.length).toBe(png.length);
  });

  it('shows a permanent upload refusal as failed, with its code', async () => {
    const a = client(freshStore());
    const t = a.startThread({ text: 'script', files: [new File(['#!/bin/sh\nrm -rf /'], 'x.exe', { type: 'application/x-msdownload' })] });
    await expect.poll(() => a.getSnapshot().messages[t]?.[0]?.state, wait).toBe('failed');
    expect(a.getSnapshot().messages[t]![0]!.error?.code).toBe('unsupported_media_type');
  });

  it('offers a proactive prompt once, and a reply starts a thread from it', async () => {
    const store = freshStore();
    const a = client(store);
    await expect.poll(() => a.getSnapshot().session, wait).toBeTruthy();
    const visitorId = a.getSnapshot().session!.visitorId;
    const pushed = await rs.api('POST', '/v1/proactive', { to: { visitorId }, text: 'Need help with checkout?', campaign: 'checkout', display: 'toast' });
    expect(pushed.status).toBe(202);
    await expect.poll(() => a.getSnapshot().proactive.length, wait).toBe(1);
    const prompt = a.getSnapshot().proactive[0]!;
    a.reportProactive(prompt.id, 'shown');
    const t = a.replyProactive(prompt.id, { text: 'yes please' })!;
    await expect.poll(() => allSent(a, t, 2) || (a.getSnapshot().messages[t]?.some((m) => m.text === 'yes please' && m.state === 'sent') ?? false), wait).toBe(true);
    const onServer = await serverMessages(rs, t);
    expect(onServer.map((m) => m.text)).toEqual(['Need help with checkout?', 'yes please']);
    expect(a.getSnapshot().proactive).toEqual([]);
    // A second push of the same campaign is capped (1 per day by default): a push of another
    // campaign, sent after it on the same socket, is offered — and it is the only prompt.
    await rs.api('POST', '/v1/proactive', { to: { visitorId }, text: 'Still there?', campaign: 'checkout' });
    await rs.api('POST', '/v1/proactive', { to: { visitorId }, text: 'New arrivals are in', campaign: 'arrivals' });
    await expect.poll(() => a.getSnapshot().proactive.map((p) => p.text), wait).toEqual(['New arrivals are in']);
  });

  it('carries anonymous threads over to the user on identify, and to the user’s other device', async () => {
    const a = client(freshStore());
    const t = a.startThread({ text: 'before login' });
    await expect.poll(() => allSent(a, t, 1), wait).toBe(true);
    const userId = `user-${Date.now()}`;
    await a.identify({ userId, userHash: userHashOf(SECRET, userId) });
    expect(a.getSnapshot().session?.userId).toBe(userId);
    expect(texts(a, t)).toEqual(['before login']);
    const other = client(freshStore(), { identity: { userId, userHash: userHashOf(SECRET, userId) } });
    await expect.poll(() => texts(other, t).length, wait).toBe(1);
    other.send(t, { text: 'from my phone' });
    await expect.poll(() => texts(a, t), wait).toContain('from my phone');
  });

  it('reports a refused identity with its code and keeps local data', async () => {
    const a = client(freshStore(), { identity: { userId: 'mallory', userHash: 'bad' } });
    const codes: string[] = [];
    a.on('error', (e) => codes.push(e.code));
    await expect.poll(() => a.getSnapshot().connection, wait).toBe('refused');
    expect(a.getSnapshot().connectionError?.code).toBe('identity_invalid');
    expect(codes).toContain('identity_invalid');
    const t = a.startThread({ text: 'queued' });
    expect(a.getSnapshot().messages[t]![0]!.state).toBe('sending');
  });

  it('erases local data on shutdown', async () => {
    const store = freshStore();
    const a = client(store);
    const t = a.startThread({ text: 'private' });
    await expect.poll(() => allSent(a, t, 1), wait).toBe(true);
    await a.shutdown();
    expect(await store.keys()).toEqual([]);
  });
});
