import type { Namespace, Server } from 'socket.io';
import type {
  AgentClientEvents,
  AgentServerEvents,
  AgentThread,
  Author,
  ClientEvents,
  Message,
  ServerEvents,
  Thread,
} from '@threadline/protocol';
import type { MessagesTable, ThreadsTable } from '../db/schema.js';
import type { AppendResult, SqlStore } from '../store/sql-store.js';
import { toAgentVisitor, toMessage, toThread } from '../store/rows.js';
import { agentRoom, ownerRoom, visitorRoom } from '../realtime/rooms.js';
import type { WebhookDispatcher } from '../webhooks/dispatcher.js';
import { ServerError, notFound } from '../errors.js';

export type VisitorServer = Server<ClientEvents, ServerEvents>;
export type AgentNamespace = Namespace<AgentClientEvents, AgentServerEvents>;

/**
 * The fan-out after a commit: who hears about a change. Every write path (visitor socket, agent
 * socket, REST) calls into here after its transaction commits, so visitors, agent inboxes and
 * webhooks always see the same events in the same order.
 */
export class Messaging {
  constructor(
    readonly store: SqlStore,
    readonly io: VisitorServer,
    readonly agents: AgentNamespace,
    readonly webhooks: WebhookDispatcher,
  ) {}

  async visitorThreads(rows: ThreadsTable[]): Promise<Thread[]> {
    const [last, unread] = await Promise.all([this.store.lastMessages(rows), this.store.unreadCounts(rows, 'visitor')]);
    return rows.map((r) => toThread(r, last.get(r.id), unread.get(r.id) ?? 0));
  }

  async visitorThread(row: ThreadsTable): Promise<Thread> {
    return (await this.visitorThreads([row]))[0]!;
  }

  async agentThreads(rows: ThreadsTable[]): Promise<AgentThread[]> {
    const [last, unread] = await Promise.all([this.store.lastMessages(rows), this.store.unreadCounts(rows, 'agent')]);
    const visitorIds = [...new Set(rows.map((r) => r.visitor_id))];
    const visitors = new Map<string, Awaited<ReturnType<SqlStore['getVisitor']>>>();
    await Promise.all(visitorIds.map(async (id) => visitors.set(id, await this.store.getVisitor(id))));
    const online = new Map<string, boolean>();
    await Promise.all(visitorIds.map(async (id) => online.set(id, await this.isOnline(id))));
    return rows.map((r) => {
      const visitor = visitors.get(r.visitor_id);
      return {
        ...toThread(r, last.get(r.id), unread.get(r.id) ?? 0),
        visitor: visitor
          ? toAgentVisitor(visitor, online.get(r.visitor_id) ?? false)
          : { id: r.visitor_id, userId: r.user_id, name: null, email: null, context: {}, online: false, lastSeenAt: null },
      };
    });
  }

  async agentThread(row: ThreadsTable): Promise<AgentThread> {
    return (await this.agentThreads([row]))[0]!;
  }

  /** Ids of the app's visitors with at least one socket connected (on any server node). */
  async onlineVisitorIds(appId: string): Promise<string[]> {
    const sockets = await this.io.fetchSockets();
    const ids = new Set<string>();
    for (const s of sockets) {
      const p = (s.data as { principal?: { appId: string; visitorId: string } }).principal;
      if (p && p.appId === appId) ids.add(p.visitorId);
    }
    return [...ids];
  }

  /** True when the visitor has at least one socket connected (on any server node). */
  async isOnline(visitorId: string): Promise<boolean> {
    const sockets = await this.io.in(visitorRoom(visitorId)).fetchSockets();
    return sockets.length > 0;
  }

  /** After `store.append` committed: tell the owner's tabs, the inboxes and the webhooks. */
  async published(result: AppendResult): Promise<{ message: Message; thread: Thread }> {
    const { thread } = result;
    const messages = [...result.prelude, result.message].map(toMessage);
    const visitorView = await this.visitorThread(thread);
    if (result.duplicate) return { message: messages[messages.length - 1]!, thread: visitorView };
    const room = ownerRoom(thread);
    if (result.created) this.io.to(room).emit('thread', visitorView);
    for (const m of messages) this.io.to(room).emit('message', m);
    const agentView = await this.agentThread(thread);
    if (result.created) {
      this.agents.to(agentRoom(thread.app_id)).emit('thread', agentView);
      await this.webhooks.emit(thread.app_id, 'thread.created', { thread: agentView });
    }
    for (const m of messages) this.agents.to(agentRoom(thread.app_id)).emit('message', { message: m, thread: agentView });
    // `message.created` deliveries were written in the message's own transaction (see server.ts).
    this.webhooks.kick();
    return { message: messages[messages.length - 1]!, thread: visitorView };
  }

  async threadChanged(row: ThreadsTable): Promise<{ thread: Thread; agentThread: AgentThread }> {
    const [thread, agentThread] = await Promise.all([this.visitorThread(row), this.agentThread(row)]);
    this.io.to(ownerRoom(row)).emit('thread', thread);
    this.agents.to(agentRoom(row.app_id)).emit('thread', agentThread);
    return { thread, agentThread };
  }

  // ---- brand side ----

  /** A message from an agent or bot, through REST. `idempotencyKey` plays the clientId's role. */
  async postFromBrand(
    appId: string,
    threadId: string,
    input: { text: string; attachmentIds: string[]; author: Author; quickReplies?: { label: string; value?: string }[]; idempotencyKey: string | null },
  ): Promise<{ message: Message; duplicate: boolean }> {
    const result = await this.store.append({
      appId,
      threadId,
      message: {
        clientId: input.idempotencyKey,
        author: input.author,
        text: input.text,
        kind: 'text',
        attachmentIds: input.attachmentIds,
        quickReplies: input.quickReplies,
        bodyExtra: [input.author, input.quickReplies ?? null],
      },
      reopen: false,
    });
    const { message } = await this.published(result);
    return { message, duplicate: result.duplicate };
  }

  async setStatus(appId: string, threadId: string, status: 'open' | 'resolved'): Promise<AgentThread> {
    const row = await this.store.getThread(threadId);
    if (!row || row.app_id !== appId) throw notFound('thread');
    if (row.status === status) return this.agentThread(row);
    const updated = await this.store.setStatus(threadId, status);
    const { agentThread } = await this.threadChanged(updated);
    await this.webhooks.emit(appId, status === 'resolved' ? 'thread.resolved' : 'thread.reopened', { thread: agentThread });
    return agentThread;
  }

  async readByAgent(appId: string, threadId: string, seq: number): Promise<ThreadsTable> {
    const row = await this.store.getThread(threadId);
    if (!row || row.app_id !== appId) throw notFound('thread');
    const updated = await this.store.setReadSeq(threadId, 'agent', seq);
    if (Number(updated.agent_read_seq) !== Number(row.agent_read_seq)) {
      const event = { threadId, seq: Number(updated.agent_read_seq), by: 'agent' as const };
      this.io.to(ownerRoom(updated)).emit('read', event);
      this.agents.to(agentRoom(appId)).emit('read', event);
    }
    return updated;
  }

  async messagesForBrand(appId: string, threadId: string, opts: { after?: number; before?: number; limit: number }): Promise<{ items: Message[]; more: boolean }> {
    const row = await this.store.getThread(threadId);
    if (!row || row.app_id !== appId) throw notFound('thread');
    return pageOf(this.store, threadId, opts);
  }
}

/** A page of messages ascending, with `more` telling whether the same direction has more. */
export async function pageOf(store: SqlStore, threadId: string, opts: { after?: number; before?: number; limit: number }): Promise<{ items: Message[]; more: boolean }> {
  if (opts.after !== undefined && opts.before !== undefined) throw new ServerError('bad_request', 'give either after or before, not both');
  let rows: MessagesTable[];
  if (opts.after !== undefined) {
    rows = await store.messagesAfter(threadId, opts.after, opts.limit + 1);
    const more = rows.length > opts.limit;
    return { items: rows.slice(0, opts.limit).map(toMessage), more };
  }
  rows = await store.messagesBefore(threadId, opts.before, opts.limit + 1);
  const more = rows.length > opts.limit;
  return { items: (more ? rows.slice(1) : rows).map(toMessage), more };
}
