/**
 * Several server nodes in one test process, sharing one new PostgreSQL database (and, when asked,
 * one Redis key prefix) and nothing else: each has its own port, data dir and socket.io server,
 * like processes on different machines. Used by the `*.cluster.test.ts` files
 * (vitest.cluster.config.ts); the real-process cluster behind nginx is examples/cluster.
 */
import { inject } from 'vitest';
import type { ServerConfig } from '../config.js';
import type { CreateServerOptions } from '../server.js';
import { startServer, type Harness } from './harness.js';
import { createTestDatabase } from './postgres.js';
import { REDIS_URL, dropRedisPrefix, newRedisPrefix } from './redis.js';

export interface Nodes {
  nodes: Harness[];
  /** The shared database's URL. */
  databaseUrl: string;
  /** The shared Redis key prefix, or null when the nodes run without Redis. */
  redisPrefix: string | null;
  /** Starts one more node on the same database (and Redis). */
  add(overrides?: Partial<ServerConfig>): Promise<Harness>;
  close(): Promise<void>;
}

export interface NodesOptions {
  /** Connect the nodes through Redis. @default true */
  redis?: boolean;
  /** Config of every node. */
  overrides?: Partial<ServerConfig>;
  options?: CreateServerOptions;
}

export async function startNodes(count: number, { redis = true, overrides = {}, options = {} }: NodesOptions = {}): Promise<Nodes> {
  const database = await createTestDatabase(inject('postgresPrefix'));
  const redisPrefix = redis ? newRedisPrefix() : null;
  const shared: Record<string, unknown> = { databaseUrl: database.url };
  if (redisPrefix) Object.assign(shared, { redisUrl: REDIS_URL, redisPrefix });
  const nodes: Harness[] = [];
  const group: Nodes = {
    nodes,
    databaseUrl: database.url,
    redisPrefix,
    async add(more = {}) {
      const node = await startServer({ ...shared, ...overrides, ...more } as Partial<ServerConfig>, options);
      nodes.push(node);
      return node;
    },
    async close() {
      // Nodes first (they hold pool connections), then the database and the keys.
      await Promise.allSettled(nodes.map((n) => n.server.close()));
      await database.drop();
      if (redisPrefix) await dropRedisPrefix(redisPrefix);
    },
  };
  try {
    // One after another: the first migrates, like a rolling start.
    for (let i = 0; i < count; i++) await group.add();
  } catch (err) {
    await group.close();
    throw err;
  }
  return group;
}
