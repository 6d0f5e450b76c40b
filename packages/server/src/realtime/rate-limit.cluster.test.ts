import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_URL, dropRedisPrefix, newRedisPrefix } from '../test/redis.js';
import { Limiter } from './rate-limit.js';

describe('Limiter on Redis', () => {
  const prefix = newRedisPrefix();
  let redis: Redis;
  beforeAll(async () => {
    redis = new Redis(REDIS_URL, { enableOfflineQueue: false, lazyConnect: true });
    await redis.connect();
  });
  afterAll(async () => {
    redis.disconnect();
    await dropRedisPrefix(prefix);
  });

  it('shares one budget between limiters of the same prefix, as between nodes', async () => {
    const shared = { redis, keyPrefix: `${prefix}rl:sends` };
    const nodes = [new Limiter(3, 10_000, 'messages', shared), new Limiter(3, 10_000, 'messages', shared), new Limiter(3, 10_000, 'messages', shared)];
    for (const node of nodes) await node.take('visitor-1');
    const refused = await nodes[0]!.take('visitor-1').catch((err: unknown) => err);
    expect(refused).toMatchObject({ code: 'rate_limited', retryAfterMs: expect.any(Number) });
    expect((refused as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(0);
    expect(await redis.get(`${prefix}rl:sends:visitor-1`)).toBe('4');
    // Another key, and another limiter's prefix, are budgets of their own.
    await nodes[1]!.take('visitor-2');
    await new Limiter(3, 10_000, 'uploads', { redis, keyPrefix: `${prefix}rl:uploads` }).take('visitor-1');
  });

  it('falls back to a budget of the same size in this process while Redis is away', async () => {
    // A client that never connected: what a node's client is while Redis is down.
    const away = new Redis(REDIS_URL, { enableOfflineQueue: false, lazyConnect: true });
    try {
      const limiter = new Limiter(2, 10_000, 'messages', { redis: away, keyPrefix: `${prefix}rl:away` });
      await limiter.take('k');
      await limiter.take('k');
      await expect(limiter.take('k')).rejects.toMatchObject({ code: 'rate_limited' });
      expect(await redis.exists(`${prefix}rl:away:k`)).toBe(0);
    } finally {
      away.disconnect();
    }
  });
});
