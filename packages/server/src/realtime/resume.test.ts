import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, eventually, newId, send, startServer, type Harness } from '../test/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startServer();
});
afterAll(() => h.close());

describe('resume after absence', () => {
  it('delivers an agent reply sent while the visitor was disconnected exactly once on reconnect', async () => {
    const first = await connect(h.url);
    const threadId = newId();
    await send(first, threadId, 'are you there?', { create: true });
    first.close();

    const reply = await h.api('POST', `/v1/threads/${threadId}/messages`, { text: 'Yes! How can I help?', author: { kind: 'agent', name: 'Sam' } });
    expect(reply.status).toBe(201);

    const back = await connect(h.url, { token: first.session.token });
    const sync = await back.call('sync', { cursors: { [threadId]: 1 } });
    expect(sync.ok).toBe(true);
    expect(sync.messages.map((m: any) => [m.seq, m.text])).toEqual([[2, 'Yes! How can I help?']]);
    expect(sync.messages[0].author).toEqual({ kind: 'agent', name: 'Sam' });
    expect(sync.threads.find((t: any) => t.id === threadId)).toMatchObject({ unread: 1, lastSeq: 2 });
    // Nothing arrives twice: no live event for a message that was committed while away.
    expect(back.received.message ?? []).toHaveLength(0);
    const again = await back.call('sync', { cursors: { [threadId]: 2 } });
    expect(again.messages).toHaveLength(0);
    back.close();
  });

  it('pushes an agent reply live to every connected tab', async () => {
    const a = await connect(h.url);
    const threadId = newId();
    await send(a, threadId, 'hello', { create: true });
    const b = await connect(h.url, { token: a.session.token });
    const [ma, mb] = [a.next('message'), b.next('message')];
    await h.api('POST', `/v1/threads/${threadId}/messages`, { text: 'live reply' });
    expect((await ma).text).toBe('live reply');
    expect((await mb).text).toBe('live reply');
    a.close();
    b.close();
  });

  it('replays a long absence in pages with `more`, and sends only the newest page of unknown threads', async () => {
    const v = await connect(h.url);
    const known = newId();
    const unknown = newId();
    await send(v, known, 'k1', { create: true });
    await send(v, unknown, 'u1', { create: true });
    for (let i = 0; i < 45; i++) await h.api('POST', `/v1/threads/${unknown}/messages`, { text: `u-reply-${i}` });
    for (let i = 0; i < 25; i++) await h.api('POST', `/v1/threads/${known}/messages`, { text: `k-reply-${i}` });

    const page1 = await v.call('sync', { cursors: { [known]: 1 }, limit: 10 });
    expect(page1.more).toBe(true);
    expect(page1.messages.every((m: any) => m.threadId === known)).toBe(true);
    expect(page1.messages.map((m: any) => m.seq)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);

    let cursor = 11;
    let more = true;
    const seen: number[] = [];
    let unknownPage: any[] = [];
    while (more) {
      const page = await v.call('sync', { cursors: { [known]: cursor }, limit: 10 });
      const mine = page.messages.filter((m: any) => m.threadId === known);
      seen.push(...mine.map((m: any) => m.seq));
      if (mine.length) cursor = mine[mine.length - 1].seq;
      unknownPage = unknownPage.length ? unknownPage : page.messages.filter((m: any) => m.threadId === unknown);
      more = page.more;
    }
    expect(seen).toEqual(Array.from({ length: 15 }, (_, i) => i + 12));
    // The unknown thread came as its newest page only (46 messages exist).
    expect(unknownPage.length).toBeGreaterThan(0);
    expect(unknownPage.length).toBeLessThanOrEqual(30);
    expect(unknownPage[unknownPage.length - 1].seq).toBe(46);
    v.close();
  });

  it('keeps threads and messages through a server restart', async () => {
    const v = await connect(h.url);
    const threadId = newId();
    await send(v, threadId, 'before restart', { create: true });
    await h.api('POST', `/v1/threads/${threadId}/messages`, { text: 'agent before restart' });
    v.close();
    await h.restart();
    const back = await connect(h.url, { token: v.session.token });
    expect(back.session.visitorId).toBe(v.session.visitorId);
    const sync = await back.call('sync', { cursors: {} });
    const thread = sync.threads.find((t: any) => t.id === threadId);
    expect(thread).toMatchObject({ lastSeq: 2, lastMessage: { text: 'agent before restart' } });
    expect(sync.messages.filter((m: any) => m.threadId === threadId).map((m: any) => m.text)).toEqual(['before restart', 'agent before restart']);
    const next = await send(back, threadId, 'after restart');
    expect(next.message.seq).toBe(3);
    back.close();
  });

  it('disconnects sockets on shutdown and lets them reconnect to the restarted server', async () => {
    const v = await connect(h.url);
    const disconnected = new Promise<void>((r) => v.socket.once('disconnect', () => r()));
    await h.restart();
    await disconnected;
    await eventually(async () => (await fetch(`${h.url}/health`)).ok);
    const back = await connect(h.url, { token: v.session.token });
    expect(back.session.visitorId).toBe(v.session.visitorId);
    back.close();
  });
});
