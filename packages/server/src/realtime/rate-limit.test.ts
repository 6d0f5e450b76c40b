import { io as ioClient, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentClientEvents, AgentServerEvents } from '@threadline/protocol';
import { DEFAULT_RATE_LIMITS } from '../config.js';
import { API_KEY, ConnectError, connect, newId, send, startServer, type Harness } from '../test/harness.js';
import { ServerError } from '../errors.js';
import { Limiter } from './rate-limit.js';

describe('Limiter in memory', () => {
  it('allows a key its points per window, then refuses with the time until the window ends', async () => {
    const limiter = new Limiter(2, 10_000, 'things');
    expect(await limiter.take('k')).toMatchObject({ limit: 2, remaining: 1 });
    expect(await limiter.take('k')).toMatchObject({ limit: 2, remaining: 0 });
    const refused = await limiter.take('k').catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(ServerError);
    expect(refused).toMatchObject({ code: 'rate_limited', message: expect.stringContaining('too many things') });
    expect((refused as ServerError).retryAfterMs).toBeGreaterThan(0);
    // Another key has a budget of its own.
    expect(await limiter.take('other')).toMatchObject({ remaining: 1 });
  });

  it('refuses everything with a budget of 0', async () => {
    await expect(new Limiter(0, 10_000, 'things').take('k')).rejects.toMatchObject({ code: 'rate_limited' });
  });
});

let h: Harness;
beforeAll(async () => {
  h = await startServer({ rateLimits: { ...DEFAULT_RATE_LIMITS, visitorEvents: 6, connectionsPerIp: 8, httpPerIp: 5, uploadsPerVisitor: 2, windowMs: 10_000 } });
});
afterAll(() => h.close());

describe('rate limits', () => {
  it('answers rate_limited with a retry delay once a visitor sends too fast, and loses nothing accepted', async () => {
    const v = await connect(h.url);
    const threadId = newId();
    const acks = [];
    acks.push(await send(v, threadId, 'm0', { create: true }));
    for (let i = 1; i < 6; i++) acks.push(await send(v, threadId, `m${i}`));
    const limited = acks.filter((a) => !a.ok);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0].error.code).toBe('rate_limited');
    expect(limited[0].error.retryAfterMs).toBeGreaterThan(0);
    const accepted = acks.filter((a) => a.ok).map((a) => a.message.seq);
    expect(accepted).toEqual(accepted.map((_, i) => i + 1));
    v.close();
  });

  it('closes a socket that sends a frame over the size cap', async () => {
    const v = await connect(h.url);
    const closed = new Promise<string>((r) => v.socket.once('disconnect', (reason) => r(reason)));
    v.socket.emit('track', { name: 'x', props: { blob: 'x'.repeat(80 * 1024) } }, () => {});
    expect(await closed).toBe('transport close');
  });

  it('refuses connections past the per-IP budget with rate_limited', async () => {
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => connect(h.url)));
    const refused = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason as ConnectError);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]!.data?.code).toBe('rate_limited');
    for (const r of results) if (r.status === 'fulfilled') r.value.close();
  });

  it('answers HTTP 429 with Retry-After and a typed body, but never limits /health', async () => {
    let last = await h.api('GET', '/v1/threads');
    for (let i = 0; i < 6 && last.status !== 429; i++) last = await h.api('GET', '/v1/threads');
    expect(last.status).toBe(429);
    expect(last.body.error.code).toBe('rate_limited');
    expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await fetch(`${h.url}/health`)).status).toBe(200);
  });
});

describe('agent channel rate limits', () => {
  let a: Harness;
  beforeAll(async () => {
    a = await startServer({ rateLimits: { ...DEFAULT_RATE_LIMITS, agentEvents: 3, connectionsPerIp: 40, windowMs: 10_000 } });
  });
  afterAll(() => a.close());

  type AgentSocket = Socket<AgentServerEvents, AgentClientEvents>;
  const agent = (apiKey = API_KEY) =>
    new Promise<AgentSocket>((resolve, reject) => {
      const s: AgentSocket = ioClient(`${a.url}/agent`, { auth: { apiKey }, transports: ['websocket'], reconnection: false, forceNew: true });
      s.once('connect', () => resolve(s));
      s.once('connect_error', (err: Error & { data?: { code: string } }) => {
        s.close();
        reject(new ConnectError(err.data as never));
      });
    });
  const read = (s: AgentSocket) => new Promise<any>((r) => s.emit('thread.read', { threadId: newId(), seq: 1 }, r));

  it('answers rate_limited with a retry delay once an agent connection sends too many events', async () => {
    const inbox = await agent();
    const acks = [];
    for (let i = 0; i < 4; i++) acks.push(await read(inbox));
    expect(acks.slice(0, 3).map((ack) => ack.error.code)).toEqual(['not_found', 'not_found', 'not_found']);
    expect(acks[3]).toMatchObject({ ok: false, error: { code: 'rate_limited', retryAfterMs: expect.any(Number) } });
    expect(acks[3].error.retryAfterMs).toBeGreaterThan(0);
    inbox.close();
  });

  it('shares ten times that budget among all connections of one API key', async () => {
    const inboxes = await Promise.all(Array.from({ length: 11 }, () => agent()));
    const codes: string[] = [];
    for (const inbox of inboxes) for (let i = 0; i < 3; i++) codes.push((await read(inbox)).error.code);
    // The first test spent 3 of the key's 30 events (its fourth was refused per connection first).
    expect(codes.filter((c) => c === 'not_found')).toHaveLength(27);
    expect(codes.slice(27)).toEqual(['rate_limited', 'rate_limited', 'rate_limited', 'rate_limited', 'rate_limited', 'rate_limited']);
    for (const inbox of inboxes) inbox.close();
  });

  it('counts agent handshakes, right key or wrong, against the per-IP connection budget', async () => {
    const results = await Promise.allSettled(Array.from({ length: 30 }, () => agent('tl_sk_guess')));
    const codes = results.map((r) => ((r as PromiseRejectedResult).reason as ConnectError).data?.code);
    expect(codes).toContain('unauthorized');
    expect(codes).toContain('rate_limited');
  });
});
