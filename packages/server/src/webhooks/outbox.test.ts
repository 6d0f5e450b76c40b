import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlStore } from '../store/sql-store.js';
import { connect, newId, send, startServer, type Harness } from '../test/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startServer();
  // Nothing listens on the discard port: every delivery stays pending, to be read here.
  expect((await h.api('POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/hooks' })).status).toBe(201);
});
afterAll(() => h.close());

/** The deliveries written so far, as [type, data], in the order written (ids are UUIDv7, monotonic in a process). */
async function deliveries(): Promise<[string, any][]> {
  const rows = await h.server.store.db.selectFrom('webhook_deliveries').select('payload').orderBy('id').execute();
  return rows.map((r) => {
    const envelope = JSON.parse(r.payload) as { type: string; data: any };
    return [envelope.type, envelope.data];
  });
}

const boom = () => Promise.reject(new Error('outbox write failed'));

describe('the webhook outbox', () => {
  it('tells the brand about a prompt a device suppressed, once', async () => {
    const v = await connect(h.url);
    const pushed = await h.api('POST', '/v1/proactive', { to: { visitorId: v.session.visitorId }, text: 'capped here', campaign: 'c2' });
    await v.call('proactive.event', { id: pushed.body.proactive.id, event: 'suppressed' });
    await v.call('proactive.event', { id: pushed.body.proactive.id, event: 'suppressed' }); // reported again: nothing new
    v.close();
    const mine = (await deliveries()).filter(([, d]) => d.id === pushed.body.proactive.id);
    expect(mine.map(([type]) => type)).toEqual(['proactive.suppressed']);
  });

  it('holds every event once by the time the change is acknowledged', async () => {
    const v = await connect(h.url);
    const threadId = newId();
    await send(v, threadId, 'hello', { create: true });
    await h.api('POST', `/v1/threads/${threadId}/resolve`);
    await h.api('POST', `/v1/threads/${threadId}/resolve`); // no change, no event
    await send(v, threadId, 'one more thing'); // reopens it
    await h.api('POST', `/v1/threads/${threadId}/resolve`);
    await h.api('POST', `/v1/threads/${threadId}/reopen`);
    expect((await v.call('thread.rate', { threadId, score: 5, comment: 'great' })).ok).toBe(true);
    const pushed = await h.api('POST', '/v1/proactive', { to: { visitorId: v.session.visitorId }, text: 'psst', campaign: 'c1' });
    await v.call('proactive.event', { id: pushed.body.proactive.id, event: 'shown' });
    await v.call('proactive.event', { id: pushed.body.proactive.id, event: 'shown' }); // a second tab: nothing new
    await send(v, newId(), 'about that', { create: true, proactiveId: pushed.body.proactive.id });
    v.close();

    const mine = (await deliveries()).filter(([, d]) => (d.threadId ?? d.thread?.id ?? d.message?.threadId) === threadId || d.id === pushed.body.proactive.id);
    expect(mine.map(([type]) => type)).toEqual([
      'thread.created',
      'message.created',
      'thread.resolved',
      'message.created',
      'thread.reopened',
      'thread.resolved',
      'thread.reopened',
      'message.created',
      'rating.submitted',
      'proactive.shown',
      'proactive.replied',
    ]);
    // The rating's delivery sees the rating and its message, written in the same transaction.
    const [, rating] = mine.find(([type]) => type === 'rating.submitted')!;
    expect(rating).toMatchObject({ score: 5, comment: 'great', thread: { rating: { score: 5, comment: 'great' }, lastMessage: { kind: 'rating', text: 'great' } } });
    const [, replied] = mine.find(([type]) => type === 'proactive.replied')!;
    expect(replied).toMatchObject({ id: pushed.body.proactive.id, event: 'replied', campaign: 'c1', threadId: expect.any(String) });
  });

  it('rolls the change back when its delivery cannot be written', async () => {
    const v = await connect(h.url);
    const threadId = newId();
    await send(v, threadId, 'hello', { create: true });
    const p = { appId: 'demo', visitorId: v.session.visitorId, userId: null };
    const store = h.server.store;

    await expect(store.setStatus('demo', threadId, 'resolved', boom)).rejects.toThrow('outbox write failed');
    expect((await store.getThread(threadId))!.status).toBe('open');

    const rating = { appId: 'demo', threadId, principal: p, message: { clientId: 'rating:1', author: { kind: 'visitor' as const }, text: '', kind: 'rating' as const }, reopen: false };
    await expect(store.rate(rating, { score: 1, comment: null }, boom)).rejects.toThrow('outbox write failed');
    const after = (await store.getThread(threadId))!;
    expect([after.rating_score, after.last_seq]).toEqual([null, 1]);

    const failing = new SqlStore(store.db, { onAppend: boom });
    await expect(failing.append({ appId: 'demo', threadId, principal: p, message: { clientId: newId(), author: { kind: 'visitor' }, text: 'lost?', kind: 'text' }, reopen: true })).rejects.toThrow();
    expect((await store.getThread(threadId))!.last_seq).toBe(1);

    const pushed = await h.api('POST', '/v1/proactive', { to: { visitorId: v.session.visitorId }, text: 'psst' });
    await expect(store.markProactive(pushed.body.proactive.id, 'dismissed', undefined, boom)).rejects.toThrow('outbox write failed');
    expect((await store.getProactive(pushed.body.proactive.id))!.dismissed_at).toBeNull();
    v.close();
  });
});
