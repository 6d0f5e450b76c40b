import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, SECRET, eventually, startServer, testDatabase, type Harness } from '../test/harness.js';
import type { TestDatabase } from '../test/postgres.js';
import { migrateToLatest, withStartupLock } from './migrate.js';
import { migrationProvider } from './migrations.js';
import { openPostgres } from './postgres.js';

// PostgreSQL alone (the `server-postgres` project runs this file; the SQLite one leaves it out).
let database: TestDatabase;
beforeAll(async () => {
  database = (await testDatabase())!;
});
afterAll(() => database.drop());

describe('openPostgres', () => {
  it('gives bigint columns and counts as numbers, as the schema types say', async () => {
    const db = openPostgres(database.url);
    try {
      await migrateToLatest(db);
      await db.insertInto('apps').values({ id: 'a', name: 'A', api_key_hash: 'h', secret: 's', allowed_origins: '[]', created_at: 1_700_000_000_123 }).execute();
      const app = await db.selectFrom('apps').select('created_at').executeTakeFirstOrThrow();
      const { n } = await db.selectFrom('apps').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      expect(app.created_at).toBe(1_700_000_000_123);
      expect(n).toBe(1);
    } finally {
      await db.destroy();
    }
  });

  it('fails a query whose bigint would not fit a JavaScript number, rather than rounding it', async () => {
    const db = openPostgres(database.url);
    try {
      await expect(sql`select 9007199254740993::bigint as n`.execute(db)).rejects.toThrow(/does not fit a JavaScript number/);
    } finally {
      await db.destroy();
    }
  });
});

describe('withStartupLock', () => {
  it('lets one node at a time through: a second waits on the advisory lock until the first is done', async () => {
    const [one, two] = [openPostgres(database.url), openPostgres(database.url)];
    try {
      const steps: string[] = [];
      let finish!: () => void;
      const first = withStartupLock(one, async () => {
        steps.push('first starts');
        await new Promise<void>((resolve) => (finish = resolve));
        steps.push('first ends');
      });
      await eventually(() => steps.includes('first starts'));
      const second = withStartupLock(two, async () => {
        steps.push('second starts');
      });
      // The second node's session is queued on the lock (seen in pg_locks), not past it.
      await eventually(async () => {
        const waiting = await sql<{ n: number }>`
          select count(*) as n from pg_locks
          where locktype = 'advisory' and not granted and database = (select oid from pg_database where datname = current_database())`.execute(one);
        return waiting.rows[0]!.n === 1;
      });
      expect(steps).toEqual(['first starts']);
      finish();
      await Promise.all([first, second]);
      expect(steps).toEqual(['first starts', 'first ends', 'second starts']);
    } finally {
      await Promise.all([one.destroy(), two.destroy()]);
    }
  });
});

describe('several nodes starting at once on one database', () => {
  let nodes: Harness[] = [];
  afterAll(async () => {
    for (const n of nodes) await n.close();
  });

  it('migrate it once, create one demo app whose key works on every node, and register its webhook once', async () => {
    const shared = (await testDatabase())!;
    try {
      // No configured API key: each node would make up its own, and only the creator's may stand.
      const demo = { secret: SECRET, allowedOrigins: ['http://shop.test'], webhookUrl: 'http://127.0.0.1:9/hooks' };
      nodes = await Promise.all([1, 2, 3].map(() => startServer({ databaseUrl: shared.url, demo })));
      const creators = nodes.filter((n) => n.server.demo.created);
      expect(creators).toHaveLength(1);
      const key = creators[0]!.server.demo.apiKey!;
      expect(nodes.filter((n) => n !== creators[0]).map((n) => n.server.demo.apiKey)).toEqual([null, null]);
      for (const n of nodes) expect((await n.api('GET', '/v1/threads', undefined, {}, key)).status).toBe(200);
      const db = nodes[0]!.server.store.db;
      const migrations = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
      expect(migrations.rows.map((r) => r.name)).toEqual(Object.keys(await migrationProvider.getMigrations()).sort());
      expect(await db.selectFrom('apps').select('id').execute()).toEqual([{ id: 'demo' }]);
      expect(await db.selectFrom('webhooks').select('url').execute()).toEqual([{ url: 'http://127.0.0.1:9/hooks' }]);
      expect(key).not.toBe(API_KEY);
    } finally {
      for (const n of nodes.splice(0)) await n.close();
      await shared.drop();
    }
  });
});
