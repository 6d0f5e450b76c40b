import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '../create-client.js';
import { memoryStorage } from '../storage/memory.js';
import type { StorageAdapter } from '../storage/adapter.js';
import type { Client, ClientError } from '../types.js';
import { FakeServer, flush, manualClock, setReachable, testEnv } from '../test/fakes.js';

const clients: Client[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
});

function setup(opts: { storage?: StorageAdapter; server?: FakeServer; deadlineMs?: number } = {}) {
  const server = opts.server ?? new FakeServer();
  const clock = manualClock();
  const storage = opts.storage ?? memoryStorage();
  const errors: ClientError[] = [];
  const client = createClient({
    appId: 'demo',
    serverUrl: 'http://x',
    storage,
    transport: server.factory,
    retry: { baseMs: 1000, maxMs: 8000, deadlineMs: opts.deadlineMs ?? 60_000 },
    env: testEnv({ now: clock.now, setTimeout: clock.setTimeout, clearTimeout: clock.clearTimeout }),
  });
  client.on('error', (e) => errors.push(e));
  clients.push(client);
  return { server, clock, storage, client, errors };
}

describe('outbox', () => {
  it('shows a send at once as sending, then sent with its seq', async () => {
    const { client } = setup();
    const thread = client.startThread({ text: 'hello' });
    expect(client.getSnapshot().messages[thread]).toMatchObject([{ text: 'hello', state: 'sending' }]);
    await flush();
    expect(client.getSnapshot().messages[thread]).toMatchObject([{ text: 'hello', state: 'sent', seq: 1 }]);
    expect(client.getSnapshot().threads[0]).toMatchObject({ id: thread, local: false, lastSeq: 1 });
  });

  it('stores the entry before the first emit', async () => {
    const storage = memoryStorage();
    const server = new FakeServer();
    let storedAtSend: unknown;
    server.handlers['message.send'] = (input) => {
      void storage.get(`o:${input.clientId}`).then((v) => (storedAtSend ??= v));
      return undefined;
    };
    const { client } = setup({ storage, server });
    client.startThread({ text: 'durable' });
    await flush();
    expect(storedAtSend).toMatchObject({ text: 'durable' });
    expect((await storage.keys()).filter((k) => k.startsWith('o:'))).toEqual([]);
  });

  it('sends one message per thread at a time, in order', async () => {
    const server = new FakeServer();
    let inFlight = 0;
    let maxInFlight = 0;
    server.handlers['message.send'] = async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await flush(2);
      inFlight--;
      return undefined;
    };
    const { client } = setup({ server });
    const t = client.startThread({ text: 'm0' });
    for (let i = 1; i < 10; i++) client.send(t, { text: `m${i}` });
    await flush(200);
    expect(maxInFlight).toBe(1);
    expect(server.messages.get(t)!.map((m) => m.text)).toEqual(Array.from({ length: 10 }, (_, i) => `m${i}`));
  });

  it('retries a timed-out send with the same clientId and shows it once', async () => {
    const server = new FakeServer();
    server.echo = false;
    let drops = 2;
    server.handlers['message.send'] = (input) => {
      const res = server.handle('message.send', input);
      // The server committed, but the ack is lost.
      if (drops-- > 0) return { ok: false, error: { code: 'timeout', message: 'lost ack' } };
      return res;
    };
    const { client, clock } = setup({ server });
    const t = client.startThread({ text: 'once' });
    await flush();
    await clock.advance(1000);
    await clock.advance(2000);
    const ids = new Set(server.sends().map((s) => s.clientId));
    expect(server.sends().length).toBe(3);
    expect(ids.size).toBe(1);
    expect(client.getSnapshot().messages[t]!.map((m) => [m.text, m.state])).toEqual([['once', 'sent']]);
  });

  it('settles a send whose ack was lost when its echo arrives, without sending again', async () => {
    const server = new FakeServer();
    server.handlers['message.send'] = (input) => {
      server.handle('message.send', input);
      return { ok: false, error: { code: 'timeout', message: 'lost ack' } };
    };
    const { client, clock, storage } = setup({ server });
    const t = client.startThread({ text: 'echoed' });
    await flush();
    await clock.advance(60_000);
    expect(server.sends().length).toBe(1);
    expect(client.getSnapshot().messages[t]!.map((m) => m.state)).toEqual(['sent']);
    expect((await storage.keys()).filter((k) => k.startsWith('o:'))).toEqual([]);
  });

  it('backs off exponentially with a cap on transient errors, honouring retryAfterMs', async () => {
    const server = new FakeServer();
    const at: number[] = [];
    const { client, clock } = setup({ server });
    server.handlers['message.send'] = () => {
      at.push(clock.now());
      return at.length === 1
        ? { ok: false, error: { code: 'rate_limited', message: 'slow down', retryAfterMs: 5000 } }
        : { ok: false, error: { code: 'unavailable', message: 'restarting' } };
    };
    client.startThread({ text: 'x' });
    await flush();
    await clock.advance(40_000);
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    // random() = 0.5 → 75% of the capped delay; attempt 1 honours retryAfterMs.
    expect(gaps.slice(0, 5)).toEqual([5000, 1500, 3000, 6000, 6000]);
  });

  it('fails at once on a permanent error and sends again on retry()', async () => {
    const server = new FakeServer();
    let refuse = true;
    server.handlers['message.send'] = () => (refuse ? { ok: false, error: { code: 'bad_request', message: 'nope' } } : undefined);
    const { client, errors } = setup({ server });
    const t = client.startThread({ text: 'x' });
    await flush();
    const [m] = client.getSnapshot().messages[t]!;
    expect(m).toMatchObject({ state: 'failed', error: { code: 'bad_request' } });
    expect(errors.map((e) => e.code)).toContain('bad_request');
    refuse = false;
    client.retry(m!.clientId!);
    await flush();
    expect(client.getSnapshot().messages[t]).toMatchObject([{ state: 'sent', clientId: m!.clientId }]);
  });

  it('keeps sending the rest of a thread after one message failed', async () => {
    const server = new FakeServer();
    server.handlers['message.send'] = (input) => (input.text === 'bad' ? { ok: false, error: { code: 'conflict', message: 'x' } } : undefined);
    const { client } = setup({ server });
    const t = client.startThread({ text: 'first' });
    client.send(t, { text: 'bad' });
    client.send(t, { text: 'after' });
    await flush(100);
    expect(client.getSnapshot().messages[t]!.map((m) => [m.text, m.state])).toEqual([['first', 'sent'], ['after', 'sent'], ['bad', 'failed']]);
  });

  it('discards a queued message for good', async () => {
    const server = new FakeServer();
    setReachable(server, false);
    const { client, storage } = setup({ server });
    const t = client.startThread({ text: 'x' });
    await flush();
    const id = client.getSnapshot().messages[t]![0]!.clientId!;
    client.discard(id);
    await flush();
    expect(client.getSnapshot().messages[t]).toEqual([]);
    expect((await storage.keys()).filter((k) => k.startsWith('o:'))).toEqual([]);
  });

  it('shows failed only after the deadline when the network never comes back', async () => {
    const server = new FakeServer();
    server.handlers['message.send'] = () => ({ ok: false, error: { code: 'timeout', message: 'no ack' } });
    const { client, clock } = setup({ server, deadlineMs: 20_000 });
    const t = client.startThread({ text: 'x' });
    await flush();
    await clock.advance(15_000);
    expect(client.getSnapshot().messages[t]![0]!.state).toBe('sending');
    await clock.advance(30_000);
    expect(client.getSnapshot().messages[t]![0]).toMatchObject({ state: 'failed', error: { code: 'timeout' } });
  });

  it('sends offline messages once the connection comes up, exactly once, in order', async () => {
    const server = new FakeServer();
    setReachable(server, false);
    const { client } = setup({ server });
    const t = client.startThread({ text: 'a' });
    client.send(t, { text: 'b' });
    await flush();
    expect(server.sends()).toEqual([]);
    setReachable(server, true);
    for (const tr of server.transports) tr.up();
    await flush(50);
    expect(server.messages.get(t)!.map((m) => m.text)).toEqual(['a', 'b']);
    expect(client.getSnapshot().messages[t]!.map((m) => m.state)).toEqual(['sent', 'sent']);
  });

  it('picks up a stored entry after a reload and does not send it twice', async () => {
    const storage = memoryStorage();
    const server = new FakeServer();
    setReachable(server, false);
    const first = setup({ storage, server });
    const t = first.client.startThread({ text: 'survives' });
    await flush();
    first.client.destroy();
    setReachable(server, true);
    const second = setup({ storage, server });
    await flush(50);
    expect(second.client.getSnapshot().messages[t]).toMatchObject([{ text: 'survives', state: 'sent' }]);
    expect(server.messages.get(t)!.length).toBe(1);
  });

  it('refuses empty and oversized input without throwing', async () => {
    const { client, errors } = setup();
    const t = client.startThread();
    expect(client.send(t, { text: '   ' })).toBeNull();
    expect(client.send(t, { text: 'x'.repeat(5001) })).toBeNull();
    expect(client.send(t, { files: [new Blob([new Uint8Array(11 * 1024 * 1024)])] })).toBeNull();
    expect(errors.map((e) => e.code)).toEqual(['invalid_input', 'invalid_input', 'file_too_large']);
  });
});
