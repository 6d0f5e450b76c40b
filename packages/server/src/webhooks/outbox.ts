import type { Kysely } from 'kysely';
import type { AgentThread } from '@threadline/protocol';
import type { Database, ProactiveTable, ThreadsTable } from '../db/schema.js';
import { agentAssigneeOf, toAgentVisitor, toMessage, toThread } from '../store/rows.js';
import { SqlStore, type Appended } from '../store/sql-store.js';
import type { PendingEvent, WebhookDispatcher } from './dispatcher.js';

/**
 * The transactional outbox: every webhook event is written to `webhook_deliveries` inside the
 * transaction of the change it reports, from what that transaction sees, so a committed change
 * always has its deliveries and a rolled-back one never does. Sending them is the dispatcher's,
 * after the commit (`kick`), on whichever node claims them.
 *
 * Each change reads the app's webhooks once and writes its deliveries in one insert, inside its
 * transaction, and builds a payload only for an event some webhook subscribed to: every statement
 * here is a round trip during which the transaction holds its locks and its pooled connection.
 */
export class Outbox {
  constructor(private readonly webhooks: Pick<WebhookDispatcher, 'enqueueEach' | 'kick'>) {}

  /**
   * `SqlStore`'s append hook: `message.created` for each message, and `thread.created` or
   * `thread.reopened` when a visitor's message created or reopened its thread.
   */
  readonly appended = async (trx: Kysely<Database>, a: Appended): Promise<number> => {
    const { thread } = a;
    // Created and reopened only by a visitor sending over its socket, so it is online.
    const threadView = () => agentThreadIn(trx, thread, true);
    const events: PendingEvent[] = [];
    if (a.created) events.push({ event: 'thread.created', data: async () => ({ thread: await threadView() }) });
    // `assignee`: who handles the thread once this change committed. A bot answers only messages
    // whose `assignee.kind` is `bot` (after a handoff the visitor's message says `queue`).
    const assignee = agentAssigneeOf(thread);
    for (const row of a.messages) {
      events.push({ event: 'message.created', data: () => ({ message: toMessage(row), threadId: thread.id, visitorId: thread.visitor_id, userId: thread.user_id, assignee }) });
    }
    if (a.reopened) events.push({ event: 'thread.reopened', data: async () => ({ thread: await threadView() }) });
    if (a.assigned) {
      const { change, from } = a.assigned;
      const event = a.messages[a.messages.length - 1]!;
      events.push({
        event: 'thread.assigned',
        data: async () => ({ threadId: thread.id, from: agentAssigneeOf(from), to: assignee, by: change.by, reason: change.reason, messageId: event.id, thread: await threadView() }),
      });
    }
    return this.webhooks.enqueueEach(thread.app_id, events, trx);
  };

  /** `thread.created`, `thread.resolved`, `thread.reopened`: `{ thread: AgentThread }` as of `trx`. */
  async thread(trx: Kysely<Database>, event: 'thread.created' | 'thread.resolved' | 'thread.reopened', row: ThreadsTable, online: boolean): Promise<void> {
    await this.webhooks.enqueueEach(row.app_id, [{ event, data: async () => ({ thread: await agentThreadIn(trx, row, online) }) }], trx);
  }

  /** `rating.submitted`, written with the rating and its message. */
  async rating(trx: Kysely<Database>, row: ThreadsTable, rating: { score: number; comment: string | null }): Promise<void> {
    // The visitor rates over its socket, so it is online.
    const data = async () => ({ threadId: row.id, score: rating.score, comment: rating.comment, thread: await agentThreadIn(trx, row, true) });
    await this.webhooks.enqueueEach(row.app_id, [{ event: 'rating.submitted', data }], trx);
  }

  /** `proactive.<event>`, written with the prompt's first report of that event. */
  async proactive(
    trx: Kysely<Database>,
    row: ProactiveTable,
    event: 'shown' | 'opened' | 'replied' | 'dismissed' | 'suppressed',
    by: { visitorId: string; userId: string | null },
  ): Promise<void> {
    const data = { id: row.id, event, visitorId: by.visitorId, campaign: row.campaign, userId: by.userId, threadId: row.thread_id };
    await this.webhooks.enqueueEach(row.app_id, [{ event: `proactive.${event}`, data: () => data }], trx);
  }

  /** Sends what the commit just queued, now rather than at the next poll. */
  kick(): void {
    this.webhooks.kick();
  }
}

/** The agent's view of a thread as the transaction `trx` sees it (the webhook payloads' `thread`). */
export async function agentThreadIn(trx: Kysely<Database>, row: ThreadsTable, online: boolean): Promise<AgentThread> {
  const store = new SqlStore(trx);
  const last = await store.lastMessages([row]);
  const unread = await store.unreadCounts([row], 'agent');
  const visitor = await store.getVisitor(row.visitor_id);
  return {
    ...toThread(row, last.get(row.id), unread.get(row.id) ?? 0),
    assignee: agentAssigneeOf(row),
    visitor: visitor
      ? toAgentVisitor(visitor, online)
      : { id: row.visitor_id, userId: row.user_id, name: null, email: null, context: {}, online: false, lastSeenAt: null },
  };
}
