import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '../create-client.js';
import { memoryStorage } from '../storage/memory.js';
import type { StorageAdapter } from '../storage/adapter.js';
import type { Client } from '../types.js';
import { ChannelHub, FakeLocks, FakeServer, flush, setReachable, testEnv } from '../test/fakes.js';
import { elect } from './leader.js';

const clients: Client[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
});

function browser() {
  return { storage: memoryStorage() as StorageAdapter, locks: new FakeLocks(), hub: new ChannelHub(), server: new FakeServer() };
}

function tab(b: ReturnType<typeof browser>, multi = true) {
  const client = createClient({
    appId: 'demo',
    serverUrl: 'http://x',
    storage: b.storage,
    transport: b.server.factory,
    env: testEnv({ locks: multi ? b.locks : null, channel: multi ? b.hub.open : null, setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as never) }),
  });
  clients.push(client);
  return client;
}

describe('leader election', () => {
  it('grants leadership to one holder at a time and hands it over on release', async () => {
    const locks = new FakeLocks();
    const led: string[] = [];
    const a = elect(locks, 'l', () => led.push('a'));
    const b = elect(locks, 'l', () => led.push('b'));
    await flush();
    expect(led).toEqual(['a']);
    a.release();
    await flush();
    expect(led).toEqual(['a', 'b']);
    b.release();
  });

  it('never leads after releasing a request that was still waiting', async () => {
    const locks = new FakeLocks();
    const led: string[] = [];
    const a = elect(locks, 'l', () => led.push('a'));
    const b = elect(locks, 'l', () => led.push('b'));
    b.release();
    a.release();
    await flush();
    expect(led).toEqual(['a']);
  });
});

describe('several tabs', () => {
  it('opens one socket for two tabs', async () => {
    const b = browser();
    const one = tab(b);
    const two = tab(b);
    await flush(50);
    expect(one.getSnapshot().role).toBe('leader');
    expect(two.getSnapshot().role).toBe('follower');
    expect(b.server.transports.size).toBe(1);
    expect(two.getSnapshot().connection).toBe('connected');
  });

  it('sends a follower tab’s message through the leader, once, and both tabs show it sent', async () => {
    const b = browser();
    const leader = tab(b);
    await flush(50);
    const follower = tab(b);
    await flush(50);
    const t = follower.startThread({ text: 'from tab two' });
    await flush(100);
    expect(b.server.sends().map((s) => s.text)).toEqual(['from tab two']);
    expect(follower.getSnapshot().messages[t]).toMatchObject([{ text: 'from tab two', state: 'sent', seq: 1 }]);
    expect(leader.getSnapshot().messages[t]).toMatchObject([{ text: 'from tab two', state: 'sent', seq: 1 }]);
  });

  it('keeps unread counts in sync across tabs', async () => {
    const b = browser();
    const leader = tab(b);
    await flush(50);
    const follower = tab(b);
    await flush(50);
    const t = leader.startThread({ text: 'hi' });
    await flush(50);
    b.server.appendAgent(t, 'hello from Sam');
    await flush(50);
    expect(follower.getSnapshot().totalUnread).toBe(1);
    follower.markRead(t);
    await flush(50);
    expect(leader.getSnapshot().totalUnread).toBe(0);
    expect(b.server.requests.filter((r) => r.name === 'thread.read').length).toBe(1);
  });

  it('hands over when the leader closes, without losing a queued send', async () => {
    const b = browser();
    setReachable(b.server, false);
    const leader = tab(b);
    await flush(50);
    const follower = tab(b);
    await flush(50);
    const t = follower.startThread({ text: 'queued while offline' });
    await flush(50);
    expect(b.server.sends()).toEqual([]);
    setReachable(b.server, true);
    leader.destroy();
    await flush(100);
    expect(follower.getSnapshot().role).toBe('leader');
    expect(b.server.messages.get(t)!.map((m) => m.text)).toEqual(['queued while offline']);
    expect(follower.getSnapshot().messages[t]).toMatchObject([{ state: 'sent' }]);
  });

  it('lets another tab lead when the leader’s storage fails', async () => {
    const b = browser();
    let broken = false;
    const shared = b.storage;
    const failing: StorageAdapter = {
      ...shared,
      set: (k, v) => (broken ? Promise.reject(new Error('disk gone')) : shared.set(k, v)),
      setMany: (e) => (broken ? Promise.reject(new Error('disk gone')) : shared.setMany(e)),
    };
    const one = tab({ ...b, storage: failing });
    await flush(50);
    const two = tab(b);
    await flush(50);
    expect([one.getSnapshot().role, two.getSnapshot().role]).toEqual(['leader', 'follower']);
    broken = true;
    const t = one.startThread({ text: 'kept in memory' });
    await flush(100);
    expect(one.getSnapshot()).toMatchObject({ role: 'solo', storage: 'memory' });
    expect(two.getSnapshot().role).toBe('leader');
    expect(b.server.messages.get(t)!.map((m) => m.text)).toEqual(['kept in memory']);
  });

  it('runs commands issued before the lock was granted once this tab leads', async () => {
    const b = browser();
    const inner = b.locks;
    let grant!: () => void;
    const granted = new Promise<void>((r) => (grant = r));
    b.locks = { request: (name, options, cb) => granted.then(() => inner.request(name, options, cb)) } as FakeLocks;
    const only = tab(b);
    await flush(20);
    expect(only.getSnapshot().role).toBe('follower');
    only.track('opened_help');
    await flush(20);
    grant();
    await flush(50);
    expect(only.getSnapshot().role).toBe('leader');
    expect(b.server.requests.filter((r) => r.name === 'track').map((r) => r.input)).toEqual([{ name: 'opened_help' }]);
  });

  it('lets every tab connect on its own without Web Locks, and the server dedupes', async () => {
    const b = browser();
    const one = tab(b, false);
    const two = tab(b, false);
    await flush(50);
    expect(one.getSnapshot().role).toBe('solo');
    expect(two.getSnapshot().role).toBe('solo');
    expect(b.server.transports.size).toBe(2);
  });

  it('logs every tab out when one shuts down', async () => {
    const b = browser();
    const one = tab(b);
    await flush(50);
    const two = tab(b);
    await flush(50);
    one.startThread({ text: 'x' });
    await flush(50);
    await two.shutdown();
    await flush(50);
    expect(one.getSnapshot()).toMatchObject({ status: 'destroyed', threads: [] });
    expect(await b.storage.keys()).toEqual([]);
  });
});
