import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createClient } from './create-client.js';
import { memoryStorage } from './storage/memory.js';
import type { StorageAdapter } from './storage/adapter.js';
import type { Client, ClientOptions } from './types.js';
import { FakeServer, fakeOnline, flush, manualClock, setReachable, testEnv } from './test/fakes.js';

const clients: Client[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
});

function setup(over: Partial<ClientOptions> & { server?: FakeServer; storage?: StorageAdapter } = {}) {
  const server = over.server ?? new FakeServer();
  const clock = manualClock();
  const online = fakeOnline();
  const storage = over.storage ?? memoryStorage();
  const client = createClient({
    appId: 'demo',
    serverUrl: 'http://x',
    storage,
    transport: server.factory,
    pageSize: 10,
    ...over,
    env: testEnv({ now: clock.now, setTimeout: clock.setTimeout, clearTimeout: clock.clearTimeout, online, ...over.env }),
  });
  clients.push(client);
  return { server, clock, online, storage, client };
}

async function threadWith(server: FakeServer, client: Client, n: number) {
  const t = client.startThread({ text: 'start' });
  await flush();
  for (let i = 2; i <= n; i++) server.appendAgent(t, `a${i}`, false);
  return t;
}

describe('client', () => {
  it('a message discarded before storage opened is never stored, so no later page sends it', async () => {
    const storage = memoryStorage();
    const { client, server } = setup({ consent: false, storage });
    const errors: unknown[] = [];
    client.on('error', (e) => errors.push(e));
    const t = client.startThread();
    const id = client.send(t, { text: 'oops' })!;
    client.discard(id);
    await flush();
    await client.start();
    await flush();
    expect((await storage.keys()).filter((k) => String(k).startsWith('o:'))).toEqual([]);
    expect(errors).toEqual([]);
    // The next page, same storage: nothing to send.
    const next = setup({ storage, server });
    await next.client.whenReady();
    await flush();
    expect(next.client.getSnapshot().threads.flatMap((th) => next.client.getSnapshot().messages[th.id] ?? [])).toEqual([]);
    expect([...server.messages.values()].flat()).toEqual([]);
  });

  it('opens no storage and no socket until consent is given', async () => {
    const storage = memoryStorage();
    const { client, server } = setup({ consent: false, storage });
    await flush();
    expect(client.getSnapshot()).toMatchObject({ status: 'idle', storage: 'none', connection: 'idle' });
    expect(await storage.keys()).toEqual([]);
    expect(server.transports.size).toBe(0);
    await client.start();
    await flush();
    expect(client.getSnapshot()).toMatchObject({ status: 'ready', connection: 'connected' });
  });

  it('revokes the session on the server at shutdown, with the newest token, even before consent', async () => {
    const logouts: [string, string][] = [];
    const http = { upload: async () => ({ status: 503, body: null }), download: async () => ({ status: 404, blob: null }), logout: async (url: string, token: string) => (logouts.push([url, token]), 204) };
    const { client } = setup({ env: { http } });
    client.startThread({ text: 'hi' });
    await flush();
    await client.shutdown();
    expect(logouts).toEqual([['http://x/v1/session', 'tok-1']]);
    const storage = memoryStorage();
    await storage.setMany([['meta', { schema: 1, token: 'from-last-visit' }]]);
    const pending = setup({ consent: false, storage, env: { http } });
    await pending.client.shutdown();
    expect(logouts[1]).toEqual(['http://x/v1/session', 'from-last-visit']);
  });

  it('erases a previous visit on shutdown even before consent', async () => {
    const storage = memoryStorage();
    await storage.setMany([['meta', { schema: 1, token: 't' }], ['t:x', {}]]);
    const { client } = setup({ consent: false, storage });
    await client.shutdown();
    expect(await storage.keys()).toEqual([]);
  });

  it('resolves identify while offline and uses the identity once back', async () => {
    const server = new FakeServer();
    setReachable(server, false);
    const { client, clock } = setup({ server, ackTimeoutMs: 1000 });
    await flush();
    const done = client.identify({ userId: 'u1', userHash: 'h' });
    await flush();
    await clock.advance(1000);
    await done;
    setReachable(server, true);
    for (const tr of server.transports) tr.reconnectNow();
    await flush();
    expect([...server.transports][0]!.auth).toMatchObject({ userId: 'u1', userHash: 'h' });
  });

  it('starts on the first interaction when consent is pending', async () => {
    const { client, server } = setup({ consent: false });
    const t = client.startThread({ text: 'hi' });
    await flush();
    expect(server.messages.get(t)!.map((m) => m.text)).toEqual(['hi']);
  });

  it('falls back to memory when IndexedDB is missing, says so once, and keeps working', async () => {
    const server = new FakeServer();
    const fallbacks: string[] = [];
    const client = createClient({ appId: 'demo', serverUrl: 'http://x', transport: server.factory, env: testEnv({ indexedDB: null }) });
    clients.push(client);
    client.on('storageFallback', (e) => fallbacks.push(e.reason));
    const t = client.startThread({ text: 'still works' });
    await flush();
    expect(fallbacks).toEqual(['unavailable']);
    expect(client.getSnapshot().storage).toBe('memory');
    expect(client.getSnapshot().messages[t]![0]!.state).toBe('sent');
  });

  it('fetches what it missed when a live message reveals a gap', async () => {
    const { client, server } = setup();
    const t = client.startThread({ text: 'one' });
    await flush();
    server.appendAgent(t, 'two', false);
    server.appendAgent(t, 'three', false);
    server.appendAgent(t, 'four');
    await flush();
    expect(client.getSnapshot().messages[t]!.map((m) => m.text)).toEqual(['one', 'two', 'three', 'four']);
    expect(server.requests.some((r) => r.name === 'messages.list' && r.input.after === 1)).toBe(true);
  });

  it('emits each new message once, in order', async () => {
    const { client, server } = setup();
    const seen: string[] = [];
    client.on('message', ({ message }) => seen.push(message.text));
    const t = client.startThread({ text: 'one' });
    await flush();
    server.appendAgent(t, 'two', false);
    server.appendAgent(t, 'three');
    server.push({ type: 'server', name: 'message', payload: server.messages.get(t)![2]! });
    await flush();
    expect(seen).toEqual(['one', 'two', 'three']);
  });

  it('renders the newest page from storage, then loads older pages from storage and network', async () => {
    const storage = memoryStorage();
    const server = new FakeServer();
    const first = setup({ storage, server });
    const t = await threadWith(server, first.client, 34);
    server.appendAgent(t, 'a35'); // live: reveals the gap, the client fetches 2–34
    await flush();
    expect(first.client.getSnapshot().messages[t]!.length).toBe(35);
    first.client.destroy();
    await flush();
    // Keep only the newest 12 messages on the device (as after quota eviction).
    const chunk = (await storage.get<unknown[]>(`m:${t}:0`))!;
    await storage.set(`m:${t}:0`, chunk.slice(-12));
    const second = setup({ storage, server, consent: false });
    await second.client.start();
    await second.client.whenReady();
    const held = second.client.getSnapshot().messages[t]!;
    expect(held.length).toBe(10);
    expect(held[held.length - 1]!.seq).toBe(35);
    let more = await second.client.loadOlder(t);
    expect(more).toBe(true);
    expect(second.client.getSnapshot().messages[t]!.length).toBe(20);
    while (more) more = await second.client.loadOlder(t);
    expect(second.client.getSnapshot().messages[t]!.map((m) => m.seq)).toEqual(Array.from({ length: 35 }, (_, i) => i + 1));
  });

  it('tries a failed sync again while connected', async () => {
    const server = new FakeServer();
    let busy = true;
    server.handlers.sync = () => (busy ? { ok: false, error: { code: 'unavailable', message: 'starting' } } : undefined);
    const { client, clock } = setup({ server });
    const t = client.startThread({ text: 'hi' });
    await flush();
    server.appendAgent(t, 'while syncing failed', false);
    busy = false;
    await clock.advance(2000);
    expect(client.getSnapshot().messages[t]!.map((m) => m.text)).toEqual(['hi', 'while syncing failed']);
  });

  it('marks a thread read locally and on the server', async () => {
    const { client, server } = setup();
    const unread: number[] = [];
    client.on('unreadChange', (e) => unread.push(e.total));
    const t = client.startThread({ text: 'hi' });
    await flush();
    server.appendAgent(t, 'reply');
    await flush();
    client.markRead(t);
    await flush();
    expect(unread).toEqual([1, 0]);
    expect(server.requests.find((r) => r.name === 'thread.read')!.input).toEqual({ threadId: t, seq: 2 });
  });

  it('reports connection changes, offline included', async () => {
    const { client, server, online } = setup();
    const states: string[] = [];
    client.on('connectionChange', (e) => states.push(e.state));
    await flush();
    online.set(false);
    for (const tr of server.transports) tr.drop();
    online.set(true);
    await flush();
    expect(states).toEqual(['connecting', 'connected', 'offline', 'connecting', 'connected']);
  });

  it('goes back to connected and sends what waited when the browser is online again and the socket survived the blip', async () => {
    const { client, server, online } = setup();
    const t = client.startThread({ text: 'before' });
    await flush();
    online.set(false);
    online.set(true);
    await flush();
    client.send(t, { text: 'after the blip' });
    await flush();
    expect(client.getSnapshot().connection).toBe('connected');
    expect(server.messages.get(t)!.map((m) => m.text)).toEqual(['before', 'after the blip']);
    expect(client.getSnapshot().messages[t]!.map((m) => m.state)).toEqual(['sent', 'sent']);
  });

  it('resyncs after the browser comes back online on a live socket, so nothing pushed meanwhile is missed', async () => {
    const { client, server, online } = setup();
    const t = client.startThread({ text: 'hi' });
    await flush();
    online.set(false);
    await flush();
    server.appendAgent(t, 'pushed while the page thought it was offline', false);
    online.set(true);
    await flush();
    expect(client.getSnapshot().messages[t]!.map((m) => m.text)).toEqual(['hi', 'pushed while the page thought it was offline']);
  });

  it('drops a half-open socket found by the probe, reconnects and delivers once', async () => {
    const { client, server, online } = setup();
    const t = client.startThread({ text: 'one' });
    await flush();
    const tr = [...server.transports][0]!;
    tr.halfOpen = true;
    online.set(false);
    await flush();
    client.send(t, { text: 'two' });
    online.set(true);
    await flush();
    expect(tr.probes).toBeGreaterThan(0);
    expect(client.getSnapshot().connection).toBe('connected');
    expect(server.messages.get(t)!.map((m) => m.text)).toEqual(['one', 'two']);
  });

  it('keeps update, track and identify in memory while consent is pending, and sends them once given', async () => {
    const storage = memoryStorage();
    const { client, server } = setup({ consent: false, storage });
    client.updateContext({ page: { url: 'http://shop.test/checkout' } });
    client.updateContext({ cart: { value: 42, currency: 'EUR' } });
    client.track('checkout_started', { cartValue: 42 });
    await client.identify({ userId: 'alice', userHash: 'h' });
    await flush();
    expect(client.getSnapshot()).toMatchObject({ status: 'idle', storage: 'none', connection: 'idle' });
    expect(await storage.keys()).toEqual([]);
    expect(server.transports.size).toBe(0);
    await client.start();
    await flush();
    expect([...server.transports][0]!.auth).toMatchObject({ userId: 'alice', userHash: 'h' });
    const sent = server.requests.filter((r) => r.name === 'context.update' || r.name === 'track');
    expect(sent).toEqual([
      { name: 'context.update', input: expect.objectContaining({ page: { url: 'http://shop.test/checkout' }, cart: { value: 42, currency: 'EUR' } }) },
      { name: 'track', input: { name: 'checkout_started', props: { cartValue: 42 } } },
    ]);
  });

  it('keeps at most 50 tracked events while consent is pending', async () => {
    const { client, server } = setup({ consent: false });
    for (let i = 0; i < 80; i++) client.track(`e${i}`);
    await client.start();
    await flush();
    expect(server.requests.filter((r) => r.name === 'track').map((r) => r.input.name)).toEqual(Array.from({ length: 50 }, (_, i) => `e${i}`));
  });

  it('throttles typing and stops it after a pause', async () => {
    const { client, server, clock } = setup();
    const t = client.startThread({ text: 'hi' });
    await flush();
    client.setTyping(t);
    client.setTyping(t);
    await clock.advance(1000);
    client.setTyping(t);
    await clock.advance(5000);
    const [tr] = [...server.transports];
    expect(tr!.notified).toEqual([
      ['typing', { threadId: t, typing: true }],
      ['typing', { threadId: t, typing: false }],
    ]);
  });

  it('shows the brand typing and hides it after a while', async () => {
    const { client, server, clock } = setup();
    const t = client.startThread({ text: 'hi' });
    await flush();
    server.push({ type: 'server', name: 'typing', payload: { threadId: t, author: { kind: 'agent', name: 'Sam' }, typing: true } });
    await flush();
    expect(client.getSnapshot().typing[t]?.author.name).toBe('Sam');
    await clock.advance(7000);
    expect(client.getSnapshot().typing[t]).toBeUndefined();
  });

  it('caps proactive prompts per campaign, reports what happened and what it did not show', async () => {
    const { client, server } = setup({ proactive: { maxPerCampaign: 1, capWindowMs: 60_000 } });
    await flush();
    const prompt = (id: string, campaign: string | null) => ({
      id, text: `p ${id}`, display: 'toast' as const, campaign, author: { kind: 'bot' as const }, expiresAt: null, createdAt: new Date(0).toISOString(),
    });
    const offered: string[] = [];
    client.on('proactive', (e) => offered.push(e.prompt.id));
    server.push({ type: 'server', name: 'proactive', payload: prompt('p1', 'checkout') });
    client.reportProactive('p1', 'shown');
    client.reportProactive('p1', 'dismissed');
    const errors: string[] = [];
    client.on('error', (e) => errors.push(e.message));
    client.reportProactive('p1', 'replied' as never);
    expect(errors).toEqual(['event must be shown, opened or dismissed']);
    await flush();
    server.push({ type: 'server', name: 'proactive', payload: prompt('p2', 'checkout') });
    server.push({ type: 'server', name: 'proactive', payload: prompt('p1', 'checkout') });
    server.push({ type: 'server', name: 'proactive', payload: prompt('p3', null) });
    await flush();
    expect(offered).toEqual(['p1', 'p3']);
    expect(client.getSnapshot().proactive.map((p) => p.id)).toEqual(['p3']);
    // p2, over its campaign's cap here, is reported suppressed (the server stops offering it); p1,
    // offered again, is one the server cannot have heard was shown: told again.
    expect(server.requests.filter((r) => r.name === 'proactive.event').map((r) => r.input)).toEqual([
      { id: 'p1', event: 'shown' },
      { id: 'p1', event: 'dismissed' },
      { id: 'p2', event: 'suppressed' },
      { id: 'p1', event: 'shown' },
    ]);
    // Suppressed here for good: offered again, it is still not shown.
    server.push({ type: 'server', name: 'proactive', payload: prompt('p2', 'checkout') });
    await flush();
    expect(offered).toEqual(['p1', 'p3']);
  });

  it('leaves no timer, socket or listener behind after destroy', async () => {
    const { client, server, clock } = setup();
    setReachable(server, true);
    const t = client.startThread({ text: 'hi' });
    await flush();
    server.handlers['message.send'] = () => ({ ok: false, error: { code: 'unavailable', message: 'x' } });
    client.send(t, { text: 'retrying' });
    client.setTyping(t);
    server.push({ type: 'server', name: 'typing', payload: { threadId: t, author: { kind: 'agent' }, typing: true } });
    await flush();
    expect(clock.pending()).toBeGreaterThan(0);
    client.destroy();
    expect(clock.pending()).toBe(0);
    expect(server.transports.size).toBe(0);
    expect(client.getSnapshot().status).toBe('destroyed');
    expect(client.send(t, { text: 'after' })).toBeNull();
  });

  it('refuses files beyond the queued-bytes cap', async () => {
    const server = new FakeServer();
    setReachable(server, false);
    const { client } = setup({ server, maxQueuedFileBytes: 1000 });
    const errors: string[] = [];
    client.on('error', (e) => errors.push(e.code));
    const t = client.startThread({ text: 'a', files: [new Blob([new Uint8Array(600)])] });
    expect(client.send(t, { files: [new Blob([new Uint8Array(600)])] })).toBeNull();
    expect(errors).toEqual(['file_too_large']);
  });

  it('keeps a queued file across a reload, uploads it with progress, then sends', async () => {
    const storage = memoryStorage();
    const server = new FakeServer();
    setReachable(server, false);
    const uploads: { name: string; bytes: number; token: string }[] = [];
    const http = {
      async upload(req: Parameters<import('./environment.js').HttpClient['upload']>[0]) {
        req.onProgress(req.file.size / 2, req.file.size);
        uploads.push({ name: req.fileName, bytes: req.file.size, token: req.token });
        req.onProgress(req.file.size, req.file.size);
        return { status: 201, body: { attachment: { id: 'att1', name: req.fileName, mime: 'image/png', size: req.file.size, url: '/v1/files/att1' } } };
      },
      download: async () => ({ status: 404, blob: null }),
    };
    const first = setup({ storage, server, env: { http } });
    await flush();
    const t = first.client.startThread({ text: 'look', files: [new File([new Uint8Array(300)], 'dash.png', { type: 'image/png' })] });
    await flush();
    expect(first.client.getSnapshot().messages[t]![0]!.pendingFiles).toMatchObject([{ name: 'dash.png', size: 300 }]);
    first.client.destroy();
    setReachable(server, true);
    const second = setup({ storage, server, env: { http } });
    const progress: number[] = [];
    second.client.subscribe(() => {
      for (const u of Object.values(second.client.getSnapshot().uploads).flat()) progress.push(u.loaded);
    });
    await flush(50);
    expect(uploads).toEqual([{ name: 'dash.png', bytes: 300, token: 'tok-1' }]);
    expect(progress).toEqual(expect.arrayContaining([0, 150, 300]));
    expect(server.sends()[0]).toMatchObject({ threadId: t, text: 'look', attachmentIds: ['att1'], create: true });
    expect(second.client.getSnapshot().messages[t]).toMatchObject([{ state: 'sent' }]);
    expect((await storage.keys()).filter((k) => k.startsWith('b:') || k.startsWith('o:'))).toEqual([]);
  });

  it("shows the shopper's own sent photo from the page's copy, without downloading it again", async () => {
    const { resolveObjectURL } = await import('node:buffer');
    const downloads: string[] = [];
    const http = {
      async upload(req: Parameters<import('./environment.js').HttpClient['upload']>[0]) {
        return { status: 201, body: { attachment: { id: 'att9', name: req.fileName, mime: 'image/png', size: req.file.size, url: '/v1/files/att9' } } };
      },
      download: async (url: string) => (downloads.push(url), { status: 503, blob: null }),
    };
    const { client } = setup({ env: { http } });
    const t = client.startThread({ text: 'look', files: [new File(['my photo'], 'dash.png', { type: 'image/png' })] });
    await flush(50);
    expect(client.getSnapshot().messages[t]![0]!.state).toBe('sent');
    const url = await client.attachmentUrl({ id: 'att9', name: 'dash.png', mime: 'image/png', size: 8, url: '/v1/files/att9' });
    expect(await resolveObjectURL(url!)!.text()).toBe('my photo');
    expect(downloads).toEqual([]);
  });

  it('tries a download that failed on the network again once the connection is back, instead of giving up', async () => {
    const { resolveObjectURL } = await import('node:buffer');
    let failing = true;
    const http = {
      upload: async () => ({ status: 500, body: null }),
      async download() {
        if (failing) throw new TypeError('Failed to fetch');
        return { status: 200, blob: new Blob(['agent photo']) };
      },
    };
    const { client, clock, server, online } = setup({ env: { http }, retry: { baseMs: 1000, maxMs: 30_000, deadlineMs: 86_400_000 } });
    const errors: string[] = [];
    client.on('error', (e) => errors.push(e.code));
    await flush();
    online.set(false);
    for (const tr of server.transports) tr.drop();
    const pending = client.attachmentUrl({ id: 'a1', name: 'p.png', mime: 'image/png', size: 11, url: '/v1/files/a1' });
    await flush();
    await clock.advance(60_000); // offline: it waits for the connection, it does not burn its tries
    failing = false;
    online.set(true);
    await flush();
    await clock.advance(1000);
    const url = await pending;
    expect(errors).toEqual([]);
    expect(await resolveObjectURL(url!)!.text()).toBe('agent photo');
  });

  it('hands back a queued photo as an object URL, in this page and after a reload, and null once it is discarded', async () => {
    const { resolveObjectURL } = await import('node:buffer');
    const storage = memoryStorage();
    const server = new FakeServer();
    setReachable(server, false);
    const first = setup({ storage, server });
    await flush();
    const t = first.client.startThread({ text: 'look', files: [new File(['png bytes'], 'dash.png', { type: 'image/png' })] });
    await flush();
    const clientId = first.client.getSnapshot().messages[t]![0]!.clientId!;
    const here = await first.client.pendingFileUrl(clientId, 0);
    expect(await resolveObjectURL(here!)!.text()).toBe('png bytes');
    first.client.destroy();
    const second = setup({ storage, server });
    const afterReload = await second.client.pendingFileUrl(clientId, 0);
    expect(await resolveObjectURL(afterReload!)!.text()).toBe('png bytes');
    expect(await second.client.pendingFileUrl(clientId, 1)).toBeNull();
    expect(await second.client.pendingFileUrl('no-such-message', 0)).toBeNull();
    second.client.discard(clientId);
    await flush();
    expect(await second.client.pendingFileUrl(clientId, 0)).toBeNull();
  });

  it('runs on memory when the schema upgrade cannot be loaded, leaving stored data for the next page', async () => {
    vi.doMock('./storage/schema-upgrade.js', () => {
      throw new Error('chunk failed to load');
    });
    try {
      const storage = memoryStorage();
      await storage.setMany([['meta', { schema: 0, token: 'old-token' }], ['t:legacy', { whatever: true }]]);
      const { client } = setup({ storage });
      const fallbacks: string[] = [];
      client.on('storageFallback', (e) => fallbacks.push(e.reason));
      await client.whenReady();
      await flush();
      expect(fallbacks).toEqual(['unavailable']);
      expect(client.getSnapshot().storage).toBe('memory');
      expect(await storage.get('t:legacy')).toEqual({ whatever: true });
      expect(await storage.get('meta')).toEqual({ schema: 0, token: 'old-token' });
    } finally {
      vi.doUnmock('./storage/schema-upgrade.js');
      await import('./storage/schema-upgrade.js'); // warm again for the tests below (see test/setup.ts)
    }
  });

  it('drops stored data of an unknown schema but keeps and sends its outbox', async () => {
    const storage = memoryStorage();
    const threadId = '01936b2e-7c39-7f10-a000-5c2d9e81f3aa';
    await storage.setMany([
      ['meta', { schema: 0, token: 'old-token' }],
      ['t:legacy', { whatever: true }],
      [`o:01936b2e-7c39-7f10-a000-5c2d9e81f3ab`, {
        clientId: '01936b2e-7c39-7f10-a000-5c2d9e81f3ab', threadId, create: true, text: 'written by an old build', files: [],
        queuedAt: 1, attempts: 3, nextAttemptAt: 0, failed: false, error: null,
      }],
    ]);
    const { client, server } = setup({ storage });
    // The upgrade loads a chunk of its own: wait for the send rather than for a number of ticks.
    await vi.waitFor(() => expect(server.messages.get(threadId)?.map((m) => m.text)).toEqual(['written by an old build']));
    expect([...server.transports][0]!.auth?.token).toBe('old-token');
    expect(await storage.get('t:legacy')).toBeUndefined();
    expect(client.getSnapshot().messages[threadId]).toMatchObject([{ state: 'sent' }]);
  });

  it('evicts cached history when storage is full and keeps every queued send', async () => {
    const inner = memoryStorage();
    const fallbacks: string[] = [];
    // A store that holds at most 10 records.
    const full = () => Object.assign(new Error('full'), { name: 'QuotaExceededError' });
    const limited: StorageAdapter = {
      ...inner,
      async set(k, v) {
        const keys = await inner.keys();
        if (!keys.includes(k) && keys.length >= 10) throw full();
        return inner.set(k, v);
      },
      async setMany(entries) {
        const keys = new Set(await inner.keys());
        const adding = entries.filter(([k]) => !keys.has(k)).length;
        if (keys.size + adding > 10) throw full();
        return inner.setMany(entries);
      },
    };
    const server = new FakeServer();
    const { client } = setup({ storage: limited, server });
    client.on('storageFallback', (e) => fallbacks.push(e.reason));
    const t = client.startThread({ text: 'first' });
    await flush();
    for (let i = 2; i <= 400; i++) server.appendAgent(t, `a${i}`, false);
    server.appendAgent(t, 'a401');
    await flush(100);
    setReachable(server, false);
    for (const tr of server.transports) tr.drop();
    client.send(t, { text: 'queued under pressure' });
    await flush(50);
    const keys = await inner.keys();
    expect(keys.filter((k) => k.startsWith('o:')).length).toBe(1);
    expect(keys.filter((k) => k.startsWith('m:')).length).toBeLessThan(9);
    expect(fallbacks).toEqual([]);
    expect(client.getSnapshot().storage).toBe('custom');
  });

  it('never throws at the host page, even with nonsense input', async () => {
    const { client } = setup();
    const errors: string[] = [];
    client.on('error', (e) => errors.push(e.code));
    expect(() => {
      client.send('no-such-thread', null as never);
      client.retry('nope');
      client.discard('nope');
      client.rate('nope', 9);
      client.track('');
      client.markRead('nope');
      client.replyProactive('nope', { text: 'x' });
    }).not.toThrow();
    await expect(client.loadOlder('nope')).resolves.toBe(false);
    expect(errors).toEqual(['invalid_input', 'not_found_locally', 'invalid_input', 'invalid_input', 'not_found_locally']);
  });
});

describe('client: handoff and form answers', () => {
  it('exposes the blocks of a received message as data, also after a reload from storage', async () => {
    const storage = memoryStorage();
    const server = new FakeServer();
    const first = setup({ storage, server });
    const t = first.client.startThread({ text: 'where is my order?' });
    await flush();
    const blocks = [{ type: 'form' as const, fields: [{ name: 'order', label: 'Order number', pattern: 'A-\\d{4}', required: true }] }];
    const m = server.appendAgent(t, 'Your order number, please.', false);
    Object.assign(m, { blocks, quickReplies: [{ label: 'I have none' }] });
    server.push({ type: 'server', name: 'message', payload: m });
    await flush();
    expect(first.client.getSnapshot().messages[t]![1]).toMatchObject({ text: 'Your order number, please.', blocks, quickReplies: [{ label: 'I have none' }] });
    first.client.destroy();
    setReachable(server, false);
    const second = setup({ storage, server });
    await flush(20);
    expect(second.client.getSnapshot().messages[t]![1]).toMatchObject({ blocks });
  });

  it('keeps a prompt’s blocks in the snapshot, also after a reload from storage', async () => {
    const storage = memoryStorage();
    const server = new FakeServer();
    const first = setup({ storage, server });
    await flush();
    const blocks = [{ type: 'card' as const, title: 'Free shipping over €50', buttons: [{ type: 'url' as const, label: 'See the rules', url: 'https://shop.example/shipping' }] }];
    const prompt = { id: 'rich-p', text: 'Almost free shipping', display: 'open' as const, campaign: null, author: { kind: 'bot' as const }, blocks, expiresAt: null, createdAt: new Date(0).toISOString() };
    server.push({ type: 'server', name: 'proactive', payload: prompt });
    await flush();
    expect(first.client.getSnapshot().proactive.find((p) => p.id === 'rich-p')).toMatchObject({ text: 'Almost free shipping', blocks });
    first.client.destroy();
    setReachable(server, false);
    const second = setup({ storage, server });
    await flush(20);
    expect(second.client.getSnapshot().proactive.find((p) => p.id === 'rich-p')).toMatchObject({ blocks });
  });

  it('keeps a handoff and a form answer in the outbox across a reload and sends them with the message', async () => {
    const storage = memoryStorage();
    const server = new FakeServer();
    setReachable(server, false);
    const first = setup({ storage, server });
    await flush();
    const t = first.client.startThread({ text: 'Talk to a person', handoff: true });
    const form = { messageId: 'm-1', values: { order: 'A-1001', email: 'a@example.com' } };
    first.client.send(t, { text: 'A-1001 · a@example.com', form });
    await flush();
    expect(first.client.getSnapshot().messages[t]).toMatchObject([{ state: 'sending' }, { state: 'sending' }]);
    first.client.destroy();
    setReachable(server, true);
    const second = setup({ storage, server });
    await flush(50);
    expect(server.sends()).toMatchObject([
      { threadId: t, text: 'Talk to a person', handoff: true },
      { threadId: t, text: 'A-1001 · a@example.com', form },
    ]);
    expect(server.sends()[1]).not.toHaveProperty('handoff');
    expect(second.client.getSnapshot().messages[t]).toMatchObject([{ state: 'sent' }, { state: 'sent' }]);
  });
});
