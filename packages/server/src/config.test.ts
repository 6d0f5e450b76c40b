import { describe, expect, it } from 'vitest';
import { configFromEnv, unattachedUploadsOf } from './config.js';

describe('configFromEnv', () => {
  it('leaves email notifications off without THREADLINE_SMTP_URL, and reads their settings', () => {
    expect(configFromEnv({}).notifications).toMatchObject({ smtpUrl: undefined, delayMs: 300_000, inboundPort: 0 });
    const config = configFromEnv({
      THREADLINE_SMTP_URL: 'smtps://user:secret@smtp.example.com:465',
      THREADLINE_SMTP_FROM: 'support@shop.example',
      THREADLINE_NOTIFY_DELAY_MS: '60000',
      THREADLINE_SMTP_INBOUND_DOMAIN: 'reply.shop.example',
      THREADLINE_SMTP_INBOUND_PORT: '2525',
      THREADLINE_PUBLIC_URL: 'https://chat.shop.example/',
    });
    expect(config.notifications).toEqual({
      smtpUrl: 'smtps://user:secret@smtp.example.com:465',
      from: 'support@shop.example',
      delayMs: 60_000,
      inboundDomain: 'reply.shop.example',
      inboundPort: 2525,
      dkim: undefined,
      publicUrl: 'https://chat.shop.example',
    });
  });

  it('refuses an SMTP URL of another scheme without repeating it, and a DKIM key without its domain', () => {
    expect(() => configFromEnv({ THREADLINE_SMTP_URL: 'http://user:hunter2@x' })).toThrow(/^THREADLINE_SMTP_URL must be an smtp/);
    expect(() => configFromEnv({ THREADLINE_SMTP_URL: 'http://user:hunter2@x' })).not.toThrow(/hunter2/);
    expect(() => configFromEnv({ THREADLINE_SMTP_DKIM_KEY: '-----BEGIN PRIVATE KEY-----' })).toThrow(/THREADLINE_SMTP_DKIM_DOMAIN/);
    expect(() => configFromEnv({ THREADLINE_SMTP_INBOUND_DOMAIN: 'not a domain' })).toThrow(/THREADLINE_SMTP_INBOUND_DOMAIN/);
  });

  it('reads the budget and the grace period of uploads no message uses', () => {
    const config = configFromEnv({ THREADLINE_UNATTACHED_UPLOADS: '5', THREADLINE_UNATTACHED_UPLOAD_BYTES: '1000', THREADLINE_UNATTACHED_UPLOAD_TTL_MS: '60000' });
    expect(unattachedUploadsOf(config)).toEqual({ maxFilesPerVisitor: 5, maxBytesPerVisitor: 1000, ttlMs: 60_000, sweepIntervalMs: 60_000 });
  });

  it('lets a full message of the largest files through by default, and sweeps hourly for a 24 h grace period', () => {
    const config = configFromEnv({ THREADLINE_MAX_UPLOAD_BYTES: '2000000' });
    expect(unattachedUploadsOf(config)).toEqual({ maxFilesPerVisitor: 50, maxBytesPerVisitor: 20_000_000, ttlMs: 86_400_000, sweepIntervalMs: 3_600_000 });
  });

  it('refuses a grace period that is not a non-negative integer', () => {
    expect(() => configFromEnv({ THREADLINE_UNATTACHED_UPLOAD_TTL_MS: '1h' })).toThrow(/THREADLINE_UNATTACHED_UPLOAD_TTL_MS/);
  });

  it('reads the socket connection limits, the connect timeout and the agent event budget', () => {
    const defaults = configFromEnv({});
    expect(defaults.rateLimits).toMatchObject({ connectionsPerIp: 120, openConnectionsPerIp: 100, agentEvents: 100 });
    expect(defaults.connectTimeoutMs).toBe(10_000);
    const config = configFromEnv({ THREADLINE_OPEN_CONNECTIONS_PER_IP: '500', THREADLINE_RATE_AGENT_EVENTS: '20', THREADLINE_CONNECT_TIMEOUT_MS: '3000' });
    expect(config.rateLimits).toMatchObject({ openConnectionsPerIp: 500, agentEvents: 20 });
    expect(config.connectTimeoutMs).toBe(3000);
    expect(() => configFromEnv({ THREADLINE_OPEN_CONNECTIONS_PER_IP: 'many' })).toThrow(/THREADLINE_OPEN_CONNECTIONS_PER_IP/);
    // 0 would refuse every connection, drop every socket at once, or refuse every agent event.
    for (const name of ['THREADLINE_OPEN_CONNECTIONS_PER_IP', 'THREADLINE_RATE_AGENT_EVENTS', 'THREADLINE_CONNECT_TIMEOUT_MS']) {
      expect(() => configFromEnv({ [name]: '0' })).toThrow(new RegExp(`${name} must be at least 1`));
    }
  });

  it('reads the Redis URL and key prefix, and runs without Redis when the URL is unset', () => {
    expect(configFromEnv({})).toMatchObject({ redisUrl: undefined, redisPrefix: 'threadline:' });
    const config = configFromEnv({ THREADLINE_REDIS_URL: 'rediss://:pw@redis.internal:6380/2', THREADLINE_REDIS_PREFIX: 'shop-eu:' });
    expect(config).toMatchObject({ redisUrl: 'rediss://:pw@redis.internal:6380/2', redisPrefix: 'shop-eu:' });
  });

  it('refuses a Redis URL of another scheme without repeating it, since it may hold a password', () => {
    for (const url of ['http://:hunter2@redis:6379', 'redis:/hunter2', 'hunter2']) {
      let message = '';
      try {
        configFromEnv({ THREADLINE_REDIS_URL: url });
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(/THREADLINE_REDIS_URL must be a redis:\/\//);
      expect(message).not.toContain('hunter2');
    }
    expect(() => configFromEnv({ THREADLINE_REDIS_PREFIX: 'has space' })).toThrow(/THREADLINE_REDIS_PREFIX/);
  });
});
