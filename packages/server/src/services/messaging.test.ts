import { io as ioClient } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '@threadline/protocol';
import type { AppendInput, SqlStore } from '../store/sql-store.js';
import { connect, eventually, newId, send, startServer, type Harness } from '../test/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startServer();
});
afterAll(() => h.close());

describe('a thread’s views after a send', () => {
  it('reads the newest message and both sides’ unread counts in one statement, as the per-side reads count them', async () => {
    const v = await connect(h.url);
    const threadId = newId();
    await send(v, threadId, 'one', { create: true });
    await send(v, threadId, 'two');
    for (const text of ['reply a', 'reply b', 'reply c']) {
      expect((await h.api('POST', `/v1/threads/${threadId}/messages`, { text })).status).toBe(201);
    }
    await send(v, threadId, 'three');
    // The visitor read up to the first reply, the agent up to the visitor's second message.
    await v.call('thread.read', { threadId, seq: 3 });
    await h.server.store.setReadSeq(threadId, 'agent', 2);
    v.close();

    const { store } = h.server;
    const row = (await store.getThread(threadId))!;
    const summary = await store.threadSummary(threadId);
    const [last, visitorUnread, agentUnread] = await Promise.all([store.lastMessages([row]), store.unreadCounts([row], 'visitor'), store.unreadCounts([row], 'agent')]);
    expect(summary.last).toEqual(last.get(threadId));
    expect(summary.last).toMatchObject({ seq: 6, text: 'three' });
    // Brand messages past seq 3: replies b and c. Visitor messages past seq 2: "three".
    expect(summary.unread).toEqual({ visitor: 2, agent: 1 });
    expect(summary.unread).toEqual({ visitor: visitorUnread.get(threadId), agent: agentUnread.get(threadId) });
  });

  it('has no newest message and nothing unread for a thread that does not exist', async () => {
    expect(await h.server.store.threadSummary(newId())).toEqual({ last: undefined, unread: { visitor: 0, agent: 0 } });
  });

  it('answers a send with its thread as the visitor sees it, the inbox hearing its own unread count', async () => {
    const v = await connect(h.url);
    const threadId = newId();
    await send(v, threadId, 'first', { create: true });
    expect((await h.api('POST', `/v1/threads/${threadId}/messages`, { text: 'a reply' })).status).toBe(201);
    const ack = await send(v, threadId, 'second');
    expect(ack.thread).toMatchObject({ id: threadId, lastSeq: 3, unread: 1, lastMessage: { seq: 3, text: 'second' } });
    const inbox = await h.api('GET', `/v1/threads/${threadId}`);
    expect(inbox.body).toMatchObject({ lastSeq: 3, unread: 2, lastMessage: { seq: 3 } });
    v.close();
  });
});

/** Every `append` the store is asked for waits until `open()`; `clientIds` lists them as they come. */
function gateAppends(store: SqlStore) {
  const original = store.append;
  const clientIds: (string | null)[] = [];
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  store.append = async (input: AppendInput, ...rest) => {
    clientIds.push(input.message.clientId);
    await gate;
    return original.call(store, input, ...rest);
  };
  return {
    clientIds,
    open,
    restore: () => {
      store.append = original;
    },
  };
}

describe('a send repeated while the first is still in progress', () => {
  it('waits for the first instead of taking a transaction of its own, and answers the same message as a duplicate', async () => {
    const v = await connect(h.url);
    const threadId = newId();
    await send(v, threadId, 'start', { create: true });
    const gate = gateAppends(h.server.store);
    try {
      const payload = { threadId, clientId: newId(), text: 'late ack' };
      const first = v.call('message.send', payload);
      await eventually(() => gate.clientIds.length === 1);
      // Two repeats (a widget whose ack timed out), then another message as a marker: the socket
      // handles its events in order, so once the marker's append is asked for, the repeats
      // would have asked for theirs.
      const repeats = [v.call('message.send', payload), v.call('message.send', payload)];
      const marker = { threadId, clientId: newId(), text: 'next' };
      const next = v.call('message.send', marker);
      await eventually(() => gate.clientIds.includes(marker.clientId));
      expect(gate.clientIds).toEqual([payload.clientId, marker.clientId]);
      gate.open();

      // The first and the marker append side by side: either may take seq 2.
      const [a, b, c] = await Promise.all([first, ...repeats]);
      expect(a).toMatchObject({ ok: true, duplicate: false, message: { clientId: payload.clientId } });
      for (const repeat of [b, c]) expect(repeat).toMatchObject({ ok: true, duplicate: true, message: { id: a.message.id, seq: a.message.seq } });
      const n = await next;
      expect(n).toMatchObject({ ok: true, duplicate: false, message: { clientId: marker.clientId } });
      expect([a.message.seq, n.message.seq].sort()).toEqual([2, 3]);
    } finally {
      gate.restore();
    }
    // The repeats announced nothing: the visitor's tabs heard each message once.
    await eventually(() => (v.received.message ?? []).length >= 3);
    expect((v.received.message ?? []).map((m) => m.seq).sort()).toEqual([1, 2, 3]);
    v.close();
  });

  it('is not taken for the first when its text differs: the store answers `conflict`', async () => {
    const v = await connect(h.url);
    const threadId = newId();
    await send(v, threadId, 'start', { create: true });
    const gate = gateAppends(h.server.store);
    try {
      const clientId = newId();
      const first = v.call('message.send', { threadId, clientId, text: 'one text' });
      await eventually(() => gate.clientIds.length === 1);
      const other = v.call('message.send', { threadId, clientId, text: 'another text' });
      await eventually(() => gate.clientIds.length === 2);
      gate.open();
      // Both reach the store, side by side: whichever appends first is stored, the other is refused.
      const acks = await Promise.all([first, other]);
      expect(acks.filter((a) => a.ok && !a.duplicate)).toHaveLength(1);
      expect(acks.filter((a) => !a.ok).map((a) => a.error.code)).toEqual(['conflict']);
    } finally {
      gate.restore();
    }
    v.close();
  });

  it('still races safely in the store: two appends of one clientId at once store one row', async () => {
    // Repeats on one node wait for the first in memory; across nodes (or tabs of a user) they meet
    // at the thread's lock, which is what this exercises.
    const v = await connect(h.url);
    const threadId = newId();
    await send(v, threadId, 'start', { create: true });
    v.close();
    const input: AppendInput = {
      appId: 'demo',
      threadId,
      principal: { appId: 'demo', visitorId: v.session.visitorId, userId: null },
      message: { clientId: newId(), author: { kind: 'visitor' }, text: 'raced', kind: 'text' },
      reopen: true,
    };
    const results = await Promise.all([1, 2, 3].map(() => h.server.store.append(input)));
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(new Set(results.map((r) => r.message.id)).size).toBe(1);
    const rows = await h.server.store.messagesAfter(threadId, 0, 10);
    expect(rows.map((r) => r.seq)).toEqual([1, 2]);
  });
});

describe('a connection’s device', () => {
  /** Connects with this User-Agent (and the token of an earlier connection); resolves with the session. */
  function connectFrom(userAgent: string, token?: string) {
    const socket = ioClient(h.url, {
      auth: { appId: 'demo', v: PROTOCOL_VERSION, ...(token ? { token } : {}) },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      extraHeaders: { 'user-agent': userAgent },
    });
    return new Promise<{ socket: typeof socket; visitorId: string; token: string }>((resolve, reject) => {
      socket.once('connect_error', reject);
      socket.once('session', (s: { visitorId: string; token: string }) => resolve({ socket, visitorId: s.visitorId, token: s.token }));
    });
  }
  const contextOf = async (visitorId: string) => {
    const row = (await h.server.store.getVisitor(visitorId))!;
    return { context: JSON.parse(row.context), lastSeenAt: row.last_seen_at };
  };

  it('is in a new visitor’s context; a reconnect from it keeps the context, one from another device replaces the device', async () => {
    const first = await connectFrom('Browser A');
    expect((await first.socket.emitWithAck('context.update', { page: { url: 'https://shop.example/cart' } })).ok).toBe(true);
    const created = await contextOf(first.visitorId);
    expect(created.context).toEqual({ device: { userAgent: 'Browser A' }, page: { url: 'https://shop.example/cart' } });
    first.socket.close();

    // The session is sent once the connection's bookkeeping is done.
    const again = await connectFrom('Browser A', first.token);
    expect(again.visitorId).toBe(first.visitorId);
    const seen = await contextOf(first.visitorId);
    expect(seen.context).toEqual(created.context);
    expect(seen.lastSeenAt).toBeGreaterThanOrEqual(created.lastSeenAt!);
    again.socket.close();

    const other = await connectFrom('Browser B', first.token);
    expect(other.visitorId).toBe(first.visitorId);
    expect((await contextOf(first.visitorId)).context).toEqual({ device: { userAgent: 'Browser B' }, page: { url: 'https://shop.example/cart' } });
    other.socket.close();
  });
});
