import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMITS } from '../config.js';
import { ConnectError, connect, newId, send, startServer, type Harness } from '../test/harness.js';

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
    v.socket.emit('track', { name: 'x', props: { blob: 'x'.repeat(80 * 1024) } } as any);
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
