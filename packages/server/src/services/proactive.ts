import { v7 as uuidv7 } from 'uuid';
import type { Author, ProactiveMessage, QuickReply } from '@threadline/protocol';
import type { ProactiveTable } from '../db/schema.js';
import { ServerError, notFound } from '../errors.js';
import { agentRoom, userRoom, visitorRoom } from '../realtime/rooms.js';
import { toProactive } from '../store/rows.js';
import type { Principal } from '../store/sql-store.js';
import type { Messaging } from './messaging.js';

/** What prompts need: the store, the rooms to emit to, and the webhooks (not `Messaging`, which uses prompts). */
export type ProactiveDeps = Pick<Messaging, 'store' | 'io' | 'agents' | 'webhooks'>;

export interface ProactiveInput {
  to: { userId: string } | { visitorId: string };
  text: string;
  display?: 'toast' | 'open';
  campaign?: string;
  expiresAt?: string;
  author?: Author;
  quickReplies?: QuickReply[];
  idempotencyKey?: string | null;
}

export type ProactiveEventName = 'shown' | 'opened' | 'replied' | 'dismissed';

/**
 * Prompts pushed by the brand. A prompt is stored first, then emitted to every connected tab of
 * its target; a target with no tab open gets it in the next `sync`. It stays pending until a tab
 * reports it `shown` (or it is dismissed, answered or expired), so a tab that died before showing
 * it does not lose it.
 */
export class ProactiveService {
  constructor(private readonly deps: ProactiveDeps) {}

  async push(appId: string, input: ProactiveInput): Promise<{ proactive: ProactiveMessage; delivered: 'live' | 'queued'; duplicate: boolean }> {
    const store = this.deps.store;
    let room: string;
    let visitorId: string | null = null;
    let userId: string | null = null;
    if ('visitorId' in input.to) {
      const visitor = await store.getVisitor(input.to.visitorId);
      if (!visitor || visitor.app_id !== appId) throw notFound('visitor');
      visitorId = visitor.id;
      room = visitorRoom(visitor.id);
    } else {
      userId = input.to.userId;
      room = userRoom(appId, userId);
    }
    let expiresAt: number | null = null;
    if (input.expiresAt) {
      expiresAt = Date.parse(input.expiresAt);
      if (Number.isNaN(expiresAt)) throw new ServerError('bad_request', 'expiresAt: must be an ISO 8601 date');
      if (expiresAt <= Date.now()) throw new ServerError('bad_request', 'expiresAt: must be in the future');
    }
    const row: ProactiveTable = {
      id: uuidv7(),
      app_id: appId,
      visitor_id: visitorId,
      user_id: userId,
      text: input.text,
      display: input.display ?? 'toast',
      campaign: input.campaign ?? null,
      author: JSON.stringify(input.author ?? { kind: 'bot' }),
      quick_replies: input.quickReplies?.length ? JSON.stringify(input.quickReplies) : null,
      idempotency_key: input.idempotencyKey ?? null,
      expires_at: expiresAt,
      created_at: Date.now(),
      delivered_at: null,
      shown_at: null,
      opened_at: null,
      replied_at: null,
      dismissed_at: null,
      thread_id: null,
    };
    const { row: stored, duplicate } = await store.insertProactive(row);
    const proactive = toProactive(stored);
    const sockets = await this.deps.io.in(room).fetchSockets();
    if (sockets.length > 0 && !stored.shown_at && !stored.dismissed_at) {
      this.deps.io.to(room).emit('proactive', proactive);
      await store.markProactive(stored.id, 'delivered');
      return { proactive, delivered: 'live', duplicate };
    }
    return { proactive, delivered: 'queued', duplicate };
  }

  /** A visitor reports what happened to a prompt; the first report of each kind counts. */
  async report(p: Principal, id: string, event: ProactiveEventName, threadId?: string): Promise<void> {
    const row = await this.deps.store.visibleProactive(p, id);
    const changed = await this.deps.store.markProactive(row.id, event, threadId);
    if (!changed) return;
    const payload = { id: row.id, event, visitorId: p.visitorId, campaign: row.campaign };
    this.deps.agents.to(agentRoom(p.appId)).emit('proactive.event', payload);
    await this.deps.webhooks.emit(p.appId, `proactive.${event}`, { ...payload, userId: p.userId, threadId: threadId ?? row.thread_id });
  }
}
