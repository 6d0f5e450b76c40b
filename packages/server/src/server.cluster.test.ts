import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createServer } from './server.js';
import { tempDir, testConfig } from './test/harness.js';
import { ADMIN_URL, createTestDatabase, type TestDatabase } from './test/postgres.js';
import { dropRedisPrefix, newRedisPrefix, redisRelay } from './test/redis.js';

/** Connections of any client to the database `url` names. */
async function connectionsTo(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>('select count(*)::int as n from pg_stat_activity where datname = $1', [new URL(url).pathname.slice(1)]);
    return rows[0]!.n;
  } finally {
    await client.end();
  }
}

/** Resolves once `probe()` is `want`, or with its last value after two seconds (closing is asynchronous on the far side). */
async function settle(probe: () => Promise<number> | number, want: number): Promise<number> {
  let last = await probe();
  for (let i = 0; i < 40 && last !== want; i++) {
    await new Promise((r) => setTimeout(r, 50));
    last = await probe();
  }
  return last;
}

describe('createServer on PostgreSQL and Redis', () => {
  let database: TestDatabase | null = null;
  let relay: Awaited<ReturnType<typeof redisRelay>> | null = null;
  const prefix = newRedisPrefix();

  afterEach(async () => {
    await relay?.close();
    await database?.drop();
    await dropRedisPrefix(prefix);
  });

  it('a start that fails after connecting (routes that cannot be added) leaves no Redis or database connection open', async () => {
    database = await createTestDatabase(inject('postgresPrefix'));
    relay = await redisRelay();
    const config = testConfig({ databaseUrl: database.url, redisUrl: relay.url, redisPrefix: prefix });
    const extend = async () => {
      expect(relay!.open()).toBeGreaterThan(0);
      throw new Error('no routes today');
    };
    await expect(createServer(config, { extend })).rejects.toThrow('no routes today');
    expect(await settle(() => relay!.open(), 0)).toBe(0);
    expect(await settle(() => connectionsTo(database!.url), 0)).toBe(0);
  });

  it('a rules file that does not parse stops the start before it connects to anything', async () => {
    database = await createTestDatabase(inject('postgresPrefix'));
    relay = await redisRelay();
    const rulesFile = path.join(tempDir(), 'rules.json');
    fs.writeFileSync(rulesFile, JSON.stringify([{ id: 'broken' }]));
    const config = testConfig({ databaseUrl: database.url, redisUrl: relay.url, redisPrefix: prefix, rulesFile });
    await expect(createServer(config)).rejects.toThrow(/invalid rules/);
    expect(await settle(() => relay!.open(), 0)).toBe(0);
    expect(await settle(() => connectionsTo(database!.url), 0)).toBe(0);
  });

  it('a server closed without listening closes, and leaves no Redis or database connection open', async () => {
    database = await createTestDatabase(inject('postgresPrefix'));
    relay = await redisRelay();
    const server = await createServer(testConfig({ databaseUrl: database.url, redisUrl: relay.url, redisPrefix: prefix }));
    expect(relay.open()).toBeGreaterThan(0);
    await server.close();
    expect(await settle(() => relay!.open(), 0)).toBe(0);
    expect(await settle(() => connectionsTo(database!.url), 0)).toBe(0);
  });
});
