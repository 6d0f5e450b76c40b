import { afterEach, describe, expect, it } from 'vitest';
import { ThreadlineClient } from './client.js';
import { memoryStorage } from './storage/memory.js';
import type { StorageAdapter } from './storage/adapter.js';
import type { Environment } from './environment.js';
import type { Client, ClientError } from './types.js';
import { lazyUnits, type Units } from './units.js';
import { ChannelHub, FakeLocks, FakeServer, flush, manualClock, setReachable, testEnv } from './test/fakes.js';

const clients: Client[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
});

/** Loaders that count their calls; `fail` makes the next n loads of a unit reject like a chunk that could not be fetched. */
function counting(over: Partial<Units> = {}) {
  const loads = { sender: 0, conversation: 0, prompts: 0 };
  const fail = { sender: 0, conversation: 0, prompts: 0 };
  const chunkError = (name: string) => new TypeError(`Failed to fetch dynamically imported module: https://shop.example/${name}-x1.js`);
  const units: Units = {
    sender: () => {
      loads.sender++;
      if (fail.sender > 0 && fail.sender--) return Promise.reject(chunkError('sender'));
      return (over.sender ?? lazyUnits.sender)();
    },
    conversation: () => {
      loads.conversation++;
      if (fail.conversation > 0 && fail.conversation--) return Promise.reject(chunkError('conversation'));
      return (over.conversation ?? lazyUnits.conversation)();
    },
    prompts: () => {
      loads.prompts++;
      if (fail.prompts > 0 && fail.prompts--) return Promise.reject(chunkError('prompts'));
      return (over.prompts ?? lazyUnits.prompts)();
    },
  };
  return { loads, fail, units };
}

function setup(opts: { storage?: StorageAdapter; server?: FakeServer; units?: Units; env?: Partial<Environment> } = {}) {
  const server = opts.server ?? new FakeServer();
  const clock = manualClock();
  const storage = opts.storage ?? memoryStorage();
  const errors: ClientError[] = [];
  const client = new ThreadlineClient(
    {
      appId: 'demo',
      serverUrl: 'http://x',
      storage,
      transport: server.factory,
      retry: { baseMs: 1000, maxMs: 8000 },
      env: testEnv({ now: clock.now, setTimeout: clock.setTimeout, clearTimeout: clock.clearTimeout, ...opts.env }),
    },
    null,
    opts.units ?? lazyUnits,
  );
  client.on('error', (e) => errors.push(e));
  clients.push(client);
  return { server, clock, storage, client, errors };
}

/** An entry as a previous page left it in storage: queued, never acked. */
async function storedEntry(storage: StorageAdapter, text: string) {
  const threadId = '01936b2e-7c39-7f10-a000-5c2d9e81f3aa';
  const clientId = '01936b2e-7c39-7f10-a000-5c2d9e81f3ab';
  await storage.setMany([
    ['meta', { schema: 1 }],
    [`o:${clientId}`, { clientId, threadId, create: true, text, files: [], queuedAt: 1, attempts: 0, nextAttemptAt: 0, failed: false, error: null }],
  ]);
  return { threadId, clientId };
}

const texts = (server: FakeServer, threadId: string) => (server.messages.get(threadId) ?? []).map((m) => m.text);

describe('units loaded on demand', () => {
  it('loads no sending or conversation code to start, follow live messages and report events; the brand typing brings the conversation code', async () => {
    const storage = memoryStorage();
    const server = new FakeServer();
    const before = setup({ storage, server });
    const t = before.client.startThread({ text: 'hi' });
    await flush();
    before.client.destroy();

    const { loads, units } = counting();
    const { client } = setup({ storage, server, units });
    const heard: string[] = [];
    client.on('message', (e) => heard.push(e.message.text));
    await flush();
    server.appendAgent(t, 'hello from the shop');
    client.track('viewed_cart');
    client.updateContext({ page: { url: 'https://shop.example/cart' } });
    await flush();
    expect(heard).toEqual(['hello from the shop']);
    expect(client.getSnapshot()).toMatchObject({ connection: 'connected', totalUnread: 1 });
    expect(loads).toEqual({ sender: 0, conversation: 0, prompts: 0 });

    const id = client.send(t, { text: 'thanks' });
    expect(client.getSnapshot().messages[t]!.at(-1)).toMatchObject({ clientId: id, state: 'sending' });
    await flush();
    client.send(t, { text: 'bye' });
    await flush();
    expect(texts(server, t)).toEqual(['hi', 'hello from the shop', 'thanks', 'bye']);
    expect(loads).toEqual({ sender: 1, conversation: 0, prompts: 0 });

    // A reply is on its way: its typing indicator's code comes with the conversation's.
    server.push({ type: 'server', name: 'typing', payload: { threadId: t, author: { kind: 'agent' }, typing: true } });
    await flush();
    expect(client.getSnapshot().typing[t]).toMatchObject({ author: { kind: 'agent' } });
    expect(loads).toEqual({ sender: 1, conversation: 1, prompts: 0 });
  });

  it('loads the prompts code when a prompt arrives, once, and offers it; a page whose stored prompts are all closed never loads it', async () => {
    const { loads, units } = counting();
    const storage = memoryStorage();
    const server = new FakeServer();
    const { client } = setup({ storage, server, units });
    const offered: string[] = [];
    client.on('proactive', (e) => offered.push(e.prompt.text));
    await flush();
    expect(loads.prompts).toBe(0);
    const prompt = { id: 'p1', text: 'Need help?', author: { kind: 'bot' as const }, display: 'toast' as const, campaign: 'checkout', quickReplies: [], expiresAt: null, createdAt: new Date(0).toISOString() };
    server.push({ type: 'server', name: 'proactive', payload: prompt });
    server.push({ type: 'server', name: 'proactive', payload: { ...prompt, id: 'p2', text: 'Still there?' } });
    await flush();
    expect(offered).toEqual(['Need help?', 'Still there?']);
    expect(loads.prompts).toBe(1);
    client.reportProactive('p1', 'dismissed');
    client.reportProactive('p2', 'dismissed');
    await flush();
    client.destroy();

    const again = counting();
    const next = setup({ storage, server, units: again.units });
    await flush();
    expect(next.client.getSnapshot().proactive).toEqual([]);
    expect(again.loads.prompts).toBe(0);
  });

  it('sends an entry a previous page left in storage, without any call', async () => {
    const storage = memoryStorage();
    const { threadId } = await storedEntry(storage, 'left by the last page');
    const { loads, units } = counting();
    const { server, client } = setup({ storage, units });
    await flush(50);
    expect(texts(server, threadId)).toEqual(['left by the last page']);
    expect(client.getSnapshot().messages[threadId]).toMatchObject([{ state: 'sent' }]);
    expect(loads.sender).toBe(1);
  });

  it('stores a send while the sending code is still loading, so closing the page loses nothing', async () => {
    const storage = memoryStorage();
    const server = new FakeServer();
    const first = setup({ storage, server, units: counting({ sender: () => new Promise(() => {}) }).units });
    const t = first.client.startThread({ text: 'sent as the tab closed' });
    await flush();
    expect((await storage.keys()).filter((k) => k.startsWith('o:'))).toHaveLength(1);
    expect(server.sends()).toEqual([]);
    first.client.destroy();

    setup({ storage, server });
    await flush(50);
    expect(texts(server, t)).toEqual(['sent as the tab closed']);
  });

  it('reports a sending code that failed to load, keeps the message, and sends it on the next try', async () => {
    const { loads, fail, units } = counting();
    fail.sender = 1;
    const { client, server, errors } = setup({ units });
    const t = client.startThread({ text: 'one' });
    await flush();
    expect(errors).toMatchObject([{ code: 'network', message: expect.stringContaining('sending code') }]);
    expect(client.getSnapshot().messages[t]).toMatchObject([{ text: 'one', state: 'sending' }]);

    client.send(t, { text: 'two' });
    await flush();
    expect(texts(server, t)).toEqual(['one', 'two']);
    expect(client.getSnapshot().messages[t]!.map((m) => m.state)).toEqual(['sent', 'sent']);
    expect(loads.sender).toBe(2);
  });

  it('tries a failed load again after a backoff when nobody calls', async () => {
    const storage = memoryStorage();
    const { threadId } = await storedEntry(storage, 'found at start');
    const { loads, fail, units } = counting();
    fail.sender = 1;
    const { server, clock, errors } = setup({ storage, units });
    await flush(50);
    expect(errors.map((e) => e.code)).toEqual(['network']);
    expect(server.sends()).toEqual([]);
    await clock.advance(1000); // attempt 1 waits 750 ms (base 1000, jitter 0.5)
    expect(texts(server, threadId)).toEqual(['found at start']);
    expect(loads.sender).toBe(2);
  });

  it('does nothing when the sending code arrives after destroy', async () => {
    let arrive!: () => void;
    const late = new Promise<void>((r) => (arrive = r));
    const { units } = counting({ sender: () => late.then(() => lazyUnits.sender()) });
    const { client, server, clock } = setup({ units });
    client.startThread({ text: 'never sent' });
    await flush();
    client.destroy();
    arrive();
    await flush();
    expect(server.sends()).toEqual([]);
    expect(clock.pending()).toBe(0);
  });

  it('loads the sending code in the leader tab only', async () => {
    const storage = memoryStorage();
    const server = new FakeServer();
    const locks = new FakeLocks();
    const hub = new ChannelHub();
    const realTimers = { setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms), clearTimeout: (h: unknown) => clearTimeout(h as never) };
    const tab = () => {
      const { loads, units } = counting();
      const { client } = setup({ storage, server, units, env: { locks, channel: hub.open, ...realTimers } });
      return { client, loads };
    };
    const leader = tab();
    await flush();
    const follower = tab();
    await flush();
    expect(follower.client.getSnapshot().role).toBe('follower');
    const t = follower.client.startThread({ text: 'from the follower' });
    await flush(50);
    expect(texts(server, t)).toEqual(['from the follower']);
    expect(follower.client.getSnapshot().messages[t]).toMatchObject([{ state: 'sent' }]);
    expect(leader.loads.sender).toBe(1);
    expect(follower.loads.sender).toBe(0);
  });

  it('loads the conversation code on first use, and again after a failed load', async () => {
    const { loads, fail, units } = counting();
    fail.conversation = 1;
    const { client, server, errors } = setup({ units });
    const t = client.startThread({ text: 'hi' });
    await flush();
    server.appendAgent(t, 'reply');
    await flush();
    expect(loads.conversation).toBe(0);
    client.markRead(t);
    await flush();
    expect(errors).toMatchObject([{ code: 'network', message: expect.stringContaining('conversation code') }]);
    expect(client.getSnapshot().totalUnread).toBe(1);
    client.markRead(t);
    await flush();
    expect(client.getSnapshot().totalUnread).toBe(0);
    expect(server.requests.find((r) => r.name === 'thread.read')!.input).toEqual({ threadId: t, seq: 2 });
    expect(loads.conversation).toBe(2);
  });
});

describe('units loaded on demand, with the server down', () => {
  it('loads no sending code while there is no connection to send on', async () => {
    const server = new FakeServer();
    setReachable(server, false);
    const { loads, units } = counting();
    const { client } = setup({ server, units });
    client.startThread({ text: 'offline' });
    await flush();
    expect(client.getSnapshot().connection).not.toBe('connected');
    expect(loads.sender).toBe(0);
    setReachable(server, true);
    for (const tr of server.transports) tr.up();
    await flush();
    expect(loads.sender).toBe(1);
  });
});
