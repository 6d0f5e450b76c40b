/**
 * Derives the public `Snapshot` from `State`. Per-thread message views are cached by the
 * identity of their inputs, so a change in one thread does not rebuild the others' arrays (UIs
 * comparing by reference re-render only what changed).
 */
import type { Message } from '@threadline/protocol';
import type { MessageView, Snapshot, ThreadView } from '../types.js';
import type { OutboxEntry, State, ThreadEntry } from './state.js';

export function messageView(m: Message, agentReadSeq: number): MessageView {
  const own = m.author.kind === 'visitor';
  // The message's own fields as they are (the server's `Message`), then the view's.
  return {
    ...m,
    key: m.clientId ?? m.id,
    pendingFiles: [],
    state: own && m.seq <= agentReadSeq ? 'read' : 'sent',
    error: null,
    own,
  };
}

export function pendingView(e: OutboxEntry): MessageView {
  return {
    key: e.clientId,
    id: null,
    clientId: e.clientId,
    threadId: e.threadId,
    seq: null,
    author: { kind: 'visitor' },
    text: e.text,
    attachments: e.files.flatMap((f) => (f.attachment ? [f.attachment] : [])),
    pendingFiles: e.files
      .filter((f) => !f.attachment)
      .map((f) => ({ index: f.index, name: f.name, mime: f.mime, size: f.size, attachment: null })),
    kind: 'text',
    createdAt: new Date(e.queuedAt).toISOString(),
    state: e.failed ? 'failed' : 'sending',
    error: e.error,
    own: true,
  };
}

/** Outbox entries per thread, in queue order (UUIDv7 clientIds sort by creation time). */
export function pendingByThread(outbox: State['outbox']): Map<string, OutboxEntry[]> {
  const map = new Map<string, OutboxEntry[]>();
  for (const e of Object.values(outbox)) {
    const list = map.get(e.threadId);
    if (list) list.push(e);
    else map.set(e.threadId, [e]);
  }
  for (const list of map.values()) list.sort((a, b) => (a.clientId < b.clientId ? -1 : a.clientId > b.clientId ? 1 : 0));
  return map;
}

interface ThreadCache {
  messages: readonly Message[] | undefined;
  pending: readonly OutboxEntry[];
  agentReadSeq: number;
  views: readonly MessageView[];
}

export class SnapshotDeriver {
  #cache = new Map<string, ThreadCache>();
  #state: State | null = null;
  #snapshot: Snapshot | null = null;

  derive(state: State): Snapshot {
    if (state === this.#state && this.#snapshot) return this.#snapshot;
    const pending = pendingByThread(state.outbox);
    const ids = new Set([...Object.keys(state.threads), ...Object.keys(state.messages), ...pending.keys()]);
    const messages: Record<string, readonly MessageView[]> = {};
    const cache = new Map<string, ThreadCache>();
    for (const id of ids) {
      const entry = state.threads[id];
      const list = state.messages[id];
      const p = pending.get(id) ?? [];
      const agentReadSeq = entry?.thread.agentReadSeq ?? 0;
      const prev = this.#cache.get(id);
      let views: readonly MessageView[];
      if (prev && prev.messages === list && prev.agentReadSeq === agentReadSeq && samePending(prev.pending, p)) {
        views = prev.views;
      } else {
        views = [...(list ?? []).map((m) => messageView(m, agentReadSeq)), ...p.map(pendingView)];
      }
      cache.set(id, { messages: list, pending: p, agentReadSeq, views });
      messages[id] = views;
    }
    this.#cache = cache;
    const threads: ThreadView[] = Object.values(state.threads)
      .map((e) => threadView(e, messages[e.thread.id] ?? [], pending.get(e.thread.id) ?? [], state.messages[e.thread.id] ?? []))
      .sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0));
    const totalUnread = threads.reduce((n, t) => n + t.unread, 0);
    this.#state = state;
    // The state's fields as they are, but for the outbox (shown as pending messages) and the two
    // derived here.
    const { outbox: _outbox, ...shown } = state;
    this.#snapshot = { ...shown, threads, messages, totalUnread };
    return this.#snapshot;
  }
}

function samePending(a: readonly OutboxEntry[], b: readonly OutboxEntry[]): boolean {
  return a.length === b.length && a.every((e, i) => e === b[i]);
}

function threadView(e: ThreadEntry, views: readonly MessageView[], pending: readonly OutboxEntry[], held: readonly Message[]): ThreadView {
  const t = e.thread;
  const newestPending = pending[pending.length - 1];
  const lastMessage = newestPending
    ? views[views.length - 1] ?? null
    : t.lastMessage
      ? messageView(t.lastMessage, t.agentReadSeq)
      : null;
  const pendingAt = newestPending ? new Date(newestPending.queuedAt).toISOString() : '';
  const first = held[0];
  // The thread's own fields as they are (the server's `Thread`, or `emptyThread`), then the view's.
  return {
    ...t,
    lastMessage,
    updatedAt: pendingAt > t.updatedAt ? pendingAt : t.updatedAt,
    local: e.local,
    hasOlder: !e.local && (first ? first.seq > 1 : t.lastSeq > 0),
    loadingOlder: e.loadingOlder,
  };
}
