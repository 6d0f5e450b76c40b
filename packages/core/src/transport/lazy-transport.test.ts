import { afterEach, describe, expect, it } from 'vitest';
import { createBareClient } from '../create-client.js';
import { memoryStorage } from '../storage/memory.js';
import type { Client } from '../types.js';
import { FakeServer, flush, testEnv } from '../test/fakes.js';
import { lazyTransport } from './lazy-transport.js';

const clients: Client[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
});

describe('lazy transport', () => {
  it('renders from storage first and connects once the socket code has loaded', async () => {
    const server = new FakeServer();
    let release!: () => void;
    const loaded = new Promise<void>((r) => (release = r));
    const client = createBareClient({
      appId: 'demo',
      serverUrl: 'http://x',
      storage: memoryStorage(),
      transport: lazyTransport(async () => (await loaded, server.factory)),
      env: testEnv(),
    });
    clients.push(client);
    const t = client.startThread({ text: 'sent once loaded' });
    await flush();
    expect(client.getSnapshot()).toMatchObject({ status: 'ready', connection: 'connecting' });
    release();
    await flush();
    expect(client.getSnapshot().connection).toBe('connected');
    expect(server.messages.get(t)!.map((m) => m.text)).toEqual(['sent once loaded']);
  });

  it('reports a failed load and tries again on the next connect', async () => {
    const server = new FakeServer();
    let fail = true;
    const states: string[] = [];
    const client = createBareClient({
      appId: 'demo',
      serverUrl: 'http://x',
      storage: memoryStorage(),
      transport: lazyTransport(async () => {
        if (fail) throw new Error('chunk 404');
        return server.factory;
      }),
      env: testEnv(),
    });
    clients.push(client);
    client.on('connectionChange', (e) => states.push(e.state));
    await flush();
    fail = false;
    await client.identify({ jwt: 'x.y.z' });
    expect(states).toEqual(['connecting', 'disconnected', 'connecting', 'connected']);
  });
});
