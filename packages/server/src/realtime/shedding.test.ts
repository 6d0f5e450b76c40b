import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { poolBacklog } from '../db/postgres.js';
import { ConnectError, TEST_ENGINE, connect, eventually, newId, send, startServer, type Harness } from '../test/harness.js';
import { SHED_WAIT_MS } from '../shed.js';

let h: Harness;
beforeAll(async () => {
  h = await startServer();
});
afterAll(() => h.close());

describe('sends, syncs, handshakes and API requests while the database is behind', () => {
  it.runIf(TEST_ENGINE === 'sqlite')('has no queue to measure on SQLite', async () => {
    // SQLite runs each statement when asked, on the event loop: nothing waits for a connection.
    const v = await connect(h.url);
    const sends = Array.from({ length: 20 }, (_, i) => send(v, newId(), `message ${i}`, { create: true }));
    try {
      expect(poolBacklog(h.server.store.db)).toEqual({ waiting: 0, oldestMs: 0 });
    } finally {
      const acks = await Promise.allSettled(sends);
      v.close();
      expect(acks.filter((a) => a.status !== 'fulfilled' || !a.value.ok)).toEqual([]);
    }
  });

  it.runIf(TEST_ENGINE === 'postgres')('are refused with `unavailable` and when to try again while a statement has waited long for a connection, and taken once none waits', async () => {
    const v = await connect(h.url);
    const threadId = newId();
    expect(await send(v, threadId, 'before', { create: true })).toMatchObject({ ok: true });
    const { db } = h.server.store;

    // Every pooled connection held by a transaction that waits here, and a statement queued behind
    // them, waiting longer than the channel lets a send wait.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const holders = Array.from({ length: 10 }, () =>
      db.transaction().execute(async (trx) => {
        await trx.selectFrom('apps').select('id').execute();
        await held;
      }),
    );
    const queued = db.selectFrom('apps').select('id').execute();
    await eventually(() => poolBacklog(db).waiting >= 1);
    const payload = { threadId, clientId: newId(), text: 'while busy' };
    await eventually(() => poolBacklog(db).oldestMs > SHED_WAIT_MS, SHED_WAIT_MS * 3);

    const refused = await v.call('message.send', payload);
    expect(refused).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(refused.error.retryAfterMs).toBeGreaterThanOrEqual(1000);
    // So are a `sync`, a new connection's handshake and an API request (503 with Retry-After)
    // — all of them would queue statements — but not the API's description, which needs none.
    expect(await v.call('sync', { cursors: {} })).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    const handshake = await connect(h.url, { token: v.session.token }).catch((e: unknown) => e);
    expect(handshake).toBeInstanceOf(ConnectError);
    expect((handshake as ConnectError).data).toMatchObject({ code: 'unavailable' });
    expect((handshake as ConnectError).data!.retryAfterMs).toBeGreaterThanOrEqual(1000);
    const push = await h.api('POST', '/v1/proactive', { to: { visitorId: v.session.visitorId }, text: 'while busy' });
    expect(push.status).toBe(503);
    expect(push.body.error.code).toBe('unavailable');
    expect(Number(push.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await h.api('GET', '/v1/openapi.json')).status).toBe(200);

    release();
    await Promise.all([...holders, queued]);
    // Nothing of the refused send was stored: sent again with its clientId, it is new.
    expect(await v.call('message.send', payload)).toMatchObject({ ok: true, duplicate: false, message: { seq: 2, text: 'while busy' } });
    // Everything else is taken again too.
    expect(await v.call('sync', { cursors: {} })).toMatchObject({ ok: true });
    const again = await connect(h.url, { token: v.session.token });
    expect((await h.api('POST', '/v1/proactive', { to: { visitorId: v.session.visitorId }, text: 'after' })).status).toBe(202);
    again.close();
    v.close();
  });
});
