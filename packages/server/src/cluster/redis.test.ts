import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { RedisLink, describeRedis } from './redis.js';

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('RedisLink', () => {
  it('refuses to start when Redis does not answer, naming the variable but not the URL', async () => {
    const port = await closedPort();
    const err = await RedisLink.connect(`redis://:hunter2@127.0.0.1:${port}`, 'threadline:', { info() {}, warn() {} }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/^THREADLINE_REDIS_URL: Redis did not answer \(ECONNREFUSED\)/);
    expect((err as Error).message).not.toContain('hunter2');
  });

  it('describes the Redis for the startup banner without its password', () => {
    expect(describeRedis({})).toMatch(/^none/);
    expect(describeRedis({ redisUrl: 'rediss://:hunter2@cache.internal:6380/2', redisPrefix: 'shop:' })).toBe('TLS cache.internal:6380/2, keys under shop:');
  });
});
