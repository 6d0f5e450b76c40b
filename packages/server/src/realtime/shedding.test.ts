import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { poolBacklog } from '../db/postgres.js';
import { TEST_ENGINE, connect, eventually, newId, send, startServer, type Harness } from '../test/harness.js';
import { SHED_BACKLOG } from './visitor-channel.js';

let h: Harness;
beforeAll(async () => {
  h = await startServer();
});
afterAll(() => h.close());

describe('sends while the database is behind', () => {
  it('has no queue to measure on SQLite', () => {
    // SQLite runs each statement when asked, on the event loop: nothing waits for a connection.
    if (TEST_ENGINE === 'sqlite') expect(poolBacklog(h.server.store.db)).toBe(0);
    else expect(poolBacklog(h.server.store.db)).toBeGreaterThanOrEqual(0);
  });

  it.runIf(TEST_ENGINE === 'postgres')('are refused with `unavailable` and when to try again while the pool’s queue is deep, and taken once it drains', async () => {
    const v = await connect(h.url);
    const threadId = newId();
    expect(await send(v, threadId, 'before', { create: true })).toMatchObject({ ok: true });
    const { db } = h.server.store;

    // Every pooled connection held by a transaction that waits here, and more statements queued
    // behind them than the channel lets grow.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const holders = Array.from({ length: 10 }, () => db.transaction().execute(async (trx) => {
      await trx.selectFrom('apps').select('id').execute();
      await held;
    }));
    const queued = Array.from({ length: SHED_BACKLOG + 1 }, () => db.selectFrom('apps').select('id').execute());
    await eventually(() => poolBacklog(db) > SHED_BACKLOG);

    const payload = { threadId, clientId: newId(), text: 'while busy' };
    const refused = await v.call('message.send', payload);
    expect(refused).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(refused.error.retryAfterMs).toBeGreaterThanOrEqual(1000);

    release();
    await Promise.all([...holders, ...queued]);
    // Nothing of the refused send was stored: sent again with its clientId, it is new.
    expect(await v.call('message.send', payload)).toMatchObject({ ok: true, duplicate: false, message: { seq: 2, text: 'while busy' } });
    v.close();
  });
});
