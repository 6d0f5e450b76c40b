import type { AgentThread, AgentVisitor, Attachment, Message, ReadEvent, ThreadStatus } from '@threadline/protocol';

/** Messages of one thread that the console has loaded, ascending by seq, without duplicates. */
export interface ThreadMessages {
  items: Message[];
  /** Older messages exist on the server. */
  hasEarlier: boolean;
}

/** A reply shown before the server confirms it; reconciled by `clientId` (the Idempotency-Key). */
export interface PendingReply {
  clientId: string;
  threadId: string;
  text: string;
  attachments: Attachment[];
  status: 'sending' | 'failed';
  error?: string;
}

export type Connection = 'connecting' | 'online' | 'offline' | 'refused';

export interface InboxState {
  threads: Record<string, AgentThread>;
  /** The first page of the thread list has arrived. */
  listed: boolean;
  /** Cursor of the next page of the thread list. */
  next: string | null;
  messages: Record<string, ThreadMessages>;
  pending: PendingReply[];
  /** Threads whose visitor is typing now. */
  typing: Record<string, boolean>;
  /** Latest known profile and presence of each visitor (from threads and `visitor` events). */
  visitors: Record<string, AgentVisitor>;
  connection: Connection;
}

export const initialInboxState: InboxState = {
  threads: {},
  listed: false,
  next: null,
  messages: {},
  pending: [],
  typing: {},
  visitors: {},
  connection: 'connecting',
};

export type InboxAction =
  | { type: 'threads.listed'; items: AgentThread[]; next: string | null; append: boolean }
  | { type: 'thread.received'; thread: AgentThread }
  | { type: 'message.received'; message: Message; thread?: AgentThread }
  | { type: 'messages.loaded'; threadId: string; items: Message[]; hasEarlier?: boolean }
  | { type: 'read'; event: ReadEvent }
  | { type: 'typing'; threadId: string; typing: boolean }
  | { type: 'visitor'; visitor: AgentVisitor }
  | { type: 'reply.sending'; reply: Omit<PendingReply, 'status' | 'error'> }
  | { type: 'reply.failed'; clientId: string; error: string }
  | { type: 'reply.discarded'; clientId: string }
  | { type: 'connection'; connection: Connection };

/** Keeps the newer of two thread snapshots: events can overtake an HTTP answer. */
function newer(a: AgentThread | undefined, b: AgentThread): AgentThread {
  if (!a) return b;
  if (b.lastSeq < a.lastSeq) {
    // A stale snapshot may still carry a newer status or read horizon; keep the higher seqs.
    return { ...a, status: b.updatedAt >= a.updatedAt ? b.status : a.status };
  }
  return {
    ...b,
    visitorReadSeq: Math.max(a.visitorReadSeq, b.visitorReadSeq),
    agentReadSeq: Math.max(a.agentReadSeq, b.agentReadSeq),
  };
}

function mergeMessages(existing: Message[], incoming: Message[]): Message[] {
  const bySeq = new Map<number, Message>();
  for (const m of existing) bySeq.set(m.seq, m);
  for (const m of incoming) bySeq.set(m.seq, m);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

function withThread(state: InboxState, thread: AgentThread): InboxState {
  const merged = newer(state.threads[thread.id], thread);
  return {
    ...state,
    threads: { ...state.threads, [thread.id]: merged },
    visitors: { ...state.visitors, [thread.visitor.id]: thread.visitor },
  };
}

/** Visitor messages after the brand's horizon, counted from what is loaded when that is enough. */
function unreadAfter(thread: AgentThread, loaded: ThreadMessages | undefined, horizon: number): number {
  if (horizon >= thread.lastSeq) return 0;
  if (!loaded || loaded.items.length === 0 || loaded.items[0]!.seq > horizon + 1) return thread.unread;
  return loaded.items.filter((m) => m.seq > horizon && m.author.kind === 'visitor').length;
}

export function inboxReducer(state: InboxState, action: InboxAction): InboxState {
  switch (action.type) {
    case 'threads.listed': {
      // Merged, never replaced: threads beyond the first page stay known, and live events keep
      // every known thread current.
      let next: InboxState = { ...state, listed: true, next: action.append || !state.listed ? action.next : (state.next ?? action.next) };
      for (const t of action.items) next = withThread(next, t);
      return next;
    }
    case 'thread.received':
      return withThread(state, action.thread);
    case 'message.received': {
      const { message } = action;
      let next = action.thread ? withThread(state, action.thread) : state;
      const loaded = next.messages[message.threadId];
      if (loaded) {
        next = { ...next, messages: { ...next.messages, [message.threadId]: { ...loaded, items: mergeMessages(loaded.items, [message]) } } };
      }
      const pending = message.clientId ? next.pending.filter((p) => p.clientId !== message.clientId) : next.pending;
      // A message ends the author's typing.
      const typing = message.author.kind === 'visitor' && next.typing[message.threadId] ? { ...next.typing, [message.threadId]: false } : next.typing;
      return { ...next, pending, typing };
    }
    case 'messages.loaded': {
      const loaded = state.messages[action.threadId];
      const items = mergeMessages(loaded?.items ?? [], action.items);
      const hasEarlier = action.hasEarlier ?? loaded?.hasEarlier ?? false;
      return { ...state, messages: { ...state.messages, [action.threadId]: { items, hasEarlier } } };
    }
    case 'read': {
      const { threadId, seq, by } = action.event;
      const thread = state.threads[threadId];
      if (!thread) return state;
      const updated: AgentThread =
        by === 'visitor'
          ? { ...thread, visitorReadSeq: Math.max(thread.visitorReadSeq, seq) }
          : { ...thread, agentReadSeq: Math.max(thread.agentReadSeq, seq), unread: unreadAfter(thread, state.messages[threadId], Math.max(thread.agentReadSeq, seq)) };
      return { ...state, threads: { ...state.threads, [threadId]: updated } };
    }
    case 'typing':
      if (Boolean(state.typing[action.threadId]) === action.typing) return state;
      return { ...state, typing: { ...state.typing, [action.threadId]: action.typing } };
    case 'visitor': {
      const { visitor } = action;
      return { ...state, visitors: { ...state.visitors, [visitor.id]: visitor } };
    }
    case 'reply.sending':
      return { ...state, pending: [...state.pending.filter((p) => p.clientId !== action.reply.clientId), { ...action.reply, status: 'sending' }] };
    case 'reply.failed':
      return { ...state, pending: state.pending.map((p) => (p.clientId === action.clientId ? { ...p, status: 'failed', error: action.error } : p)) };
    case 'reply.discarded':
      return { ...state, pending: state.pending.filter((p) => p.clientId !== action.clientId) };
    case 'connection':
      return state.connection === action.connection ? state : { ...state, connection: action.connection };
  }
}

// ---- derived views (computed at render time, never stored) ----

/** `queue`: open threads waiting for a person, longest waiting first. */
export type StatusFilter = ThreadStatus | 'all' | 'queue';

/** When a thread started waiting for a person (its assignee's `since`, else its creation), in ms. */
export function waitingSince(t: AgentThread): number {
  return Date.parse(t.assignee?.since ?? t.createdAt);
}

/** Open threads waiting for a person, longest waiting first. */
export function queuedThreads(state: InboxState): AgentThread[] {
  return Object.values(state.threads)
    .filter((t) => t.status === 'open' && t.assignee?.kind === 'queue')
    .sort((a, b) => waitingSince(a) - waitingSince(b) || (a.id < b.id ? -1 : 1));
}

/** Threads for the list: the filter applied, most recently active first. */
export function visibleThreads(state: InboxState, filter: StatusFilter): AgentThread[] {
  if (filter === 'queue') return queuedThreads(state);
  return Object.values(state.threads)
    .filter((t) => filter === 'all' || t.status === filter)
    .sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : a.id < b.id ? 1 : -1));
}

/** The visitor of a thread as last heard of: presence and context move faster than threads. */
export function visitorOf(state: InboxState, thread: AgentThread): AgentVisitor {
  return state.visitors[thread.visitor.id] ?? thread.visitor;
}

export function onlineVisitors(state: InboxState): AgentVisitor[] {
  return Object.values(state.visitors)
    .filter((v) => v.online)
    .sort((a, b) => (a.lastSeenAt ?? '') < (b.lastSeenAt ?? '') ? 1 : -1);
}

export function unreadTotal(state: InboxState): number {
  return Object.values(state.threads).reduce((n, t) => n + (t.status === 'open' ? t.unread : 0), 0);
}
