import { describe, expect, it } from 'vitest';
import { message, thread, visitor } from '../test/fixtures.js';
import { inboxReducer, initialInboxState, onlineVisitors, visibleThreads, type InboxAction, type InboxState } from './inbox-state.js';

const run = (...actions: InboxAction[]): InboxState => actions.reduce(inboxReducer, initialInboxState);

describe('inbox reducer', () => {
  it('appends a live message once, whatever the order of the echo and the HTTP answer', () => {
    const m2 = message(2, { clientId: 'c1', author: { kind: 'agent', name: 'Sam' } });
    const s = run(
      { type: 'threads.listed', items: [thread()], next: null, append: false },
      { type: 'messages.loaded', threadId: 't1', items: [message(1)], hasEarlier: false },
      { type: 'reply.sending', reply: { clientId: 'c1', threadId: 't1', text: 'x', attachments: [] } },
      { type: 'message.received', message: m2, thread: thread({ lastSeq: 2 }) },
      { type: 'message.received', message: m2 },
    );
    expect(s.messages.t1!.items.map((m) => m.seq)).toEqual([1, 2]);
    expect(s.pending).toEqual([]);
  });

  it('keeps a failed reply with its reason until it is retried or discarded', () => {
    const s = run(
      { type: 'reply.sending', reply: { clientId: 'c1', threadId: 't1', text: 'x', attachments: [] } },
      { type: 'reply.failed', clientId: 'c1', error: 'Cannot reach the server.' },
    );
    expect(s.pending[0]).toMatchObject({ status: 'failed', error: 'Cannot reach the server.' });
    expect(inboxReducer(s, { type: 'reply.discarded', clientId: 'c1' }).pending).toEqual([]);
  });

  it('clears unread marks when the brand reads up to the newest message', () => {
    const s = run({ type: 'thread.received', thread: thread({ lastSeq: 3, unread: 2 }) }, { type: 'read', event: { threadId: 't1', seq: 3, by: 'agent' } });
    expect(s.threads.t1).toMatchObject({ unread: 0, agentReadSeq: 3 });
  });

  it('moves the visitor read horizon forward only', () => {
    const s = run(
      { type: 'thread.received', thread: thread({ lastSeq: 3 }) },
      { type: 'read', event: { threadId: 't1', seq: 3, by: 'visitor' } },
      { type: 'thread.received', thread: thread({ lastSeq: 3, visitorReadSeq: 1 }) },
    );
    expect(s.threads.t1!.visitorReadSeq).toBe(3);
  });

  it('does not let an older thread snapshot overwrite a newer one', () => {
    const s = run({ type: 'thread.received', thread: thread({ lastSeq: 5, unread: 3 }) }, { type: 'thread.received', thread: thread({ lastSeq: 4, unread: 2 }) });
    expect(s.threads.t1).toMatchObject({ lastSeq: 5, unread: 3 });
  });

  it('lists threads by status, most recent first, and knows who is online', () => {
    const s = run(
      { type: 'threads.listed', items: [thread({ id: 'a', updatedAt: '2025-01-01T00:00:00Z' }), thread({ id: 'b', updatedAt: '2025-01-02T00:00:00Z' }), thread({ id: 'c', status: 'resolved' })], next: null, append: false },
      { type: 'visitor', visitor: visitor({ id: 'v2', online: true }) },
      { type: 'visitor', visitor: visitor({ id: 'v1', online: false }) },
    );
    expect(visibleThreads(s, 'open').map((t) => t.id)).toEqual(['b', 'a']);
    expect(visibleThreads(s, 'resolved').map((t) => t.id)).toEqual(['c']);
    expect(onlineVisitors(s).map((v) => v.id)).toEqual(['v2']);
  });

  it('ends the visitor typing mark when their message arrives', () => {
    const s = run({ type: 'typing', threadId: 't1', typing: true }, { type: 'message.received', message: message(2), thread: thread({ lastSeq: 2 }) });
    expect(s.typing.t1).toBe(false);
  });
});
