import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userHashOf } from '../auth/identity.js';
import { SECRET, TEST_ENGINE, connect, newId, startServer, type Harness, type Visitor } from '../test/harness.js';
import { Statements } from '../test/statements.js';
import type { ProactiveTable } from '../db/schema.js';
import { SqlStore, type AppendInput } from './sql-store.js';

// Writes that race: on SQLite they are serialised anyway; on PostgreSQL (the `server-postgres`
// run of this file) they run side by side and only SqlStore's locks and ON CONFLICT keep them right.
let h: Harness;
beforeAll(async () => {
  h = await startServer();
});
afterAll(() => h.close());

/**
 * Sends until the server answers other than `unavailable`: a node whose pool is backed up sheds
 * sends (on a busy machine, with 50 clients on one thread), and the widget sends them again with
 * the same clientId after `retryAfterMs`, as here.
 */
async function answered(v: Visitor, payload: object): Promise<any> {
  for (;;) {
    const ack = await v.call('message.send', payload as any);
    if (ack.ok || ack.error.code !== 'unavailable') return ack;
    await new Promise((r) => setTimeout(r, ack.error.retryAfterMs));
  }
}

const CLIENTS = 50;
const MESSAGES_PER_CLIENT = 4;

describe('concurrent writes', () => {
  it('stores one row per clientId with seqs 1..N and no gap when 50 clients send to one thread at once, every send retried', async () => {
    // One identified user on 50 devices: every connection may write to the user's thread.
    const userId = `user-${newId()}`;
    const clients: Visitor[] = await Promise.all(Array.from({ length: CLIENTS }, () => connect(h.url, { userId, userHash: userHashOf(SECRET, userId) })));
    const threadId = newId();
    const acks = new Map<string, any[]>();

    await Promise.all(
      clients.map(async (v, c) => {
        for (let i = 0; i < MESSAGES_PER_CLIENT; i++) {
          // Every client's first send creates the thread: 50 creations of one thread race.
          const payload = { threadId, clientId: newId(), text: `client ${c} message ${i}`, create: true };
          // The retry races its original (a resend after a timeout whose ack was only late)…
          const racing = await Promise.all([answered(v, payload), answered(v, payload)]);
          // …and one more comes after both answered (a resend after a reconnect).
          acks.set(payload.clientId, [...racing, await answered(v, payload)]);
        }
      }),
    );
    for (const v of clients) v.close();

    const total = CLIENTS * MESSAGES_PER_CLIENT;
    const all = [...acks.values()].flat();
    expect(all.filter((a) => !a.ok)).toEqual([]); // no `internal`, no `conflict`
    for (const [clientId, answers] of acks) {
      // One send stored the message; each other answered `duplicate` with that same message.
      expect(answers.filter((a) => !a.duplicate)).toHaveLength(1);
      expect(new Set(answers.map((a) => `${a.message.id}@${a.message.seq}`)).size, clientId).toBe(1);
    }

    const rows = await h.server.store.db.selectFrom('messages').select(['client_id', 'seq']).where('thread_id', '=', threadId).orderBy('seq').execute();
    expect(rows).toHaveLength(total);
    expect(new Set(rows.map((r) => r.client_id)).size).toBe(total);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    const thread = await h.server.store.getThread(threadId);
    expect(thread).toMatchObject({ last_seq: total, user_id: userId });
  });

  it('stores one message, without a gap in the seqs, when twenty appends of one clientId reach the store at once', async () => {
    // Straight to the store, as sends of one clientId through different nodes would: on PostgreSQL
    // all but one wait for the thread's lock, and those that read the thread before the first
    // committed start over (their insert finds the clientId taken) and answer `duplicate`.
    const v = await connect(h.url);
    const threadId = newId();
    await v.call('message.send', { threadId, clientId: newId(), text: 'hello', create: true });
    const principal = { appId: 'demo', visitorId: v.session.visitorId, userId: null };
    v.close();
    const input = { appId: 'demo', threadId, principal, message: { clientId: newId(), author: { kind: 'visitor' as const }, text: 'once', kind: 'text' as const }, reopen: true };
    const results = await Promise.all(Array.from({ length: 20 }, () => h.server.store.append(input)));
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(new Set(results.map((r) => `${r.message.id}@${r.message.seq}`))).toEqual(new Set([`${results[0]!.message.id}@2`]));
    // A different body under that clientId is refused, and takes no seq either.
    await expect(h.server.store.append({ ...input, message: { ...input.message, text: 'other' } })).rejects.toMatchObject({ code: 'conflict' });
    const next = await h.server.store.append({ ...input, message: { ...input.message, clientId: newId(), text: 'next' } });
    expect(next.message.seq).toBe(3);
    expect((await h.server.store.getThread(threadId))!.last_seq).toBe(3);
  });

  it('appends a visitor’s message to an existing thread of an app without webhooks in one statement on PostgreSQL, with what the transaction gives', async () => {
    const statements = new Statements();
    const db = h.server.store.db.withPlugin(statements);
    const oneTrip = new SqlStore(db, { quietAppend: () => true });
    const transaction = new SqlStore(db);
    // Two threads alike: a visitor's message, the brand's answer; then one more visitor message each.
    const v = await connect(h.url);
    const principal = { appId: 'demo', visitorId: v.session.visitorId, userId: null };
    const threads = [newId(), newId()];
    for (const threadId of threads) {
      await v.call('message.send', { threadId, clientId: newId(), text: 'hello', create: true });
      expect((await h.api('POST', `/v1/threads/${threadId}/messages`, { text: 'Hi! Which size?' })).status).toBe(201);
    }
    v.close();
    const input = (threadId: string): AppendInput => ({
      appId: 'demo',
      threadId,
      principal,
      message: { clientId: newId(), author: { kind: 'visitor' }, text: 'Size M', kind: 'text', meta: { quickReply: 'm' }, bodyExtra: ['m', null] },
      reopen: true,
    });
    statements.sql.length = 0;
    const fast = await oneTrip.append(input(threads[0]!));
    const trips = statements.sql.splice(0);
    const slow = await transaction.append(input(threads[1]!));
    if (TEST_ENGINE === 'postgres') expect(trips).toEqual([expect.stringContaining('threadline_append_visitors(')]);
    else expect(trips.length).toBeGreaterThan(2); // SQLite: the transaction (no round trips there)
    expect(statements.sql.length).toBeGreaterThan(2);
    const same = (r: typeof fast) => ({
      result: { duplicate: r.duplicate, created: r.created, reopened: r.reopened, deliveries: r.deliveries, prelude: r.prelude, after: r.after, unread: r.summary?.unread, visitor: r.summary?.visitor?.id },
      message: { ...r.message, id: 'id', thread_id: 'thread', client_id: 'client', body_hash: 'hash', created_at: 0 },
      thread: { ...r.thread, id: 'thread', created_at: 0, updated_at: 0, assigned_at: 0 },
    });
    expect(same(fast)).toEqual(same(slow));
    expect(fast.message.seq).toBe(3);
    expect(fast.summary?.unread).toEqual({ visitor: 1, agent: 2 });
    // What was stored is what it answered.
    const stored = await h.server.store.db.selectFrom('messages').selectAll().where('id', '=', fast.message.id).executeTakeFirstOrThrow();
    expect(stored).toEqual(fast.message);
    expect((await h.server.store.getThread(threads[0]!))).toEqual(fast.thread);
  });

  it('creates a thread with its first message in one statement on PostgreSQL, as the transaction creates it', async () => {
    const statements = new Statements();
    const db = h.server.store.db.withPlugin(statements);
    const oneTrip = new SqlStore(db, { quietAppend: () => true });
    const transaction = new SqlStore(db);
    const v = await connect(h.url);
    v.close();
    const principal = { appId: 'demo', visitorId: v.session.visitorId, userId: null };
    const input = (threadId: string): AppendInput => ({
      appId: 'demo',
      threadId,
      principal,
      create: { visitorId: principal.visitorId, userId: null, campaign: null },
      message: { clientId: newId(), author: { kind: 'visitor' }, text: 'Do you ship to Oslo?', kind: 'text' },
      reopen: true,
      bot: { enabled: false, handoffWords: [] },
    });
    statements.sql.length = 0;
    const fast = await oneTrip.append(input(newId()));
    const trips = statements.sql.splice(0);
    const slow = await transaction.append(input(newId()));
    if (TEST_ENGINE === 'postgres') expect(trips).toEqual([expect.stringContaining('threadline_append_visitors(')]);
    const same = (r: typeof fast) => ({
      result: { duplicate: r.duplicate, created: r.created, reopened: r.reopened, deliveries: r.deliveries, prelude: r.prelude, after: r.after, unread: r.summary?.unread },
      message: { ...r.message, id: 'id', thread_id: 'thread', client_id: 'client', body_hash: 'hash', created_at: 0 },
      thread: { ...r.thread, id: 'thread', created_at: 0, updated_at: 0, assigned_at: 0 },
    });
    expect(same(fast)).toEqual(same(slow));
    expect(fast).toMatchObject({ created: true, message: { seq: 1 }, thread: { last_seq: 1, assignee_kind: 'queue', visitor_id: principal.visitorId } });
    // The new thread's visitor comes back with it, for the inbox's view (no read after the commit).
    if (TEST_ENGINE === 'postgres') expect(fast.summary?.visitor?.id).toBe(principal.visitorId);
    expect(await h.server.store.getThread(fast.thread.id)).toEqual(fast.thread);
    // With the app's bot on, the thread is the bot's: the general path creates it.
    statements.sql.length = 0;
    const bot = await oneTrip.append({ ...input(newId()), bot: { enabled: true, handoffWords: [] } });
    expect(bot.thread.assignee_kind).toBe('bot');
    expect(statements.sql.filter((q) => q.includes('threadline_append_visitors('))).toEqual([]);
    expect(statements.sql.filter((q) => q.startsWith('insert into "threads"'))).toHaveLength(1);
  });

  it('appends sends that reach the store together in fewer statements on PostgreSQL, each answered as if alone', async () => {
    const statements = new Statements();
    const db = h.server.store.db.withPlugin(statements);
    const grouped = new SqlStore(db, { quietAppend: () => true });
    const visitors = await Promise.all(Array.from({ length: 6 }, () => connect(h.url)));
    for (const v of visitors) v.close();
    const principals = visitors.map((v) => ({ appId: 'demo', visitorId: v.session.visitorId, userId: null }));
    const threads = principals.map(() => newId());
    const send = (k: number, extra: Partial<AppendInput> = {}, clientId = newId()): AppendInput => ({
      appId: 'demo',
      threadId: threads[k]!,
      principal: principals[k]!,
      create: { visitorId: principals[k]!.visitorId, userId: null, campaign: null },
      message: { clientId, author: { kind: 'visitor' }, text: `from ${k}`, kind: 'text' },
      reopen: true,
      ...extra,
    });
    // Thirty sends at once: six new threads, then more in each, a repeat of a stored clientId,
    // and a send to another visitor's thread.
    const first = await Promise.all(threads.map((_, k) => grouped.append(send(k))));
    expect(first.map((r) => [r.created, r.message.seq])).toEqual(threads.map(() => [true, 1]));
    statements.sql.length = 0;
    const inputs = [...Array.from({ length: 24 }, (_, n) => send(n % 6)), send(0, {}, first[0]!.message.client_id!), send(1, { principal: principals[2]! })];
    const settled = await Promise.allSettled(inputs.map((i) => grouped.append(i)));
    const groups = statements.sql.filter((q) => q.includes('threadline_append_visitors(')).length;
    if (TEST_ENGINE === 'postgres') expect(groups).toBeLessThan(24);
    const ok = settled.slice(0, 24).map((r) => (r.status === 'fulfilled' ? r.value : null));
    expect(ok.every((r) => r && !r.duplicate && !r.created)).toBe(true);
    // Each thread's seqs 2..5, in the order sent.
    for (let k = 0; k < 6; k++) expect(ok.filter((r) => r!.thread.id === threads[k]).map((r) => r!.message.seq)).toEqual([2, 3, 4, 5]);
    expect(settled[24]).toMatchObject({ status: 'fulfilled', value: { duplicate: true, message: { id: first[0]!.message.id, seq: 1 } } });
    expect(settled[25]).toMatchObject({ status: 'rejected', reason: { code: 'not_found' } });
    for (let k = 0; k < 6; k++) expect((await h.server.store.getThread(threads[k]!))!.last_seq).toBe(5);
  });

  it('stores a push to a visitor in one statement on PostgreSQL, with the general path’s checks and answers', async () => {
    const statements = new Statements();
    const store = new SqlStore(h.server.store.db.withPlugin(statements));
    const v = await connect(h.url);
    v.close();
    const row = (extra: Partial<ProactiveTable> = {}): ProactiveTable => ({
      id: newId(), app_id: 'demo', visitor_id: v.session.visitorId, user_id: null, text: 'Free shipping today', display: 'toast', campaign: null,
      author: JSON.stringify({ kind: 'bot' }), quick_replies: null, blocks: null, idempotency_key: null, expires_at: null, created_at: Date.now(),
      delivered_at: null, shown_at: null, opened_at: null, replied_at: null, dismissed_at: null, suppressed_at: null, thread_id: null, ...extra,
    });
    const first = row({ idempotency_key: newId() });
    const stored = await store.pushToVisitor(first, 2);
    if (TEST_ENGINE !== 'postgres') {
      expect(stored).toBeNull(); // SQLite: the general path
      return;
    }
    expect(statements.sql).toEqual([expect.stringContaining('threadline_push_visitor(')]);
    expect(stored).toEqual({ row: first, duplicate: false });
    expect(await h.server.store.getProactive(first.id)).toEqual(first);
    // The key again: the stored prompt; with other content: a conflict.
    expect(await store.pushToVisitor({ ...first, id: newId() }, 2)).toEqual({ row: first, duplicate: true });
    await expect(store.pushToVisitor({ ...first, id: newId(), text: 'other' }, 2)).rejects.toMatchObject({ code: 'conflict' });
    expect(await store.pushToVisitor(row(), 2)).toMatchObject({ duplicate: false });
    await expect(store.pushToVisitor(row(), 2)).rejects.toMatchObject({ code: 'prompt_capped', retryAfterMs: expect.any(Number) });
    await expect(store.pushToVisitor(row({ visitor_id: newId() }), 2)).rejects.toMatchObject({ code: 'not_found' });
    await expect(store.pushToVisitor(row({ app_id: 'other-app' }), 2)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('reads what a visitor’s sync needs in one statement on PostgreSQL, as the separate reads give it, and marks its prompts delivered', async () => {
    const statements = new Statements();
    const store = new SqlStore(h.server.store.db.withPlugin(statements));
    const v = await connect(h.url);
    const threads = [newId(), newId()];
    for (const threadId of threads) await v.call('message.send', { threadId, clientId: newId(), text: 'hello', create: true });
    v.close();
    await new Promise((r) => setTimeout(r, 50)); // the socket's close has landed: the prompt waits for the next sync
    // Before the brand's answer: no prompt while a person is in the conversation.
    expect((await h.api('POST', '/v1/proactive', { to: { visitorId: v.session.visitorId }, text: 'Free shipping today' })).status).toBe(202);
    expect((await h.api('POST', `/v1/threads/${threads[0]}/messages`, { text: 'Hi! Which size?' })).status).toBe(201);
    const p = { appId: 'demo', visitorId: v.session.visitorId, userId: null };
    const apart = { rows: await store.threadsOf(p, { limit: 200 }), pending: await store.pendingProactive(p) };
    const last = await store.lastMessages(apart.rows);
    const unread = await store.unreadCounts(apart.rows, 'visitor');
    statements.sql.length = 0;
    const snapshot = await store.syncSnapshot(p, 200);
    if (TEST_ENGINE !== 'postgres') {
      expect(snapshot).toBeNull(); // SQLite: read apart
      return;
    }
    // One statement: the plugin also sees the two queries written into it (threads, prompts), apart.
    expect(statements.sql.filter((q) => q.includes('with pending'))).toHaveLength(1);
    expect(statements.sql.filter((q) => !q.includes('with pending')).map((q) => q.split(' where')[0])).toEqual(['select * from "proactive"', 'select * from "threads"']);
    expect(snapshot!.threads).toEqual(apart.rows.map((row) => ({ row, last: last.get(row.id), unread: unread.get(row.id) ?? 0 })));
    expect(snapshot!.threads.map((t) => t.row.id)).toEqual([threads[0], threads[1]]); // most recently active first
    expect(snapshot!.threads[0]!.unread).toBe(1);
    expect(snapshot!.pending).toEqual(apart.pending);
    expect(snapshot!.pending).toHaveLength(1);
    // Delivered from now on: marked by the same statement.
    expect((await h.server.store.getProactive(snapshot!.pending[0]!.id))!.delivered_at).not.toBeNull();
    // A visitor with nothing: empty lists, not null.
    expect(await store.syncSnapshot({ ...p, visitorId: newId() }, 200)).toEqual({ threads: [], pending: [] });
  });

  it('answers every one of ten brand replies sent at once with one Idempotency-Key with the same message', async () => {
    const v = await connect(h.url);
    const threadId = newId();
    await v.call('message.send', { threadId, clientId: newId(), text: 'hello', create: true });
    v.close();
    const key = newId();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => h.api('POST', `/v1/threads/${threadId}/messages`, { text: 'On its way!' }, { 'idempotency-key': key })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(answers.map((a) => a.body.message.id)).size).toBe(1);
    expect(answers[0]!.body.message.seq).toBe(2);
  });

  it('stores a prompt pushed ten times at once with one Idempotency-Key once', async () => {
    const v = await connect(h.url);
    const key = newId();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => h.api('POST', '/v1/proactive', { to: { visitorId: v.session.visitorId }, text: 'Free shipping today' }, { 'idempotency-key': key })),
    );
    v.close();
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(202));
    expect(answers.filter((a) => !a.body.duplicate)).toHaveLength(1);
    expect(new Set(answers.map((a) => a.body.proactive.id)).size).toBe(1);
    const rows = await h.server.store.db.selectFrom('proactive').select('id').where('visitor_id', '=', v.session.visitorId).execute();
    expect(rows).toHaveLength(1);
  });

  it('keeps every attribute when twenty tabs of one visitor update its context at once', async () => {
    const first = await connect(h.url);
    const tabs = [first, ...(await Promise.all(Array.from({ length: 19 }, () => connect(h.url, { token: first.session.token }))))];
    await Promise.all(tabs.map((t, i) => t.call('context.update', { attributes: { [`tab${i}`]: i } })));
    for (const t of tabs) t.close();
    const visitor = await h.server.store.getVisitor(first.session.visitorId);
    const attributes = JSON.parse(visitor!.context).attributes;
    expect(attributes).toEqual(Object.fromEntries(tabs.map((_, i) => [`tab${i}`, i])));
  });
});
