import { createHash } from 'node:crypto';
import type { Namespace, Server } from 'socket.io';
import type {
  AgentClientEvents,
  AgentServerEvents,
  AgentThread,
  Author,
  ClientEvents,
  ContextInput,
  VisitorContext,
  ListMessagesInput,
  ListThreadsInput,
  Message,
  Page,
  RateInput,
  ReadInput,
  SendInput,
  SendResult,
  ServerEvents,
  SyncInput,
  SyncResult,
  Thread,
  TypingInput,
} from '@threadline/protocol';
import { FILE_PATH, formProblem, type Block, type FieldProblem, type FormAnswer, type FormBlock } from '@threadline/protocol';
import type { Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Database, MessagesTable, ThreadsTable, VisitorsTable } from '../db/schema.js';
import type { AppendInput, AppendResult, NewMessage, Principal, SqlStore } from '../store/sql-store.js';
import { decodeCursor, encodeCursor } from '../store/cursor.js';
import { agentAssigneeOf, toAgentVisitor, toMessage, toProactive, toThread, type AgentVisitorRow } from '../store/rows.js';
import type { AssignmentChange, BotPolicy } from '../store/assignment.js';
import type { BotSettingsService } from './assignment.js';
import { agentRoom, ownerRoom, visitorRoom } from '../realtime/rooms.js';
import type { WebhookDispatcher } from '../webhooks/dispatcher.js';
import { Outbox } from '../webhooks/outbox.js';
import { ServerError, notFound } from '../errors.js';
import type { ProactiveService } from './proactive.js';
import type { Presence } from '../cluster/presence.js';
import type { AvailabilityService } from './availability.js';

export type VisitorServer = Server<ClientEvents, ServerEvents>;

/** What hears of brand messages inside their transaction: the email notifier (notifications/notifier.ts). */
export interface BrandMessageHook {
  enqueue(trx: Kysely<Database>, thread: ThreadsTable, messages: MessagesTable[]): Promise<void>;
  /** After the transaction committed. */
  committed(): void;
}
export type AgentNamespace = Namespace<AgentClientEvents, AgentServerEvents>;

/** Newest messages `sync` sends for a thread the client does not know yet; older ones via `messages.list`. */
const NEW_THREAD_PAGE = 30;
/** Threads (most recently active first) covered by one `sync`. */
const SYNC_THREADS = 200;

/**
 * What visitors and the brand do to conversations, and the fan-out after each commit: who hears
 * about a change. Every write path (visitor socket, agent socket, REST) goes through here, so
 * visitors, agent inboxes and webhooks always see the same events in the same order; the socket
 * and HTTP layers only validate, call and answer.
 */
export class Messaging {
  readonly #outbox: Outbox;
  /** Visitor sends in progress on this node, by everything that makes two sends the same. */
  readonly #sending = new Map<string, Promise<SendResult>>();

  /** The away auto-reply after a visitor's message, and the news of inboxes coming and going (services/availability.ts); set by the server. */
  availability: Pick<AvailabilityService, 'afterVisitorMessage' | 'inboxesChanged'> | null = null;

  /** The app's bot (services/assignment.ts): who gets new threads, handoff words; set by the server. */
  bots: Pick<BotSettingsService, 'policy'> | null = null;

  constructor(
    readonly store: SqlStore,
    readonly io: VisitorServer,
    readonly agents: AgentNamespace,
    readonly webhooks: WebhookDispatcher,
    readonly proactive: ProactiveService,
    readonly presence: Presence,
    /** Brand messages queue their thread's email here, in their transaction. @default none */
    readonly notifications: BrandMessageHook | null = null,
  ) {
    this.#outbox = new Outbox(webhooks);
  }

  async visitorThreads(rows: ThreadsTable[]): Promise<Thread[]> {
    const [last, unread] = await Promise.all([this.store.lastMessages(rows), this.store.unreadCounts(rows, 'visitor')]);
    return rows.map((r) => toThread(r, last.get(r.id), unread.get(r.id) ?? 0));
  }

  async visitorThread(row: ThreadsTable): Promise<Thread> {
    const { last, unread } = await this.store.threadSummary(row.id);
    return toThread(row, last, unread.visitor);
  }

  async agentThreads(rows: ThreadsTable[]): Promise<AgentThread[]> {
    const [last, unread] = await Promise.all([this.store.lastMessages(rows), this.store.unreadCounts(rows, 'agent')]);
    const visitorIds = [...new Set(rows.map((r) => r.visitor_id))];
    const visitors = new Map<string, Awaited<ReturnType<SqlStore['getVisitor']>>>();
    await Promise.all(visitorIds.map(async (id) => visitors.set(id, await this.store.getVisitor(id))));
    // One presence question for the page (answered here for visitors on this node).
    const present = await this.presence.online(visitorIds.map(visitorRoom));
    const online = new Map(visitorIds.map((id) => [id, present.has(visitorRoom(id))]));
    return rows.map((r) => withVisitor(toThread(r, last.get(r.id), unread.get(r.id) ?? 0), r, visitors.get(r.visitor_id), online.get(r.visitor_id) ?? false));
  }

  async agentThread(row: ThreadsTable): Promise<AgentThread> {
    return (await this.#views(row)).agentThread;
  }

  /**
   * Both views of one thread (the visitor's and the inbox's) from one read of its newest message
   * and unread counts, beside its visitor's row and presence: two statements, where the views
   * computed apart take five. After an append, what it read in its own statements (`known`)
   * leaves presence alone to ask (and the visitor's row, for a thread it created).
   */
  async #views(
    row: ThreadsTable,
    known?: { last: MessagesTable; unread: { visitor: number; agent: number }; visitor?: AgentVisitorRow },
  ): Promise<{ thread: Thread; agentThread: AgentThread }> {
    const [{ last, unread }, visitor, online] = await Promise.all([
      known ?? this.store.threadSummary(row.id),
      known?.visitor ?? this.store.getVisitor(row.visitor_id),
      this.isOnline(row.visitor_id),
    ]);
    return {
      thread: toThread(row, last, unread.visitor),
      agentThread: withVisitor(toThread(row, last, unread.agent), row, visitor, online),
    };
  }

  /**
   * Ids of the app's visitors with at least one socket connected (on any server node). From
   * presence, not `fetchSockets()`, which with several nodes asks every node and waits for the
   * slowest (or for its timeout, when one is dead).
   */
  async onlineVisitorIds(appId: string): Promise<string[]> {
    const rooms = await this.presence.members(appId, visitorRoom(''));
    return rooms.map((room) => room.slice(visitorRoom('').length));
  }

  /**
   * True when the visitor has at least one socket connected (on any server node). Every send asks
   * (the inbox's view of the thread shows it), so this never asks another node: a visitor with a
   * socket here costs nothing, any other one Redis round trip (see cluster/presence.ts).
   */
  async isOnline(visitorId: string): Promise<boolean> {
    return this.presence.isOnline(visitorRoom(visitorId));
  }

  /** After `store.append` committed: tell the owner's tabs, the inboxes and the webhooks. */
  async published(result: AppendResult): Promise<{ message: Message; thread: Thread }> {
    const { thread } = result;
    // The sender's message, between a prelude (a prompt) and what followed it (a handoff's event).
    const messages = [...result.prelude, result.message, ...result.after].map(toMessage);
    const own = messages[result.prelude.length]!;
    // A repeat announces nothing: only the sender's view of the thread is needed.
    if (result.duplicate) return { message: own, thread: await this.visitorThread(thread) };
    const { thread: visitorView, agentThread: agentView } = await this.#views(thread, result.summary && { last: result.after.at(-1) ?? result.message, ...result.summary });
    const room = ownerRoom(thread);
    if (result.created) this.io.to(room).emit('thread', visitorView);
    for (const m of messages) this.io.to(room).emit('message', m);
    if (result.created) this.agents.to(agentRoom(thread.app_id)).emit('thread', agentView);
    for (const m of messages) this.agents.to(agentRoom(thread.app_id)).emit('message', { message: m, thread: agentView });
    // A new assignee (a handoff): both sides hear the thread as it is now.
    if (result.assigned && !result.created) {
      this.io.to(room).emit('thread', visitorView);
      this.agents.to(agentRoom(thread.app_id)).emit('thread', agentView);
    }
    // The deliveries (`message.created`, `thread.created`, `thread.reopened`) were written in the
    // message's own transaction (SqlStore's onAppend, set in server.ts): send them now. With none
    // queued the dispatcher is left alone (a round is a claim statement, on every send).
    if (result.deliveries > 0) this.#outbox.kick();
    return { message: own, thread: visitorView };
  }

  async threadChanged(row: ThreadsTable): Promise<{ thread: Thread; agentThread: AgentThread }> {
    const { thread, agentThread } = await this.#views(row);
    this.io.to(ownerRoom(row)).emit('thread', thread);
    this.agents.to(agentRoom(row.app_id)).emit('thread', agentThread);
    return { thread, agentThread };
  }

  // ---- visitor side ----

  /**
   * A connection opened: the visitor is seen now, the device's user agent joins the context and
   * the inboxes see the visitor online. Most connections come from the device the context already
   * names (a reconnect, or the visitor the handshake created with it): one statement, where the
   * context's merge is a transaction of its own.
   */
  async visitorConnected(p: Principal, userAgent: string | undefined, seen?: VisitorsTable): Promise<void> {
    const device = deviceContext(userAgent);
    // `seen`: the handshake marked the visitor seen already (and read its row).
    let visitor = seen ?? (await this.store.seenNow(p.visitorId));
    if (visitor && !sameDevice(visitor, device)) visitor = await this.store.mergeContext(p.visitorId, device);
    if (visitor) this.agents.to(agentRoom(p.appId)).emit('visitor', toAgentVisitor(visitor, true));
  }

  /** A connection closed: when it was the visitor's last, it is last seen now and the inboxes see it offline. */
  async visitorDisconnected(p: Principal): Promise<void> {
    if (await this.isOnline(p.visitorId)) return;
    await this.store.touchVisitor(p.visitorId);
    const row = await this.store.getVisitor(p.visitorId);
    if (row) this.agents.to(agentRoom(p.appId)).emit('visitor', toAgentVisitor(row, false));
  }

  /**
   * `sync`: the visitor's threads, the messages after its cursors (the newest page of a thread it
   * does not know), and the prompts waiting for it, which count as delivered from then on.
   */
  async syncFor(p: Principal, { cursors, limit = 100 }: SyncInput): Promise<SyncResult> {
    // One statement for the threads, their summaries and the prompts where the store can; the
    // messages after the cursors then (none when the visitor is up to date: most reconnections).
    const snapshot = await this.store.syncSnapshot(p, SYNC_THREADS);
    const rows = snapshot ? snapshot.threads.map((t) => t.row) : await this.store.threadsOf(p, { limit: SYNC_THREADS });
    const messages: Message[] = [];
    // Past SYNC_THREADS threads the client pages the rest of the inbox with `threads.list`.
    let more = false;
    for (const t of rows) {
      const budget = limit - messages.length;
      if (budget <= 0) {
        more = true;
        break;
      }
      const cursor = cursors[t.id];
      if (cursor === undefined) {
        const page = await this.store.messagesBefore(t.id, undefined, Math.min(NEW_THREAD_PAGE, budget));
        messages.push(...page.map(toMessage));
      } else if (cursor < Number(t.last_seq)) {
        const page = await this.store.messagesAfter(t.id, cursor, budget + 1);
        if (page.length > budget) more = true;
        messages.push(...page.slice(0, budget).map(toMessage));
      }
    }
    if (snapshot) {
      const threads = snapshot.threads.map((t) => toThread(t.row, t.last, t.unread));
      return { threads, messages, proactive: snapshot.pending.map(toProactive), more };
    }
    const pending = await this.store.pendingProactive(p);
    await Promise.all(pending.map((row) => this.store.markProactive(row.id, 'delivered')));
    return { threads: await this.visitorThreads(rows), messages, proactive: pending.map(toProactive), more };
  }

  /** `threads.list`: a page of the visitor's threads, most recently active first. */
  async threadsFor(p: Principal, { before, limit = 50 }: ListThreadsInput): Promise<Page<Thread> & { next: string | null }> {
    const rows = await this.store.threadsOf(p, { before: before ? decodeCursor(before) : undefined, limit: limit + 1 });
    const more = rows.length > limit;
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: await this.visitorThreads(page), more, next: more && last ? encodeCursor(Number(last.updated_at), last.id) : null };
  }

  /** `messages.list`: a page of a thread the visitor can see. */
  async messagesForVisitor(p: Principal, { threadId, before, after, limit = 50 }: ListMessagesInput): Promise<Page<Message>> {
    await this.store.visibleThread(p, threadId);
    return pageOf(this.store, threadId, { before, after, limit });
  }

  /**
   * `message.send`: appends the visitor's message (creating the thread when asked, with the prompt
   * it answers as its first message), reopens a resolved thread, and reports a prompt answered.
   * A repeated clientId returns the stored message (`duplicate`) and announces nothing again.
   */
  async postFromVisitor(p: Principal, input: SendInput): Promise<SendResult> {
    // A widget whose ack is late sends again with the same clientId while its first send still
    // waits (for a pooled connection, for the thread's lock). The repeat waits for that send and
    // answers what the store would (`duplicate`, the same message) instead of taking a transaction
    // of its own: under load, repeats would otherwise pile up behind the work they repeat.
    const key = JSON.stringify([p.appId, p.visitorId, p.userId, input.threadId, input.clientId, input.text, input.attachmentIds ?? [], input.quickReply ?? null, input.proactiveId ?? null, input.create ?? false, input.handoff ?? false, input.form ?? null]);
    const first = this.#sending.get(key);
    if (first) return { ...(await first), duplicate: true };
    const sending = this.#postFromVisitor(p, input);
    this.#sending.set(key, sending);
    try {
      return await sending;
    } finally {
      this.#sending.delete(key);
    }
  }

  async #postFromVisitor(p: Principal, input: SendInput): Promise<SendResult> {
    const answering = input.proactiveId ? await this.store.liveProactive(p, input.proactiveId) : null;
    // A form of the prompt, answered by the send that starts the thread from it: checked against
    // the prompt's form, and named in the answer by the id of the prompt's copy in the thread.
    const preludeId = uuidv7();
    const promptForm = answering && input.create && input.form?.messageId === answering.id ? input.form : undefined;
    if (promptForm) this.#checkForm(toProactive(answering!).blocks, promptForm);
    else if (input.form) await this.#checkFormAnswer(p, input.threadId, input.form);
    const message: NewMessage = {
      clientId: input.clientId,
      author: { kind: 'visitor' },
      text: input.text,
      kind: 'text',
      attachmentIds: input.attachmentIds ?? [],
      meta: visitorMeta(promptForm ? { ...input, form: { ...promptForm, messageId: preludeId } } : input),
      // A repeat with another handoff or form answer is a different message (`clientid_conflict`).
      bodyExtra: [input.quickReply ?? null, input.proactiveId ?? null, ...(input.handoff || input.form ? [input.handoff ?? false, input.form ?? null] : [])],
    };
    let campaign: string | null = null;
    const prelude: NewMessage[] = [];
    if (answering) {
      const prompt = toProactive(answering);
      campaign = prompt.campaign;
      // The prompt becomes the first message of the thread it started, so the agent sees what
      // the visitor is answering.
      prelude.push({
        id: preludeId,
        clientId: `proactive:${prompt.id}`,
        author: prompt.author,
        text: prompt.text,
        kind: 'proactive',
        quickReplies: prompt.quickReplies,
        blocks: prompt.blocks,
        meta: { proactiveId: prompt.id, campaign: prompt.campaign },
      });
    }
    let replied = false;
    const result = await this.store.append(
      {
        appId: p.appId,
        threadId: input.threadId,
        principal: p,
        create: input.create ? { visitorId: p.visitorId, userId: p.userId, campaign, prelude } : undefined,
        message,
        reopen: true,
        bot: await this.#bot(p.appId),
      },
      // The prompt is marked answered, with its `proactive.replied` delivery, in the message's transaction.
      answering
        ? async (trx, r) => {
            replied = await this.proactive.repliedWithin(trx, p, answering, r.thread.id);
          }
        : undefined,
    );
    const published = await this.published(result);
    if (answering && replied) this.proactive.reported(p, answering, 'replied');
    if (result.reopened) await this.threadChanged(result.thread);
    // Outside business hours, the away message follows (not awaited: the ack does not wait for it).
    if (!result.duplicate && this.availability) void this.availability.afterVisitorMessage(result.thread);
    return { message: published.message, thread: published.thread, duplicate: result.duplicate };
  }

  /**
   * A form answer must name a form of this thread and fit its fields (the widget checks the same
   * rules before sending, with protocol `formProblem`); anything else is `bad_request`, naming the field.
   */
  async #checkFormAnswer(p: Principal, threadId: string, form: FormAnswer): Promise<void> {
    await this.store.visibleThread(p, threadId);
    const row = await this.store.messageIn(threadId, form.messageId);
    this.#checkForm(row ? toMessage(row).blocks : undefined, form);
  }

  #checkForm(blocks: Block[] | undefined, form: FormAnswer): void {
    const block = blocks?.find((b): b is FormBlock => b.type === 'form');
    if (!block) throw new ServerError('bad_request', 'form.messageId: no form in that message of this thread');
    const problem = formProblem(block, form.values);
    if (problem) throw new ServerError('bad_request', `form.values.${problem.field}: ${FIELD_PROBLEMS[problem.problem]}`);
  }

  /**
   * `thread.read`: moves the visitor's read horizon; the visitor's other tabs and the inboxes hear
   * of it, not the tab that read (`fromSocket`), which knows.
   */
  async readByVisitor(p: Principal, { threadId, seq }: ReadInput, fromSocket: string): Promise<{ thread: Thread }> {
    const row = await this.store.visibleThread(p, threadId);
    const updated = await this.store.setReadSeq(threadId, 'visitor', seq);
    if (Number(updated.visitor_read_seq) !== Number(row.visitor_read_seq)) {
      const event = { threadId, seq: Number(updated.visitor_read_seq), by: 'visitor' as const };
      this.io.to(ownerRoom(updated)).except(fromSocket).emit('read', event);
      this.agents.to(agentRoom(p.appId)).emit('read', event);
    }
    return { thread: await this.visitorThread(updated) };
  }

  /** `typing`: the inboxes see the visitor typing in one of its threads. */
  async typingFromVisitor(p: Principal, { threadId, typing }: TypingInput): Promise<void> {
    await this.store.visibleThread(p, threadId);
    this.agents.to(agentRoom(p.appId)).emit('typing', { threadId, author: { kind: 'visitor' }, typing });
  }

  /** `context.update`: merges the patch into the visitor's context; the inboxes see the new one. */
  async contextFromVisitor(p: Principal, patch: ContextInput): Promise<void> {
    const row = await this.store.mergeContext(p.visitorId, patch);
    if (row) this.agents.to(agentRoom(p.appId)).emit('visitor', toAgentVisitor(row, true));
  }

  /**
   * `thread.rate`: stores the rating on the thread and posts it as a `rating` message, in one
   * transaction with its `rating.submitted` delivery.
   */
  async rateThread(p: Principal, { threadId, score, comment }: RateInput): Promise<{ thread: Thread; message: Message }> {
    const rating = { score, comment: comment ?? null };
    const input = {
      appId: p.appId,
      threadId,
      principal: p,
      message: {
        // Derived from the body: a retried rating is the same message, a changed one a new one.
        clientId: `rating:${score}:${createHash('sha256').update(comment ?? '').digest('hex').slice(0, 16)}`,
        author: { kind: 'visitor' },
        text: comment ?? '',
        kind: 'rating',
        meta: comment ? { score, comment } : { score },
      },
      reopen: false,
    } satisfies AppendInput;
    const result = await this.store.rate(input, rating, (trx, r) => this.#outbox.rating(trx, r.thread, rating));
    // `rating.submitted` was queued by the hook above, which `published` does not count.
    if (!result.duplicate) this.#outbox.kick();
    const { message } = await this.published(result);
    const { thread } = await this.threadChanged(result.thread);
    return { thread, message };
  }

  /**
   * A reply by email (notifications/inbound.ts), already proven to come from the thread's visitor:
   * appended as the visitor's message, reopening a resolved thread, like a send from the widget.
   * Having read the email, the visitor has read what it carried (`readUpTo`).
   */
  async postFromEmail(
    thread: ThreadsTable,
    input: { clientId: string; text: string; attachmentIds: string[]; meta: Record<string, unknown>; readUpTo: number },
  ): Promise<{ message: Message; duplicate: boolean }> {
    const p: Principal = { appId: thread.app_id, visitorId: thread.visitor_id, userId: thread.user_id };
    const result = await this.store.append({
      appId: p.appId,
      threadId: thread.id,
      principal: p,
      message: { clientId: input.clientId, author: { kind: 'visitor' }, text: input.text, kind: 'text', attachmentIds: input.attachmentIds, meta: input.meta, bodyExtra: ['email'] },
      reopen: true,
      bot: await this.#bot(p.appId),
    });
    const published = await this.published(result);
    if (result.reopened) await this.threadChanged(result.thread);
    if (!result.duplicate) {
      const updated = await this.store.setReadSeq(thread.id, 'visitor', input.readUpTo);
      if (Number(updated.visitor_read_seq) !== Number(result.thread.visitor_read_seq)) {
        const event = { threadId: thread.id, seq: Number(updated.visitor_read_seq), by: 'visitor' as const };
        this.io.to(ownerRoom(updated)).emit('read', event);
        this.agents.to(agentRoom(p.appId)).emit('read', event);
      }
    }
    return { message: published.message, duplicate: result.duplicate };
  }

  // ---- brand side ----

  /**
   * The away message (services/availability.ts): a bot message with `meta.away`, deduplicated by
   * `idempotencyKey` (one per closed period). It queues no email: an away notice is no answer.
   *
   * The key alone says whether this period's notice was posted. The store also compares bodies,
   * so a notice already posted with the brand's earlier text (the app's away message changed
   * during the closed period, then another node or a restarted one sees the next visitor
   * message) comes back as a `conflict`: that is "already posted", not an error, and nothing is
   * written (the append's transaction rolled back).
   */
  async postAway(thread: ThreadsTable, text: string, idempotencyKey: string): Promise<void> {
    let result: AppendResult;
    try {
      result = await this.store.append({
        appId: thread.app_id,
        threadId: thread.id,
        message: { clientId: idempotencyKey, author: { kind: 'bot' }, text, kind: 'text', attachmentIds: [], meta: { away: true }, bodyExtra: ['away'] },
        reopen: false,
      });
    } catch (err) {
      if (err instanceof ServerError && err.code === 'conflict') return;
      throw err;
    }
    if (!result.duplicate) await this.published(result);
  }

  /** A message from an agent or bot, through REST. `idempotencyKey` plays the clientId's role. */
  async postFromBrand(
    appId: string,
    threadId: string,
    input: { text: string; attachmentIds: string[]; author: Author; quickReplies?: { label: string; value?: string }[]; blocks?: Block[]; idempotencyKey: string | null },
  ): Promise<{ message: Message; duplicate: boolean }> {
    const images = fileImagesOf(input.blocks);
    if (images.length) {
      const thread = await this.store.getThread(threadId);
      if (!thread || thread.app_id !== appId) throw notFound('thread');
      const refused = await this.store.claimImages(appId, threadId, images);
      if (refused.length) throw new ServerError('bad_request', `blocks: /v1/files/${refused[0]} is not an image uploaded by this app for this thread`);
    }
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
        blocks: input.blocks,
        // Blocks join the body only when present, so keys stored before them keep their hash.
        bodyExtra: [input.author, input.quickReplies ?? null, ...(input.blocks?.length ? [input.blocks] : [])],
      },
      reopen: false,
      bot: await this.#bot(appId),
    }, this.notifications ? (trx, r) => this.notifications!.enqueue(trx, r.thread, [...r.prelude, r.message]) : undefined);
    if (!result.duplicate) this.notifications?.committed();
    const { message } = await this.published(result);
    return { message, duplicate: result.duplicate };
  }

  /**
   * Gives a thread to the bot, the queue or an agent (`POST /v1/threads/:id/assign`): the
   * `thread.assigned` system message, the `thread.assigned` and `message.created` deliveries and
   * the new assignee commit together; both sides hear the message and the thread. The same
   * assignee again changes nothing and announces nothing.
   */
  async assign(appId: string, threadId: string, change: AssignmentChange): Promise<{ thread: AgentThread; message: Message | null }> {
    const res = await this.store.assign(appId, threadId, change);
    if (!res.changed) return { thread: await this.agentThread(res.thread), message: null };
    // `published` tells both sides of the message and of the thread with its new assignee.
    const { message } = await this.published(res.result);
    return { thread: await this.agentThread(res.result.thread), message };
  }

  async #bot(appId: string): Promise<BotPolicy | undefined> {
    return this.bots ? this.bots.policy(appId) : undefined;
  }

  /** An inbox is typing in a thread of its app: the visitor's tabs and the other inboxes (not `fromSocket`) hear it. */
  async typingFromAgent(appId: string, { threadId, typing }: TypingInput, author: Author, fromSocket: string): Promise<void> {
    const row = await this.store.getThread(threadId);
    if (!row || row.app_id !== appId) throw notFound('thread');
    this.io.to(ownerRoom(row)).emit('typing', { threadId, author, typing });
    this.agents.to(agentRoom(appId)).except(fromSocket).emit('typing', { threadId, author, typing });
  }

  /** Resolves or reopens a thread; its `thread.resolved` / `thread.reopened` delivery commits with the change. */
  async setStatus(appId: string, threadId: string, status: 'open' | 'resolved'): Promise<AgentThread> {
    const row = await this.store.getThread(threadId);
    if (!row || row.app_id !== appId) throw notFound('thread');
    if (row.status === status) return this.agentThread(row);
    // Asked before the transaction, so no row stays locked while other nodes are asked.
    const online = await this.isOnline(row.visitor_id);
    const event = status === 'resolved' ? 'thread.resolved' : 'thread.reopened';
    const res = await this.store.setStatus(appId, threadId, status, (trx, updated) => this.#outbox.thread(trx, event, updated, online));
    if (!res) throw notFound('thread');
    if (!res.changed) return this.agentThread(res.thread);
    this.#outbox.kick();
    const { agentThread } = await this.threadChanged(res.thread);
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

/** What a connection tells of its device: the context's `device`, as the connection sets it. */
export function deviceContext(userAgent: string | undefined): { device: { userAgent?: string } } {
  return { device: userAgent ? { userAgent: userAgent.slice(0, 300) } : {} };
}

function sameDevice(visitor: VisitorsTable, { device }: { device: { userAgent?: string } }): boolean {
  const current = (JSON.parse(visitor.context) as VisitorContext).device;
  return current !== undefined && Object.keys(current).length === Object.keys(device).length && current.userAgent === device.userAgent;
}

/** The inbox's view of a thread: the thread with its visitor (a placeholder when the row is gone). */
function withVisitor(thread: Thread, row: ThreadsTable, visitor: AgentVisitorRow | undefined, online: boolean): AgentThread {
  return {
    ...thread,
    assignee: agentAssigneeOf(row),
    visitor: visitor
      ? toAgentVisitor(visitor, online)
      : { id: row.visitor_id, userId: row.user_id, name: null, email: null, context: {}, online: false, lastSeenAt: null },
  };
}

/** A page of messages ascending, with `more` telling whether the same direction has more. */
async function pageOf(store: SqlStore, threadId: string, opts: { after?: number; before?: number; limit: number }): Promise<{ items: Message[]; more: boolean }> {
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

/** Ids of the file-store images (`/v1/files/<id>`) on a message's cards. */
function fileImagesOf(blocks: readonly Block[] | undefined): string[] {
  const cards = (blocks ?? []).flatMap((b) => (b.type === 'card' ? [b] : b.type === 'carousel' ? b.cards : []));
  const ids = cards.flatMap((c) => (c.image && FILE_PATH.test(c.image.url) ? [c.image.url.slice('/v1/files/'.length)] : []));
  return [...new Set(ids)];
}

const FIELD_PROBLEMS: Record<FieldProblem, string> = {
  required: 'is required',
  email: 'must be an email address',
  pattern: "does not match the field's pattern",
  too_long: 'is too long',
  unknown: 'is not a field of this form',
};

/** What a visitor's send carries besides its text, stored in the message's `meta` (absent when nothing). */
function visitorMeta(input: SendInput): Record<string, unknown> | undefined {
  if (!input.quickReply && !input.proactiveId && !input.handoff && !input.form) return undefined;
  return {
    quickReply: input.quickReply,
    proactiveId: input.proactiveId,
    ...(input.handoff ? { handoff: true } : {}),
    ...(input.form ? { form: input.form } : {}),
  };
}
