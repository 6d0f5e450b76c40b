import { afterEach, describe, expect, it } from 'vitest';
import { connect, newId, send, startServer, tempDir, testDatabase, type Harness } from '../test/harness.js';
import type { TestDatabase } from '../test/postgres.js';
import { openDatabase } from './open.js';

let h: Harness | undefined;
let database: TestDatabase | null = null;
afterEach(async () => {
  await h?.close();
  await database?.drop();
  h = undefined;
  database = null;
});

describe('createServer migrates whatever database it gets', () => {
  it('brings a database passed to it up to date and runs on it', async () => {
    database = await testDatabase();
    const db = await openDatabase({ databaseUrl: database?.url, dataDir: tempDir() });
    h = await startServer({}, { db });
    const v = await connect(h.url);
    const ack = await send(v, newId(), 'hello', { create: true });
    v.close();
    expect(ack).toMatchObject({ ok: true, message: { seq: 1 } });
  });

  it('numbers tracked events from 1, as numbers, on either engine', async () => {
    h = await startServer();
    const v = await connect(h.url);
    await h.server.store.insertEvent('demo', v.session.visitorId, 'viewed', { page: 1 });
    await h.server.store.insertEvent('demo', v.session.visitorId, 'viewed', { page: 2 });
    v.close();
    const events = await h.server.store.eventsOf(v.session.visitorId);
    expect(events.map((e) => [e.id, e.created_at > 0])).toEqual([
      [2, true],
      [1, true],
    ]);
  });
});
