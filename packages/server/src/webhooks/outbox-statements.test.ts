import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ProactiveTable } from '../db/schema.js';
import { SqlStore, type AppendInput } from '../store/sql-store.js';
import { WebhookStore } from '../store/webhook-store.js';
import { connect, newId, send, startServer, type Harness } from '../test/harness.js';
import { Statements } from '../test/statements.js';
import { WebhookDispatcher } from './dispatcher.js';
import { Outbox } from './outbox.js';

let h: Harness;
let statements: Statements;
let store: SqlStore;
let outbox: Outbox;
let visitorId: string;

beforeAll(async () => {
  h = await startServer();
  // Nothing listens on the discard port: the deliveries stay pending, to be read here.
  expect((await h.api('POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/hooks', events: ['message.created'] })).status).toBe(201);
  statements = new Statements();
  const db = h.server.store.db.withPlugin(statements);
  // Never started: it only writes deliveries here.
  const dispatcher = new WebhookDispatcher(new WebhookStore(db), { baseMs: 50, maxAttempts: 5, timeoutMs: 2000, allowPrivate: true }, { warn() {} });
  outbox = new Outbox(dispatcher);
  store = new SqlStore(db, { onAppend: outbox.appended });
  const v = await connect(h.url);
  visitorId = v.session.visitorId;
  v.close();
});
afterAll(() => h.close());
beforeEach(() => {
  statements.sql.length = 0;
});

const principal = () => ({ appId: 'demo', visitorId, userId: null });

function firstMessage(threadId: string): AppendInput {
  return {
    appId: 'demo',
    threadId,
    principal: principal(),
    create: { visitorId, userId: null, campaign: null, prelude: [] },
    message: { clientId: newId(), author: { kind: 'visitor' }, text: 'hello', kind: 'text' },
    reopen: true,
  };
}

async function deliveriesOf(threadId: string): Promise<string[]> {
  const rows = await h.server.store.db.selectFrom('webhook_deliveries').select('payload').orderBy('id').execute();
  return rows.map((r) => JSON.parse(r.payload) as { type: string; data: { threadId?: string } }).filter((e) => e.data.threadId === threadId).map((e) => e.type);
}

describe('the webhook outbox inside a change’s transaction', () => {
  it('reads the app’s webhooks once for a thread’s first message, and builds no thread view no webhook subscribed to', async () => {
    const threadId = newId();
    await store.append(firstMessage(threadId));
    expect(statements.reads('webhooks')).toBe(1);
    // thread.created's payload (last message, unread count, visitor) is not built for nobody.
    expect(statements.reads('visitors')).toBe(0);
    expect(await deliveriesOf(threadId)).toEqual(['message.created']);
  });

  it('reads no thread view for a status change no webhook subscribed to', async () => {
    const threadId = newId();
    await store.append(firstMessage(threadId));
    statements.sql.length = 0;
    const res = await store.setStatus('demo', threadId, 'resolved', (trx, updated) => outbox.thread(trx, 'thread.resolved', updated, false));
    expect(res?.changed).toBe(true);
    expect(statements.reads('webhooks')).toBe(1);
    expect(statements.reads('visitors') + statements.reads('messages')).toBe(0);
  });

  it('reads a rated thread once, and appends to it as rated', async () => {
    const threadId = newId();
    const v = await connect(h.url);
    await send(v, threadId, 'hello', { create: true });
    v.close();
    statements.sql.length = 0;
    const p = { appId: 'demo', visitorId: v.session.visitorId, userId: null };
    const input = { appId: 'demo', threadId, principal: p, message: { clientId: newId(), author: { kind: 'visitor' as const }, text: 'great', kind: 'rating' as const, meta: { score: 5 } }, reopen: false };
    const result = await store.rate(input, { score: 5, comment: 'great' });
    expect(statements.reads('threads')).toBe(1);
    expect(result.thread).toMatchObject({ rating_score: 5, rating_comment: 'great', last_seq: 2 });
  });
});

describe('the statements of a send', () => {
  it('appends to an existing thread with three inside its transaction: the locked read with the clientId lookup, the seq, the insert', async () => {
    const plain = new SqlStore(h.server.store.db.withPlugin(statements));
    const threadId = newId();
    await plain.append(firstMessage(threadId));
    statements.sql.length = 0;
    const next = { ...firstMessage(threadId), create: undefined, message: { ...firstMessage(threadId).message, text: 'and again' } };
    const result = await plain.append(next);
    expect(result).toMatchObject({ duplicate: false, deliveries: 0, message: { seq: 2 } });
    expect(statements.sql.map((s) => s.split(' ')[0])).toEqual(['select', 'update', 'insert']);
    // Its repeat: the read finds the clientId, and the message is read whole; nothing is written.
    statements.sql.length = 0;
    expect(await plain.append(next)).toMatchObject({ duplicate: true, message: { id: result.message.id } });
    expect(statements.sql.map((s) => s.split(' ')[0])).toEqual(['select', 'select']);
  });

  it('reads the webhooks of an app without any once, not on each change, and again once one is registered', async () => {
    const appId = `quiet-${newId()}`;
    await h.server.store.createAppIfAbsent({ id: appId, name: 'Quiet shop', apiKey: `tl_${newId()}`, secret: newId(), allowedOrigins: [] });
    const db = h.server.store.db.withPlugin(statements);
    const dispatcher = new WebhookDispatcher(new WebhookStore(db), { baseMs: 50, maxAttempts: 5, timeoutMs: 2000, allowPrivate: true }, { warn() {} });
    const events = [{ event: 'message.created' as const, data: () => ({ text: 'hi' }) }];
    expect(await dispatcher.enqueueEach(appId, events)).toBe(0);
    expect(await dispatcher.enqueueEach(appId, events)).toBe(0);
    expect(statements.reads('webhooks')).toBe(1);
    await dispatcher.register(appId, 'http://127.0.0.1:9/hooks', ['message.created']);
    expect(await dispatcher.enqueueEach(appId, events)).toBe(1);
    expect(statements.reads('webhooks')).toBe(2);
  });
});

describe('the statements of a push', () => {
  it('stores a prompt after one read (repeat, a person talking, the day’s count), and a repeat after the same read', async () => {
    const plain = new SqlStore(h.server.store.db.withPlugin(statements));
    const v = await connect(h.url);
    v.close();
    const row = (key: string): ProactiveTable => ({
      id: newId(), app_id: 'demo', visitor_id: v.session.visitorId, user_id: null, text: 'Free shipping today', display: 'toast', campaign: null,
      author: JSON.stringify({ kind: 'bot' }), quick_replies: null, idempotency_key: key, expires_at: null, created_at: Date.now(),
      delivered_at: null, shown_at: null, opened_at: null, replied_at: null, dismissed_at: null, suppressed_at: null, thread_id: null,
    });
    statements.sql.length = 0;
    const key = newId();
    expect((await plain.insertProactive(row(key), 5)).duplicate).toBe(false);
    // The advisory lock (PostgreSQL) is not a table read.
    const kinds = () => statements.sql.filter((s) => !s.includes('pg_advisory_xact_lock')).map((s) => s.split(' ')[0]);
    expect(kinds()).toEqual(['select', 'insert']);
    statements.sql.length = 0;
    expect((await plain.insertProactive(row(key), 5)).duplicate).toBe(true);
    // The read finds the key; the insert does nothing and the stored prompt is read back.
    expect(kinds()).toEqual(['select', 'insert', 'select']);
  });
});
