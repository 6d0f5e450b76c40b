import { describe, expect, it } from 'vitest';
import type { Message, Thread } from '@threadline/protocol';
import { reduce, mergeBySeq, contiguousFrom } from './reducer.js';
import { initialState, type OutboxEntry, type State } from './state.js';
import { SnapshotDeriver } from './snapshot.js';

const T = 'thread-1';
const msg = (seq: number, over: Partial<Message> = {}): Message => ({
  id: `m${seq}`, clientId: null, threadId: T, seq, author: { kind: 'agent' }, text: `#${seq}`, attachments: [], kind: 'text',
  createdAt: new Date(1000 * seq).toISOString(), ...over,
});
const thread = (over: Partial<Thread> = {}): Thread => ({
  id: T, status: 'open', lastSeq: 0, lastMessage: null, unread: 0, visitorReadSeq: 0, agentReadSeq: 0, campaign: null, rating: null,
  createdAt: new Date(0).toISOString(), updatedAt: new Date(0).toISOString(), ...over,
});
const entry = (clientId: string, over: Partial<OutboxEntry> = {}): OutboxEntry => ({
  clientId, threadId: T, create: false, text: 'hi', files: [], queuedAt: 0, attempts: 0, nextAttemptAt: 0, failed: false, error: null, ...over,
});
const run = (...actions: Parameters<typeof reduce>[1][]): State => actions.reduce(reduce, initialState);

describe('reducer', () => {
  it('merges messages by seq and drops duplicates', () => {
    const s = run({ type: 'messages', threadId: T, messages: [msg(2), msg(1)] }, { type: 'messages', threadId: T, messages: [msg(2), msg(3)] });
    expect(s.messages[T]!.map((m) => m.seq)).toEqual([1, 2, 3]);
  });

  it('returns the same array when nothing new arrives', () => {
    const a = [msg(1), msg(2)];
    expect(mergeBySeq(a, [msg(2)])).toBe(a);
  });

  it('keeps the held seq below a gap until the gap is filled', () => {
    let s = run({ type: 'threads', threads: [thread()] }, { type: 'messages', threadId: T, messages: [msg(1), msg(2)] });
    expect(s.threads[T]!.heldSeq).toBe(2);
    s = reduce(s, { type: 'messages', threadId: T, messages: [msg(4)] });
    expect(s.threads[T]!.heldSeq).toBe(2);
    s = reduce(s, { type: 'messages', threadId: T, messages: [msg(3)] });
    expect(s.threads[T]!.heldSeq).toBe(4);
    expect(contiguousFrom(0, [msg(1), msg(3)])).toBe(1);
  });

  it('starts the window of an unknown thread at its first message', () => {
    const s = run({ type: 'messages', threadId: T, messages: [msg(41), msg(42)] });
    expect(s.threads[T]!.heldSeq).toBe(42);
  });

  it('replaces the optimistic message with the acked one under the same key', () => {
    let s = run({ type: 'threads', threads: [thread()] }, { type: 'outboxPut', entry: entry('c1') });
    const d = new SnapshotDeriver();
    const before = d.derive(s).messages[T]!;
    expect(before).toMatchObject([{ key: 'c1', state: 'sending', seq: null }]);
    s = reduce(s, { type: 'acked', clientId: 'c1', message: msg(1, { clientId: 'c1', author: { kind: 'visitor' } }), thread: thread({ lastSeq: 1 }) });
    const after = d.derive(s).messages[T]!;
    expect(after).toMatchObject([{ key: 'c1', state: 'sent', seq: 1, own: true }]);
    expect(s.outbox).toEqual({});
  });

  it('settles an outbox entry when its echo arrives by clientId (not by text)', () => {
    let s = run({ type: 'outboxPut', entry: entry('c1', { text: 'ok' }) }, { type: 'outboxPut', entry: entry('c2', { text: 'ok' }) });
    s = reduce(s, { type: 'messages', threadId: T, messages: [msg(1, { clientId: 'c2', text: 'ok', author: { kind: 'visitor' } })] });
    expect(Object.keys(s.outbox)).toEqual(['c1']);
  });

  it('does not resurrect an entry whose message is already held', () => {
    let s = run({ type: 'messages', threadId: T, messages: [msg(1, { clientId: 'c1', author: { kind: 'visitor' } })] });
    s = reduce(s, { type: 'outboxPut', entry: entry('c1') });
    expect(s.outbox).toEqual({});
  });

  it('marks own messages read up to the agent read horizon', () => {
    let s = run(
      { type: 'threads', threads: [thread()] },
      { type: 'messages', threadId: T, messages: [msg(1, { author: { kind: 'visitor' } }), msg(2, { author: { kind: 'visitor' } })] },
      { type: 'read', event: { threadId: T, seq: 1, by: 'agent' } },
    );
    expect(new SnapshotDeriver().derive(s).messages[T]!.map((m) => m.state)).toEqual(['read', 'sent']);
    s = reduce(s, { type: 'read', event: { threadId: T, seq: 0, by: 'agent' } });
    expect(s.threads[T]!.thread.agentReadSeq).toBe(1);
  });

  it('counts unread brand messages and clears them on a visitor read', () => {
    let s = run({ type: 'threads', threads: [thread()] }, { type: 'messages', threadId: T, messages: [msg(1), msg(2, { author: { kind: 'visitor' } }), msg(3)] });
    expect(s.threads[T]!.thread.unread).toBe(2);
    s = reduce(s, { type: 'read', event: { threadId: T, seq: 1, by: 'visitor' } });
    expect(s.threads[T]!.thread.unread).toBe(1);
    s = reduce(s, { type: 'read', event: { threadId: T, seq: 3, by: 'visitor' } });
    expect(new SnapshotDeriver().derive(s).totalUnread).toBe(0);
  });

  it('ignores a stale thread copy that would move seq or horizons back', () => {
    let s = run({ type: 'threads', threads: [thread({ lastSeq: 5, agentReadSeq: 4, visitorReadSeq: 5, unread: 0 })] });
    s = reduce(s, { type: 'threads', threads: [thread({ lastSeq: 3, agentReadSeq: 2, visitorReadSeq: 1, unread: 2 })] });
    expect(s.threads[T]!.thread).toMatchObject({ lastSeq: 5, agentReadSeq: 4, visitorReadSeq: 5, unread: 0 });
  });

  it('takes who handles a thread from its thread.assigned event, and shows it in the thread view', () => {
    const assigned = (seq: number, to: object) =>
      msg(seq, { author: { kind: 'system' }, kind: 'event', meta: { event: 'thread.assigned', from: { kind: 'bot' }, to, by: { kind: 'visitor' }, reason: 'handoff_words' } });
    let s = run({ type: 'threads', threads: [thread({ lastSeq: 1, assignee: { kind: 'bot' } })] }, { type: 'messages', threadId: T, messages: [msg(1)] });
    s = reduce(s, { type: 'messages', threadId: T, messages: [msg(2, { author: { kind: 'visitor' }, text: 'human' }), assigned(3, { kind: 'queue' })] });
    expect(s.threads[T]!.thread.assignee).toEqual({ kind: 'queue' });
    s = reduce(s, { type: 'messages', threadId: T, messages: [assigned(4, { kind: 'agent', name: 'Maya' })] });
    expect(new SnapshotDeriver().derive(s).threads[0]!.assignee).toEqual({ kind: 'agent', name: 'Maya' });
    // A message that is no assignment (an old one replayed, or any other event) changes nothing.
    s = reduce(s, { type: 'messages', threadId: T, messages: [assigned(3, { kind: 'queue' }), msg(5, { author: { kind: 'system' }, kind: 'event', meta: { event: 'other' } })] });
    expect(s.threads[T]!.thread.assignee).toEqual({ kind: 'agent', name: 'Maya' });
  });

  it("takes the server's thread as the assignee, but never from a stale copy", () => {
    let s = run({ type: 'threads', threads: [thread({ lastSeq: 5, assignee: { kind: 'bot' } })] });
    s = reduce(s, { type: 'threads', threads: [thread({ lastSeq: 5, assignee: { kind: 'queue' } })] });
    expect(s.threads[T]!.thread.assignee).toEqual({ kind: 'queue' });
    s = reduce(s, { type: 'threads', threads: [thread({ lastSeq: 4, assignee: { kind: 'bot' } })] });
    expect(s.threads[T]!.thread.assignee).toEqual({ kind: 'queue' });
  });

  it('lists pending messages after sent ones, in queue order, and failed ones as failed', () => {
    const s = run(
      { type: 'messages', threadId: T, messages: [msg(1)] },
      { type: 'outboxPut', entry: entry('b') },
      { type: 'outboxPut', entry: entry('a', { failed: true, error: { code: 'bad_request', message: 'x' } }) },
    );
    expect(new SnapshotDeriver().derive(s).messages[T]!.map((m) => [m.key, m.state])).toEqual([['m1', 'sent'], ['a', 'failed'], ['b', 'sending']]);
  });

  it('keeps views of untouched threads identical between snapshots', () => {
    const d = new SnapshotDeriver();
    let s = run({ type: 'messages', threadId: T, messages: [msg(1)] }, { type: 'messages', threadId: 'other', messages: [msg(1, { threadId: 'other' })] });
    const first = d.derive(s);
    s = reduce(s, { type: 'messages', threadId: 'other', messages: [msg(2, { threadId: 'other' })] });
    const second = d.derive(s);
    expect(second.messages[T]).toBe(first.messages[T]);
    expect(second.messages.other).not.toBe(first.messages.other);
  });

  it('forgets everything on reset', () => {
    const s = run({ type: 'messages', threadId: T, messages: [msg(1)] }, { type: 'outboxPut', entry: entry('c') }, { type: 'reset' });
    expect([s.threads, s.messages, s.outbox]).toEqual([{}, {}, {}]);
  });
});
