/**
 * The only place state changes: a pure function of (state, action). Messages are reconciled by
 * seq and clientId, never by content (rule 7 of STYLE.md).
 */
import type { Message, Thread, ThreadAssignee } from '@threadline/protocol';
import type { Action, State, ThreadEntry } from './state.js';

/** Merge ascending, seq-unique lists; returns `existing` itself when nothing is new. */
export function mergeBySeq(existing: readonly Message[], incoming: readonly Message[]): readonly Message[] {
  if (incoming.length === 0) return existing;
  const bySeq = new Map<number, Message>();
  for (const m of existing) bySeq.set(m.seq, m);
  let added = false;
  for (const m of incoming) {
    if (!bySeq.has(m.seq)) {
      bySeq.set(m.seq, m);
      added = true;
    }
  }
  if (!added) return existing;
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/** Highest seq reachable from `held` without a hole in `messages`. */
export function contiguousFrom(held: number, messages: readonly Message[]): number {
  let h = held;
  for (const m of messages) {
    if (m.seq <= h) continue;
    if (m.seq === h + 1) h = m.seq;
    else break;
  }
  return h;
}

/** A thread the server has not described yet (created here, or known only by its messages). */
export function emptyThread(threadId: string, createdAt: string): Thread {
  return {
    id: threadId,
    status: 'open',
    lastSeq: 0,
    lastMessage: null,
    unread: 0,
    visitorReadSeq: 0,
    agentReadSeq: 0,
    campaign: null,
    rating: null,
    createdAt,
    updatedAt: createdAt,
  };
}

function entryFor(state: State, threadId: string, createdAt: string): ThreadEntry {
  return state.threads[threadId] ?? { thread: emptyThread(threadId, createdAt), local: false, heldSeq: 0, loadingOlder: false };
}

/** Unread count once the visitor's horizon moved to `readSeq`, from the loaded window when it covers it. */
function unreadAfter(thread: Thread, readSeq: number, window: readonly Message[]): number {
  if (readSeq >= thread.lastSeq) return 0;
  const first = window[0];
  if (first && first.seq <= readSeq + 1) {
    return window.filter((m) => m.seq > readSeq && m.author.kind !== 'visitor').length;
  }
  return thread.unread;
}

/** A server thread merged over what we hold: stale copies never move horizons or seq back. */
export function mergeThread(current: Thread | undefined, incoming: Thread, window: readonly Message[]): Thread {
  if (!current) return incoming;
  const fresher = incoming.lastSeq >= current.lastSeq ? incoming : current;
  const next: Thread = {
    ...incoming,
    lastSeq: fresher.lastSeq,
    lastMessage: fresher.lastMessage,
    updatedAt: fresher.updatedAt > current.updatedAt ? fresher.updatedAt : current.updatedAt,
    unread: fresher.unread,
    assignee: fresher.assignee,
    visitorReadSeq: Math.max(current.visitorReadSeq, incoming.visitorReadSeq),
    agentReadSeq: Math.max(current.agentReadSeq, incoming.agentReadSeq),
  };
  if (next.visitorReadSeq > fresher.visitorReadSeq) next.unread = unreadAfter(next, next.visitorReadSeq, window);
  return next;
}

function applyMessages(state: State, threadId: string, incoming: readonly Message[]): State {
  if (incoming.length === 0) return state;
  const sorted = [...incoming].sort((a, b) => a.seq - b.seq);
  const existing = state.messages[threadId] ?? [];
  const merged = mergeBySeq(existing, sorted);
  const entry = entryFor(state, threadId, sorted[0]!.createdAt);
  let thread = entry.thread;
  for (const m of sorted) {
    if (m.seq > thread.lastSeq) {
      const unread = m.author.kind !== 'visitor' && m.seq > thread.visitorReadSeq ? thread.unread + 1 : thread.unread;
      thread = { ...thread, lastSeq: m.seq, lastMessage: m, updatedAt: m.createdAt > thread.updatedAt ? m.createdAt : thread.updatedAt, unread };
      // A `thread.assigned` event says who handles the thread now, whether or not the server's
      // `thread` that follows it reaches this tab (a sync, a follower tab, an email continue).
      if (m.kind === 'event' && m.meta?.event === 'thread.assigned') thread = { ...thread, assignee: m.meta.to as ThreadAssignee };
    }
  }
  // A thread we knew nothing about starts its window at the first message we see.
  const start = existing.length === 0 && entry.heldSeq === 0 ? sorted[0]!.seq - 1 : entry.heldSeq;
  const heldSeq = contiguousFrom(start, merged);
  let outbox = state.outbox;
  for (const m of sorted) {
    if (m.clientId && outbox[m.clientId]) {
      const { [m.clientId]: _acked, ...rest } = outbox;
      outbox = rest;
    }
  }
  if (merged === existing && thread === entry.thread && heldSeq === entry.heldSeq && outbox === state.outbox && state.threads[threadId]) {
    return state;
  }
  return {
    ...state,
    outbox,
    messages: merged === existing ? state.messages : { ...state.messages, [threadId]: merged },
    threads: { ...state.threads, [threadId]: { ...entry, thread, heldSeq, local: false } },
  };
}

function without<T>(record: Readonly<Record<string, T>>, key: string): Readonly<Record<string, T>> {
  if (!(key in record)) return record;
  const { [key]: _gone, ...rest } = record;
  return rest;
}

export function reduce(state: State, action: Action): State {
  switch (action.type) {
    case 'status':
      return state.status === action.status ? state : { ...state, status: action.status };
    case 'connection':
      if (state.connection === action.state && state.connectionError === action.error) return state;
      return { ...state, connection: action.state, connectionError: action.error };
    case 'storage':
      return state.storage === action.mode ? state : { ...state, storage: action.mode };
    case 'role':
      return state.role === action.role ? state : { ...state, role: action.role };
    case 'session':
      return { ...state, session: action.session };
    case 'hydrate': {
      const threads = { ...state.threads };
      for (const t of action.threads) if (!threads[t.thread.id]) threads[t.thread.id] = t;
      const outbox = { ...state.outbox };
      for (const e of action.outbox) if (!outbox[e.clientId]) outbox[e.clientId] = e;
      let next: State = { ...state, threads, outbox, proactive: action.proactive.length ? action.proactive : state.proactive };
      for (const [threadId, messages] of Object.entries(action.messages)) next = applyMessages(next, threadId, messages);
      return next;
    }
    case 'threads': {
      if (action.threads.length === 0) return state;
      const threads = { ...state.threads };
      for (const t of action.threads) {
        const entry = threads[t.id];
        const thread = mergeThread(entry && !entry.local ? entry.thread : undefined, t, state.messages[t.id] ?? []);
        threads[t.id] = entry ? { ...entry, thread, local: false } : { thread, local: false, heldSeq: 0, loadingOlder: false };
      }
      return { ...state, threads };
    }
    case 'localThread':
      if (state.threads[action.thread.id]) return state;
      return { ...state, threads: { ...state.threads, [action.thread.id]: { thread: action.thread, local: true, heldSeq: 0, loadingOlder: false } } };
    case 'messages':
      return applyMessages(state, action.threadId, action.messages);
    case 'loadingOlder': {
      const entry = state.threads[action.threadId];
      if (!entry || entry.loadingOlder === action.loading) return state;
      return { ...state, threads: { ...state.threads, [action.threadId]: { ...entry, loadingOlder: action.loading } } };
    }
    case 'outboxPut': {
      // An entry already acked (its message is held) is not resurrected by a late write.
      const held = state.messages[action.entry.threadId]?.some((m) => m.clientId === action.entry.clientId);
      if (held) return state;
      return { ...state, outbox: { ...state.outbox, [action.entry.clientId]: action.entry } };
    }
    case 'outboxRemove': {
      const outbox = without(state.outbox, action.clientId);
      const uploads = without(state.uploads, action.clientId);
      return outbox === state.outbox && uploads === state.uploads ? state : { ...state, outbox, uploads };
    }
    case 'acked': {
      const next = applyMessages(state, action.message.threadId, [action.message]);
      const entry = next.threads[action.thread.id]!;
      const thread = mergeThread(entry.thread, action.thread, next.messages[action.thread.id] ?? []);
      return {
        ...next,
        outbox: without(next.outbox, action.clientId),
        uploads: without(next.uploads, action.clientId),
        threads: { ...next.threads, [action.thread.id]: { ...entry, thread, local: false } },
      };
    }
    case 'upload': {
      const p = action.progress;
      const list = (state.uploads[p.clientId] ?? []).filter((u) => u.index !== p.index);
      list.push(p);
      list.sort((a, b) => a.index - b.index);
      return { ...state, uploads: { ...state.uploads, [p.clientId]: list } };
    }
    case 'uploadDone': {
      const uploads = without(state.uploads, action.clientId);
      return uploads === state.uploads ? state : { ...state, uploads };
    }
    case 'typing': {
      if (action.typing) return { ...state, typing: { ...state.typing, [action.threadId]: action.typing } };
      const typing = without(state.typing, action.threadId);
      return typing === state.typing ? state : { ...state, typing };
    }
    case 'read': {
      const { threadId, seq, by } = action.event;
      const entry = state.threads[threadId];
      if (!entry) return state;
      const t = entry.thread;
      let thread: Thread;
      if (by === 'agent') {
        if (seq <= t.agentReadSeq) return state;
        thread = { ...t, agentReadSeq: seq };
      } else {
        if (seq <= t.visitorReadSeq) return state;
        thread = { ...t, visitorReadSeq: seq, unread: unreadAfter(t, seq, state.messages[threadId] ?? []) };
      }
      return { ...state, threads: { ...state.threads, [threadId]: { ...entry, thread } } };
    }
    case 'proactive':
      return { ...state, proactive: action.prompts };
    case 'reset':
      return { ...state, session: null, threads: {}, messages: {}, outbox: {}, uploads: {}, typing: {}, proactive: [] };
  }
}
