import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Kysely } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/schema.js';
import { migrateToLatest } from '../db/migrate.js';
import { openDatabase } from '../db/open.js';
import { WebhookStore } from '../store/webhook-store.js';
import { eventually, tempDir, testDatabase } from '../test/harness.js';
import type { TestDatabase } from '../test/postgres.js';
import { WebhookDispatcher } from './dispatcher.js';

const received: { delivery: string; body: string }[] = [];
let receiver: http.Server;
let hookUrl: string;

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ delivery: String(req.headers['threadline-delivery']), body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
});
afterAll(() => new Promise((r) => receiver.close(r)));

let database: TestDatabase | null = null;
const pools: Kysely<Database>[] = [];
const dispatchers: WebhookDispatcher[] = [];
let dir = '';

afterEach(async () => {
  for (const d of dispatchers.splice(0)) await d.stop();
  for (const db of pools.splice(0)) await db.destroy();
  await database?.drop();
  database = null;
  received.length = 0;
});

/** A node's connection to the one database: its own pool on PostgreSQL, the one SQLite file's otherwise. */
async function nodeDb(): Promise<Kysely<Database>> {
  if (!pools.length) {
    database = await testDatabase();
    dir = tempDir();
  } else if (!database) return pools[0]!;
  const db = await openDatabase({ databaseUrl: database?.url, dataDir: dir });
  if (!pools.length) await migrateToLatest(db);
  pools.push(db);
  return db;
}

const log = { warn: () => {} };

async function dispatcher(node: string): Promise<WebhookDispatcher> {
  const d = new WebhookDispatcher(new WebhookStore(await nodeDb()), { baseMs: 50, maxAttempts: 5, timeoutMs: 2000, allowPrivate: true, node, pollMs: 50 }, log);
  dispatchers.push(d);
  return d;
}

const statuses = async () => (await pools[0]!.selectFrom('webhook_deliveries').select(['id', 'status', 'locked_by']).execute());

describe('webhook deliveries on several nodes', () => {
  it('are each sent once by one of two dispatchers on one database', async () => {
    const [a, b] = [await dispatcher('a'), await dispatcher('b')];
    await a.register('demo', hookUrl, ['*']);
    for (let i = 0; i < 40; i++) await (i % 2 ? a : b).enqueue('demo', 'thread.created', { i });
    a.start();
    b.start();
    await eventually(async () => (await statuses()).every((d) => d.status === 'delivered'), 10_000);
    expect(received).toHaveLength(40);
    expect(new Set(received.map((r) => r.delivery)).size).toBe(40);
    // The header is the envelope's id, the receiver's key to dedupe on.
    for (const r of received) expect(JSON.parse(r.body).id).toBe(r.delivery);
  });

  it('are sent by another node once the claim of a node that died has run out, and handed back by a node that stops', async () => {
    const a = await dispatcher('a');
    await a.register('demo', hookUrl, ['*']);
    await a.enqueue('demo', 'thread.resolved', { orphan: true });
    await a.enqueue('demo', 'thread.resolved', { held: true });
    const store = new WebhookStore(pools[0]!);
    // One claimed by a node that then died (a short lease), one by node `c` for a minute.
    const [orphan] = await store.claimDue('dead-node', Date.now(), 300, 1);
    const [held] = await store.claimDue('c', Date.now(), 60_000, 1);
    expect(orphan && held).toBeTruthy();
    const c = await dispatcher('c');
    await c.stop(); // never started: it only hands back its leases
    a.start();
    await eventually(async () => (await statuses()).every((d) => d.status === 'delivered' && d.locked_by === null), 5000);
    expect(received.map((r) => r.delivery).sort()).toEqual([orphan!.id, held!.id].sort());
  });
});
