import { createHash } from 'node:crypto';
import { sql, type ExpressionBuilder, type Kysely, type SelectQueryBuilder } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Author, Block, QuickReply, VisitorContext } from '@threadline/protocol';
import type { Database, FilesTable, MessagesTable, ProactiveTable, ThreadsTable, VisitorsTable } from '../db/schema.js';
import { engineOf, type Engine } from '../db/engine.js';
import { ServerError, notFound } from '../errors.js';
import { hashApiKey } from '../auth/api-keys.js';
import { toAttachment, type AgentVisitorRow } from './rows.js';
import { assignedColumns, assignedMessage, botTurn, sameAssignee, type AssignmentChange, type BotPolicy } from './assignment.js';
import { GroupCommit } from './group-commit.js';
import { TtlCache } from './ttl-cache.js';

/** Who is acting on the visitor channel: always a visitor, sometimes proven to be a user. */
export interface Principal {
  appId: string;
  visitorId: string;
  userId: string | null;
  /** Threads of someone else's this visitor opened from an email's continue link (notifications/continue.ts). */
  threads?: readonly string[];
}

export interface AppRow {
  id: string;
  name: string;
  secret: string;
  allowedOrigins: string[];
}

export interface NewMessage {
  /** Chosen by the caller when another message of the same append names it (a prompt's prelude, answered by a form). @default a new UUIDv7 */
  id?: string;
  clientId: string | null;
  author: Author;
  text: string;
  kind: MessagesTable['kind'];
  attachmentIds?: string[];
  quickReplies?: QuickReply[] | undefined;
  /** Rich content, validated by the caller (protocol `blocksSchema`). */
  blocks?: Block[] | undefined;
  meta?: Record<string, unknown> | undefined;
  /** Extra fields that make two sends with the same clientId different (e.g. the quick reply). */
  bodyExtra?: unknown;
}

export interface AppendInput {
  appId: string;
  threadId: string;
  /** Visitor sends: the thread must be visible to this principal. Absent for the brand side. */
  principal?: Principal;
  /** Create the thread when it does not exist yet (visitor's first message). */
  create?: { visitorId: string; userId: string | null; campaign: string | null; prelude?: NewMessage[] };
  message: NewMessage;
  /** A resolved thread reopens when the visitor writes again. */
  reopen: boolean;
  /**
   * The app's bot (store/assignment.ts): a thread created here goes to the bot when it is enabled
   * (to the queue otherwise); a visitor message in a bot thread may hand it off; a bot message on a
   * thread the bot does not handle is refused (`bot_not_assigned`) when it is enabled.
   * @default no bot
   */
  bot?: BotPolicy;
}

export interface AppendResult {
  message: MessagesTable;
  /** Messages inserted in the same transaction before `message` (a prompt that started the thread). */
  prelude: MessagesTable[];
  /** Messages inserted in the same transaction after `message`: the `thread.assigned` event of a handoff it caused. */
  after: MessagesTable[];
  /** The assignee changed in this append (a handoff, or `assign`): the change, and who had the thread before. */
  assigned?: { change: AssignmentChange; from: ThreadsTable };
  thread: ThreadsTable;
  duplicate: boolean;
  created: boolean;
  /** The thread was resolved and this message reopened it. */
  reopened: boolean;
  /**
   * Webhook deliveries the append hook queued in the transaction (0 on a repeat): the caller wakes
   * the dispatcher only when there is something to send.
   */
  deliveries: number;
  /**
   * What the views of the thread sent after the commit need, read in the append's own statements
   * (absent on a repeat): unread counts of both sides with the new messages, and the visitor's
   * row when the thread existed before (a new thread's visitor is read after).
   */
  summary?: { unread: { visitor: number; agent: number }; visitor?: AgentVisitorRow };
}

const now = () => Date.now();

/**
 * Thrown inside an append's transaction when its insert found the clientId taken by a send that
 * committed while this one waited for the thread's lock: the transaction rolls back (its seq with
 * it) and `afterRacedRepeat` runs the append again, which then finds that message.
 */
class RepeatRaced extends Error {}

async function afterRacedRepeat<T>(append: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await append();
    } catch (err) {
      // Each round is another send of the same clientId that won: three in a row cannot happen
      // unless something is wrong, which then surfaces as an error rather than a loop.
      if (!(err instanceof RepeatRaced) || attempt === 3) throw err;
    }
  }
}

function bodyHash(m: NewMessage): string {
  return createHash('sha256')
    .update(JSON.stringify([m.text, m.attachmentIds ?? [], m.bodyExtra ?? null]))
    .digest('base64url');
}

function visibleTo(p: Principal) {
  return (eb: ExpressionBuilder<Database, 'threads'>) => {
    const anonymousOwn = eb.and([eb('threads.user_id', 'is', null), eb('threads.visitor_id', '=', p.visitorId)]);
    const own = p.userId ? eb.or([eb('threads.user_id', '=', p.userId), anonymousOwn]) : anonymousOwn;
    const scope = p.threads?.length ? eb.or([own, eb('threads.id', 'in', [...p.threads])]) : own;
    return eb.and([eb('threads.app_id', '=', p.appId), scope]);
  };
}

/**
 * Both sides' unread counts of one thread as two subqueries (`unread_visitor`: the brand's messages
 * past the visitor's horizon; `unread_agent`: the visitor's past the agent's), `t` naming the
 * thread's row in the statement: `threadSummary`'s read and the append's `UPDATE … RETURNING`.
 */
function unreadCounts(eb: ExpressionBuilder<Database, any>, t: 't' | 'threads') {
  const side = (kind: '=' | '<>', horizon: 'visitor_read_seq' | 'agent_read_seq', as: 'unread_visitor' | 'unread_agent') =>
    eb
      .selectFrom('messages as u')
      .select(eb.fn.countAll<number>().as('n'))
      .whereRef('u.thread_id', '=', `${t}.id` as never)
      .where('u.author_kind', kind, 'visitor')
      .whereRef('u.seq', '>', `${t}.${horizon}` as never)
      .as(as);
  return [side('<>', 'visitor_read_seq', 'unread_visitor'), side('=', 'agent_read_seq', 'unread_agent')];
}

export function isVisible(thread: ThreadsTable, p: Principal): boolean {
  if (thread.app_id !== p.appId) return false;
  if (p.threads?.includes(thread.id)) return true;
  if (thread.user_id !== null) return p.userId !== null && thread.user_id === p.userId;
  return thread.visitor_id === p.visitorId;
}

/** What one `append` inserted, as its transaction's hooks see it. */
export interface Appended {
  input: AppendInput;
  thread: ThreadsTable;
  /** The prelude, then the message, then what follows it (a handoff's event). */
  messages: MessagesTable[];
  created: boolean;
  reopened: boolean;
  /** The assignee changed: the change, and the thread's row before it. */
  assigned?: { change: AssignmentChange; from: ThreadsTable };
}

/**
 * Runs inside `append`'s transaction with the messages it inserted (the webhook outbox uses it);
 * resolves with how many webhook deliveries it queued.
 */
export type AppendHook = (trx: Kysely<Database>, appended: Appended) => Promise<number | void>;

/**
 * Runs inside the transaction of a change, after it, with what changed: the transactional outbox
 * writes the change's webhook deliveries (or a job) here, so both commit or neither does. A throw
 * rolls the change back.
 */
export type TxHook<T> = (trx: Kysely<Database>, changed: T) => Promise<void>;

const DAY_MS = 24 * 60 * 60 * 1000;
/** The experiment arm that is never shown anything (campaign-spec.ts `HOLDOUT`). */
const HOLDOUT_ARM = 'holdout';

/** How storing a campaign's prompt ended: stored, over a cap, stored before (a rerun), or held out (exposure only). */
export type CampaignPromptOutcome = 'inserted' | 'capped' | 'exists' | 'held_out';
/** A conversation with a person is going on while an agent wrote in an open thread this recently: no prompt then. */
export const PERSON_ACTIVE_MS = 30 * 60 * 1000;

/** Whose conversations `lastPersonMessageAt` looks at: a visitor (and its user), or a user. */
export type PersonTarget = { visitorId: string; userId?: string | null } | { userId: string };

export interface SqlStoreOptions {
  /**
   * Called inside the transaction of every `append` that inserts messages; a throw rolls the
   * message back. The server queues the `message.created` webhook deliveries here, and
   * `thread.created` / `thread.reopened` when the append created or reopened the thread.
   * @default none
   */
  onAppend?: AppendHook;
  /**
   * How long an app read by id or by API key (`getApp`, `appByApiKey`: every visitor handshake,
   * every REST call, every agent connection) is answered from memory. Apps change only when a
   * node starts (`updateApp`, which forgets them on that node): another node sees the change
   * within this time. 0 reads every time.
   * @default 5000
   */
  appCacheMs?: number;
  /**
   * True when a visitor's message to an app writes nothing in its transaction besides itself (no
   * webhook subscribed, as far as this node knows: server.ts asks the webhook dispatcher's
   * no-hooks cache). On PostgreSQL such a message to an existing thread nobody else handles is
   * appended by one statement (`threadline_append_visitor`, migration 0015).
   * @default never: every append is a transaction of several statements
   */
  quietAppend?: (appId: string) => boolean;
}

/** A visitor's send that `#appendInOneStatement` may append in a group. */
interface QuietSend {
  row: MessagesTable;
  principal: Principal;
  create: boolean;
  reopen: boolean;
}

/**
 * Groups of quiet sends running at once on a node (each holds a pooled connection for one
 * statement), and the most sends in one group (its statement's parameter is one JSON document).
 */
const GROUP_IN_FLIGHT = 2;
const GROUP_MAX_SENDS = 64;

/** How many prompts of a campaign a visitor (or user) may get in a window: a rule's cap. */
export interface CampaignCap {
  count: number;
  /** Prompts created after this time count. */
  since: number;
}

/**
 * The experiment arm a campaign's prompt goes out in (services/campaign-spec.ts): stored as the
 * person's exposure in the transaction of the prompt, the first time only. The holdout's prompt is
 * not stored: its exposure alone records that it would have gone out.
 */
export interface Exposure {
  campaign: string;
  /** `u:<userId>` or `v:<visitorId>` (campaign-spec.ts `subjectOf`). */
  subject: string;
  /** A variant id, or `holdout`. */
  variant: string;
  visitorId: string | null;
  userId: string | null;
}

/**
 * The SQL of apps, visitors, threads, messages, files, prompts and tracked events; its siblings
 * in store/ hold the rest (`WebhookStore`, `SessionStore`), so no other layer writes a query.
 * Written against Kysely with portable SQL so the embedded SQLite engine and PostgreSQL share it;
 * the engine is chosen by the dialect passed in.
 *
 * Concurrency: on SQLite one transaction runs at a time (Kysely's driver holds its one connection
 * for the whole transaction), so a read-then-write is safe as written. On PostgreSQL transactions
 * run side by side under READ COMMITTED, possibly on several nodes, so every read-then-write here
 * either locks what it read (`#locked`: `FOR UPDATE` on PostgreSQL, nothing on SQLite) or is a
 * single statement that cannot lose a race (`ON CONFLICT DO NOTHING`, a guarded `UPDATE`).
 */
export class SqlStore {
  readonly #onAppend: AppendHook | null;
  readonly #quietAppend: (appId: string) => boolean;
  readonly #engine: Engine;
  /** Apps found (a miss is not kept: an app created meanwhile is found at once). */
  readonly #apps: TtlCache<AppRow | undefined>;
  #sends: GroupCommit<QuietSend, AppendResult | null> | null = null;

  constructor(
    readonly db: Kysely<Database>,
    options: SqlStoreOptions = {},
  ) {
    this.#onAppend = options.onAppend ?? null;
    this.#quietAppend = options.quietAppend ?? (() => false);
    this.#engine = engineOf(db);
    this.#apps = new TtlCache(options.appCacheMs ?? 5000);
  }

  /**
   * The rows `q` reads stay locked until the transaction ends (PostgreSQL; `FOR NO KEY UPDATE`
   * when only non-key columns will change, which lets inserts that reference the row through a
   * foreign key go on). SQLite needs no lock, and has no such clause.
   */
  #locked<O>(q: SelectQueryBuilder<Database, any, O>, strength: 'update' | 'no key update' = 'update', of?: string): SelectQueryBuilder<Database, any, O> {
    if (this.#engine !== 'postgres') return q;
    return strength === 'update' ? q.forUpdate(of as never) : q.forNoKeyUpdate(of as never);
  }

  /** This store's reads and writes inside `trx`, an open transaction (no hooks). */
  within(trx: Kysely<Database>): SqlStore {
    return new SqlStore(trx);
  }

  // ---- apps ----

  /**
   * Creates the app unless one with its id exists, which is kept as it is. One statement, so nodes
   * starting at once create it once; `created` tells whether this call did.
   */
  async createAppIfAbsent(input: { id: string; name: string; apiKey: string; secret: string; allowedOrigins: string[] }): Promise<{ app: AppRow; created: boolean }> {
    const res = await this.db
      .insertInto('apps')
      .values({
        id: input.id,
        name: input.name,
        api_key_hash: hashApiKey(input.apiKey),
        secret: input.secret,
        allowed_origins: JSON.stringify(input.allowedOrigins),
        created_at: now(),
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    if (Number(res.numInsertedOrUpdatedRows) === 1) {
      return { app: { id: input.id, name: input.name, secret: input.secret, allowedOrigins: input.allowedOrigins }, created: true };
    }
    return { app: (await this.getApp(input.id))!, created: false };
  }

  /** Changes what is given; keeps the rest (an API key is only ever stored hashed). */
  async updateApp(id: string, input: { apiKey?: string | undefined; secret?: string | undefined; allowedOrigins: string[] }): Promise<AppRow> {
    const set: { allowed_origins: string; api_key_hash?: string; secret?: string } = { allowed_origins: JSON.stringify(input.allowedOrigins) };
    if (input.apiKey) set.api_key_hash = hashApiKey(input.apiKey);
    if (input.secret) set.secret = input.secret;
    await this.db.updateTable('apps').set(set).where('id', '=', id).execute();
    this.#apps.clear();
    return (await this.getApp(id))!;
  }

  /** The app, from memory when read less than `appCacheMs` ago (see `SqlStoreOptions`). */
  async getApp(id: string): Promise<AppRow | undefined> {
    return this.#apps.get(`id:${id}`, async () => {
      const row = await this.db.selectFrom('apps').selectAll().where('id', '=', id).executeTakeFirst();
      return row && appRow(row);
    }, Boolean);
  }

  /** The app of an API key, from memory like `getApp`; a key no app has is read every time. */
  async appByApiKey(key: string): Promise<AppRow | undefined> {
    const hash = hashApiKey(key);
    return this.#apps.get(`key:${hash}`, async () => {
      const row = await this.db.selectFrom('apps').selectAll().where('api_key_hash', '=', hash).executeTakeFirst();
      return row && appRow(row);
    }, Boolean);
  }

  async allOrigins(): Promise<string[]> {
    const rows = await this.db.selectFrom('apps').select('allowed_origins').execute();
    return rows.flatMap((r) => JSON.parse(r.allowed_origins) as string[]);
  }

  // ---- visitors ----

  async getVisitor(id: string): Promise<VisitorsTable | undefined> {
    return this.db.selectFrom('visitors').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async visitorsByIds(appId: string, ids: string[]): Promise<VisitorsTable[]> {
    if (!ids.length) return [];
    return this.db.selectFrom('visitors').selectAll().where('app_id', '=', appId).where('id', 'in', ids).orderBy('last_seen_at', 'desc').execute();
  }

  async recentVisitors(appId: string, limit: number): Promise<VisitorsTable[]> {
    return this.db.selectFrom('visitors').selectAll().where('app_id', '=', appId).orderBy('last_seen_at', 'desc').limit(limit).execute();
  }

  /** A new visitor; `context` is what the connection that creates it already knows (its device). */
  async createVisitor(appId: string, context: VisitorContext = {}): Promise<VisitorsTable> {
    const row: VisitorsTable = {
      id: uuidv7(),
      app_id: appId,
      user_id: null,
      name: null,
      email: null,
      context: JSON.stringify(context),
      created_at: now(),
      last_seen_at: now(),
      notify_email: null,
    };
    await this.db.insertInto('visitors').values(row).execute();
    return row;
  }

  /**
   * Links a visitor to a verified user and moves its anonymous threads to the user, so the history
   * follows them to other devices. Returns the ids of the threads that moved.
   */
  async bindUser(visitorId: string, identity: { userId: string; name?: string | undefined; email?: string | undefined }): Promise<string[]> {
    return this.db.transaction().execute(async (trx) => {
      const profile: Partial<VisitorsTable> = { user_id: identity.userId };
      if (identity.name !== undefined) profile.name = identity.name;
      if (identity.email !== undefined) profile.email = identity.email;
      await trx.updateTable('visitors').set(profile).where('id', '=', visitorId).execute();
      const moved = await trx
        .updateTable('threads')
        .set({ user_id: identity.userId })
        .where('visitor_id', '=', visitorId)
        .where('user_id', 'is', null)
        .returning('id')
        .execute();
      await trx
        .updateTable('proactive')
        .set({ user_id: identity.userId })
        .where('visitor_id', '=', visitorId)
        .where('user_id', 'is', null)
        .execute();
      return moved.map((r) => r.id);
    });
  }

  async setVisitorProfile(visitorId: string, profile: { name?: string | undefined; email?: string | undefined }): Promise<void> {
    const set: Partial<VisitorsTable> = {};
    if (profile.name !== undefined) set.name = profile.name;
    if (profile.email !== undefined) set.email = profile.email;
    if (Object.keys(set).length) await this.db.updateTable('visitors').set(set).where('id', '=', visitorId).execute();
  }

  async touchVisitor(visitorId: string): Promise<void> {
    await this.db.updateTable('visitors').set({ last_seen_at: now() }).where('id', '=', visitorId).execute();
  }

  /** Last seen now; the visitor's row as it is after that (one statement). */
  async seenNow(visitorId: string): Promise<VisitorsTable | undefined> {
    return this.db.updateTable('visitors').set({ last_seen_at: now() }).where('id', '=', visitorId).returningAll().executeTakeFirst();
  }

  async mergeContext(visitorId: string, patch: VisitorContext): Promise<VisitorsTable | undefined> {
    return this.db.transaction().execute(async (trx) => {
      // Locked: two tabs updating the context at once must both land, not the last one alone.
      const row = await this.#locked(trx.selectFrom('visitors').selectAll().where('id', '=', visitorId), 'no key update').executeTakeFirst();
      if (!row) return undefined;
      const current = JSON.parse(row.context) as VisitorContext;
      const next: VisitorContext = { ...current, ...patch };
      if (patch.attributes) next.attributes = { ...current.attributes, ...patch.attributes };
      const context = JSON.stringify(next);
      await trx.updateTable('visitors').set({ context, last_seen_at: now() }).where('id', '=', visitorId).execute();
      return { ...row, context };
    });
  }

  // ---- threads ----

  async getThread(id: string): Promise<ThreadsTable | undefined> {
    return this.db.selectFrom('threads').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** The thread if this principal may see it; `not_found` otherwise (unknown and forbidden look alike). */
  async visibleThread(p: Principal, id: string): Promise<ThreadsTable> {
    const row = await this.getThread(id);
    if (!row || !isVisible(row, p)) throw notFound('thread');
    return row;
  }

  async threadsOf(p: Principal, opts: { before?: { updatedAt: number; id: string }; limit: number }): Promise<ThreadsTable[]> {
    let q = this.db.selectFrom('threads').selectAll().where(visibleTo(p));
    const before = opts.before;
    if (before) {
      q = q.where((eb) =>
        eb.or([eb('updated_at', '<', before.updatedAt), eb.and([eb('updated_at', '=', before.updatedAt), eb('id', '<', before.id)])]),
      );
    }
    return q.orderBy('updated_at', 'desc').orderBy('id', 'desc').limit(opts.limit).execute();
  }

  /**
   * What a visitor's `sync` reads, on PostgreSQL in one statement: its newest `limit` threads
   * (as `threadsOf`) each with its newest message and the visitor's unread count (as
   * `lastMessages` and `unreadCounts`), and its pending prompts (as `pendingProactive`), which
   * the same statement marks delivered. Five statements and one per prompt otherwise — on every
   * reconnection, so a node that restarts under thousands of widgets answers their syncs this many
   * times faster. Null on SQLite, whose statements cost no round trip: the caller reads them apart.
   */
  async syncSnapshot(p: Principal, limit: number): Promise<{ threads: { row: ThreadsTable; last: MessagesTable | undefined; unread: number }[]; pending: ProactiveTable[] } | null> {
    if (this.#engine !== 'postgres') return null;
    const threads = this.db.selectFrom('threads').selectAll().where(visibleTo(p)).orderBy('updated_at', 'desc').orderBy('id', 'desc').limit(limit);
    const { rows } = await sql<{ threads: { t: ThreadsTable; last: MessagesTable | null; unread: number }[]; pending: ProactiveTable[] }>`
      with pending as (${this.#pendingProactive(p)}),
      marked as (update proactive set delivered_at = ${now()} where id in (select id from pending) and delivered_at is null)
      select
        coalesce((select jsonb_agg(jsonb_build_object(
          't', to_jsonb(x),
          'last', (select to_jsonb(m) from messages m where m.thread_id = x.id and m.seq = x.last_seq),
          'unread', (select count(*) from messages u where u.thread_id = x.id and u.author_kind <> 'visitor' and u.seq > x.visitor_read_seq)
        ) order by x.updated_at desc, x.id desc) from (${threads}) x), '[]') as threads,
        coalesce((select jsonb_agg(to_jsonb(q) order by q.created_at, q.id) from pending q), '[]') as pending
    `.execute(this.db);
    const r = rows[0]!;
    return { threads: r.threads.map((x) => ({ row: x.t, last: x.last ?? undefined, unread: Number(x.unread) })), pending: r.pending };
  }

  async threadsOfApp(appId: string, opts: { status?: 'open' | 'resolved'; before?: { updatedAt: number; id: string }; limit: number }): Promise<ThreadsTable[]> {
    let q = this.db.selectFrom('threads').selectAll().where('app_id', '=', appId);
    if (opts.status) q = q.where('status', '=', opts.status);
    const before = opts.before;
    if (before) {
      q = q.where((eb) =>
        eb.or([eb('updated_at', '<', before.updatedAt), eb.and([eb('updated_at', '=', before.updatedAt), eb('id', '<', before.id)])]),
      );
    }
    return q.orderBy('updated_at', 'desc').orderBy('id', 'desc').limit(opts.limit).execute();
  }

  /** Newest message of each thread, by thread id. */
  async lastMessages(threads: ThreadsTable[]): Promise<Map<string, MessagesTable>> {
    const ids = threads.filter((t) => t.last_seq > 0).map((t) => t.id);
    if (!ids.length) return new Map();
    const rows = await this.db
      .selectFrom('messages as m')
      .innerJoin('threads as t', (j) => j.onRef('t.id', '=', 'm.thread_id').onRef('m.seq', '=', 't.last_seq'))
      .selectAll('m')
      .where('t.id', 'in', ids)
      .execute();
    return new Map(rows.map((r) => [r.thread_id, r]));
  }

  /**
   * Unread counts by thread. For the visitor: brand-side messages past the visitor's horizon;
   * for the brand: visitor messages past the agent horizon.
   */
  async unreadCounts(threads: ThreadsTable[], side: 'visitor' | 'agent'): Promise<Map<string, number>> {
    const ids = threads.map((t) => t.id);
    if (!ids.length) return new Map();
    let q = this.db
      .selectFrom('messages as m')
      .innerJoin('threads as t', 't.id', 'm.thread_id')
      .select(['m.thread_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('m.thread_id', 'in', ids);
    q =
      side === 'visitor'
        ? q.where('m.author_kind', '<>', 'visitor').whereRef('m.seq', '>', 't.visitor_read_seq')
        : q.where('m.author_kind', '=', 'visitor').whereRef('m.seq', '>', 't.agent_read_seq');
    const rows = await q.groupBy('m.thread_id').execute();
    return new Map(rows.map((r) => [r.thread_id, r.n]));
  }

  /**
   * What both views of one thread need besides its row, in one statement: its newest message and
   * the unread counts of both sides (as `lastMessages` and `unreadCounts` count them). The fan-out
   * after every send reads this once instead of four statements.
   */
  async threadSummary(threadId: string): Promise<{ last: MessagesTable | undefined; unread: { visitor: number; agent: number } }> {
    const row = await this.db
      .selectFrom('threads as t')
      .leftJoin('messages as m', (j) => j.onRef('m.thread_id', '=', 't.id').onRef('m.seq', '=', 't.last_seq'))
      .selectAll('m')
      .select((eb) => unreadCounts(eb, 't'))
      .where('t.id', '=', threadId)
      .executeTakeFirst();
    if (!row) return { last: undefined, unread: { visitor: 0, agent: 0 } };
    const { unread_visitor, unread_agent, ...m } = row;
    return {
      last: m.id === null ? undefined : (m as MessagesTable),
      unread: { visitor: Number(unread_visitor ?? 0), agent: Number(unread_agent ?? 0) },
    };
  }

  async setReadSeq(threadId: string, side: 'visitor' | 'agent', seq: number): Promise<ThreadsTable> {
    const column = side === 'visitor' ? 'visitor_read_seq' : 'agent_read_seq';
    const thread = await this.getThread(threadId);
    if (!thread) throw notFound('thread');
    // The horizon only moves forward (the WHERE guard keeps the max under races) and never past
    // the newest message. Plain comparisons keep the SQL portable (no GREATEST/max()).
    const target = Math.min(seq, thread.last_seq);
    await this.db.updateTable('threads').set({ [column]: target }).where('id', '=', threadId).where(column, '<', target).execute();
    return (await this.getThread(threadId))!;
  }

  /**
   * Sets the status of the app's thread; `undefined` when it has no such thread. Only a change
   * counts: of two nodes resolving a thread at once, one changes it (`changed`, and `then` runs in
   * its transaction) and the other finds it resolved.
   */
  async setStatus(
    appId: string,
    threadId: string,
    status: 'open' | 'resolved',
    then?: TxHook<ThreadsTable>,
  ): Promise<{ thread: ThreadsTable; changed: boolean } | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('threads')
        .set({ status, updated_at: now() })
        .where('id', '=', threadId)
        .where('app_id', '=', appId)
        .where('status', '<>', status)
        .returningAll()
        .executeTakeFirst();
      if (updated) {
        if (then) await then(trx, updated);
        return { thread: updated, changed: true };
      }
      const row = await trx.selectFrom('threads').selectAll().where('id', '=', threadId).executeTakeFirst();
      return row && row.app_id === appId ? { thread: row, changed: false } : undefined;
    });
  }

  /**
   * A visitor rates a thread it can see: the rating on the thread and its `rating` message commit
   * together, with whatever `then` writes (the `rating.submitted` delivery), unless the message
   * is a repeat (`duplicate`), which changes nothing.
   */
  async rate(input: AppendInput & { principal: Principal }, rating: { score: number; comment: string | null }, then?: TxHook<AppendResult>): Promise<AppendResult> {
    return afterRacedRepeat(() =>
      this.db.transaction().execute(async (trx) => {
        const thread = await this.#locked(trx.selectFrom('threads').selectAll().where('id', '=', input.threadId), 'no key update').executeTakeFirst();
        if (!thread || thread.app_id !== input.appId || !isVisible(thread, input.principal)) throw notFound('thread');
        const rated = await trx
          .updateTable('threads')
          .set({ rating_score: rating.score, rating_comment: rating.comment })
          .where('id', '=', thread.id)
          .returningAll()
          .executeTakeFirstOrThrow();
        // The row this transaction has locked and just wrote is the one the append works on: not read again.
        const result = await this.#appendIn(trx, input, rated);
        if (result.duplicate) return result;
        if (then) await then(trx, result);
        return result;
      }),
    );
  }

  // ---- messages ----

  /**
   * Appends a message with the next seq, in one transaction with the idempotency check: a repeat
   * of (thread, clientId) with the same body returns the stored message; with another body it is
   * a `conflict`. The caller acknowledges only after this resolves, i.e. after commit.
   *
   * Safe when sends race, on any number of nodes: the thread row is locked before the clientId is
   * looked up, so of two sends with one clientId the second waits for the first to commit and
   * then finds its message (`duplicate`, same seq). Seqs are taken from the locked row with
   * `UPDATE … RETURNING` in the transaction that inserts the messages, so they have no gaps and no
   * repeats. Two first sends of one new thread both insert it with `ON CONFLICT DO NOTHING`: one
   * creates it, the other waits for that and finds it.
   */
  async append(input: AppendInput, then?: TxHook<AppendResult>): Promise<AppendResult> {
    const fast = then ? null : await this.#appendInOneStatement(input);
    if (fast) return fast;
    return afterRacedRepeat(() =>
      this.db.transaction().execute(async (trx) => {
        const result = await this.#appendIn(trx, input);
        // `then`: more of the same change (a prompt marked answered by this message), or nothing on a repeat.
        if (then && !result.duplicate) await then(trx, result);
        return result;
      }),
    );
  }

  /**
   * The usual visitor send on PostgreSQL — a text message to a thread nobody else handles (no
   * bot), or the first message that creates it, of an app whose appends write nothing else
   * (`quietAppend`) — without a transaction of several statements: the function of migration 0016
   * does what `#appendIn` does for it (lock, visibility, clientId, seq, insert, the new thread) in
   * one round trip, for every such send that reached this node while the previous ones ran
   * (`GroupCommit`): the thread's lock and a pooled connection are held for the time PostgreSQL
   * takes, not for round trips through this node's event loop, and a busy node pays one statement
   * and one commit per group. Null: not such a send, or the function answered that it is not (a
   * repeat, a thread the message reopens or a bot handles, one the visitor may not write in, a
   * thread that does not exist and is not to be created here), or the group's statement failed:
   * `#appendIn` decides then, alone.
   */
  async #appendInOneStatement(input: AppendInput): Promise<AppendResult | null> {
    const { principal: p, message: m, create: c } = input;
    if (this.#engine !== 'postgres' || !p || m.author.kind !== 'visitor' || m.author.name || m.author.avatarUrl || m.attachmentIds?.length || !this.#quietAppend(input.appId)) return null;
    // A thread created here waits for a person, has no prompt before its first message and is
    // the sender's: anything else is created by the general path.
    const create = !!c && !input.bot?.enabled && !c.prelude?.length && c.campaign === null && c.visitorId === p.visitorId && c.userId === p.userId;
    // A send that may create its thread, but not here, most likely does: no statement to learn that.
    if (c && !create) return null;
    const at = now();
    const row: MessagesTable = {
      id: uuidv7(),
      app_id: input.appId,
      thread_id: input.threadId,
      seq: 0,
      client_id: m.clientId,
      body_hash: bodyHash(m),
      author_kind: 'visitor',
      author_name: null,
      author_avatar: null,
      text: m.text,
      kind: m.kind,
      attachments: '[]',
      quick_replies: m.quickReplies?.length ? JSON.stringify(m.quickReplies) : null,
      blocks: m.blocks?.length ? JSON.stringify(m.blocks) : null,
      meta: m.meta ? JSON.stringify(m.meta) : null,
      created_at: at,
    };
    this.#sends ??= new GroupCommit((sends) => this.#appendGroup(sends), { inFlight: GROUP_IN_FLIGHT, maxItems: GROUP_MAX_SENDS });
    return this.#sends.run({ row, principal: p, create, reopen: input.reopen });
  }

  /** One statement for a group of quiet visitor sends (`#appendInOneStatement`): an answer per send, in order. */
  async #appendGroup(sends: QuietSend[]): Promise<(AppendResult | null)[]> {
    const json = JSON.stringify(
      sends.map(({ row, principal: p, create, reopen }, i) => ({
        i,
        thread_id: row.thread_id,
        app_id: row.app_id,
        visitor_id: p.visitorId,
        user_id: p.userId,
        threads: p.threads ?? [],
        create,
        id: row.id,
        client_id: row.client_id,
        body_hash: row.body_hash,
        text: row.text,
        kind: row.kind,
        quick_replies: row.quick_replies,
        blocks: row.blocks,
        meta: row.meta,
        at: row.created_at,
        reopen,
      })),
    );
    let rows: { i: number; outcome: string; created: boolean; thread: ThreadsTable | null; unread_visitor: number | null; unread_agent: number | null; visitor: AgentVisitorRow | null }[];
    try {
      ({ rows } = await sql<(typeof rows)[number]>`select * from threadline_append_visitors(${json}::jsonb)`.execute(this.db));
    } catch {
      // Nothing of the group was written (one statement, one transaction): a deadlock with another
      // node's group, a constraint one send broke. Each send takes the general path alone, which
      // answers with its own error if it has one.
      return sends.map(() => null);
    }
    const answers: (AppendResult | null)[] = sends.map(() => null);
    for (const r of rows) {
      if (r.outcome !== 'appended' || !r.thread) continue;
      const { row } = sends[r.i]!;
      const message = { ...row, seq: r.thread.last_seq };
      // Both sides' unread messages before this one, plus this one for the brand side.
      const unread = { visitor: Number(r.unread_visitor ?? 0), agent: Number(r.unread_agent ?? 0) + 1 };
      answers[r.i] = { message, prelude: [], after: [], thread: r.thread, duplicate: false, created: r.created, reopened: false, deliveries: 0, summary: { unread, visitor: r.visitor ?? undefined } };
    }
    return answers;
  }

  /**
   * `locked`: the thread's row, already read and locked in `trx` by the caller.
   *
   * Round trips on the usual path (a thread that exists, one message): one read that locks the
   * thread and looks up the clientId, the seq's `UPDATE … RETURNING`, the insert. The insert is
   * `ON CONFLICT DO NOTHING` on (thread, clientId): on PostgreSQL a send that waited for the
   * thread's lock behind a send of the same clientId on another node re-reads the thread row
   * after the wait but not the messages joined to it, so it can miss that message; the insert
   * then inserts nothing and the append starts over (`RepeatRaced`), now finding it.
   */
  async #appendIn(trx: Kysely<Database>, input: AppendInput, locked?: ThreadsTable, assigning?: AssignmentChange): Promise<AppendResult> {
    const clientId = input.message.clientId;
    const lockThread = async (): Promise<{ thread: ThreadsTable | undefined; repeat: string | null; visitor?: AgentVisitorRow }> => {
      // Only the thread's row is locked (`of t`): its visitor's is read beside it for the views.
      const row = await this.#locked(
        trx
          .selectFrom('threads as t')
          .leftJoin('visitors as v', 'v.id', 't.visitor_id')
          .selectAll('t')
          .select(['v.id as v_id', 'v.user_id as v_user_id', 'v.name as v_name', 'v.email as v_email', 'v.context as v_context', 'v.last_seen_at as v_last_seen_at'])
          .$if(clientId !== null, (q) =>
            q.select((eb) =>
              eb.selectFrom('messages as r').select('r.id').whereRef('r.thread_id', '=', 't.id').where('r.client_id', '=', clientId!).as('repeat_id'),
            ),
          )
          .where('t.id', '=', input.threadId),
        'no key update',
        't',
      ).executeTakeFirst();
      if (!row) return { thread: undefined, repeat: null };
      const { repeat_id, v_id, v_user_id, v_name, v_email, v_context, v_last_seen_at, ...thread } = row as typeof row & { repeat_id?: string | null };
      const visitor = v_id === null ? undefined : { id: v_id, user_id: v_user_id, name: v_name, email: v_email, context: v_context!, last_seen_at: v_last_seen_at };
      return { thread: thread as ThreadsTable, repeat: repeat_id ?? null, visitor };
    };
    let { thread, repeat, visitor } = locked ? { thread: locked, repeat: await this.#repeatOf(trx, locked.id, clientId), visitor: undefined } : await lockThread();
    let created = false;
    if (!thread && input.create) {
      const t = now();
      const row: ThreadsTable = {
        id: input.threadId,
        app_id: input.appId,
        visitor_id: input.create.visitorId,
        user_id: input.create.userId,
        status: 'open',
        last_seq: 0,
        visitor_read_seq: 0,
        agent_read_seq: 0,
        campaign: input.create.campaign,
        rating_score: null,
        rating_comment: null,
        created_at: t,
        updated_at: t,
        notify_sent_seq: 0,
        notify_off: 0,
        ...assignedColumns(input.bot?.enabled ? { kind: 'bot' } : { kind: 'queue' }, t),
      };
      const res = await trx
        .insertInto('threads')
        .values(row)
        .onConflict((oc) => oc.column('id').doNothing())
        .executeTakeFirst();
      created = Number(res.numInsertedOrUpdatedRows) === 1;
      // Not created: another send created it since our read, and has committed (PostgreSQL made
      // the insert wait for that). Its row is read, and locked, like any existing thread's.
      if (!created) ({ thread, repeat, visitor } = await lockThread());
      else thread = row;
    }
    if (!thread || thread.app_id !== input.appId || (input.principal && !isVisible(thread, input.principal))) {
      throw notFound('thread');
    }

    const hash = bodyHash(input.message);
    if (repeat !== null) return this.#repeated(trx, thread, repeat, hash);

    // Who handles the thread after this message: a bot may not write in a thread it does not
    // handle; a visitor's message in a bot thread may hand it off (store/assignment.ts).
    if (input.message.author.kind === 'bot' && input.bot?.enabled && thread.assignee_kind !== 'bot') {
      throw new ServerError('bot_not_assigned', `the bot does not handle this thread (it is ${thread.assignee_kind === 'queue' ? 'waiting for a person' : 'assigned to an agent'})`);
    }
    const at = now();
    const before = thread;
    let assigned = assigning;
    let columns: Partial<ThreadsTable> = assigning ? assignedColumns(assigning.to, at) : {};
    // Only appends that say whose app's bot this is count: a rating or the server's away message
    // (no `bot` given) is neither a visitor's question nor the bot's answer.
    if (!assigning && input.bot) {
      const turn = botTurn(thread, input.message, input.bot.handoffWords);
      if (turn.handoff) {
        assigned = { to: { kind: 'queue' }, by: turn.handoff === 'bot_limit' ? { kind: 'system' } : { kind: 'visitor' }, reason: turn.handoff };
        columns = assignedColumns(assigned.to, at);
      } else if (turn.set) columns = turn.set;
    }
    const prelude = created ? (input.create?.prelude ?? []) : [];
    const toInsert = [...prelude, input.message, ...(assigned && !assigning ? [assignedMessage(before, assigned)] : [])];
    const reopened = input.reopen && thread.status === 'resolved';
    // The seqs of this append: (last_seq - n, last_seq] of the row as this statement leaves it.
    // With the unread counts of both sides before the new messages (the thread's lock keeps every
    // other append out until this one commits): the views after the commit need no read.
    const { unread_visitor, unread_agent, ...updated } = await trx
      .updateTable('threads')
      .set((eb) => ({ last_seq: eb('last_seq', '+', toInsert.length), updated_at: at, ...columns, ...(reopened ? { status: 'open' as const } : {}) }))
      .where('id', '=', thread.id)
      .returningAll()
      .returning((eb) => unreadCounts(eb, 'threads'))
      .executeTakeFirstOrThrow();
    thread = updated as ThreadsTable;
    const unread = { visitor: Number(unread_visitor ?? 0), agent: Number(unread_agent ?? 0) };
    for (const m of toInsert) unread[m.author.kind === 'visitor' ? 'agent' : 'visitor'] += 1;
    let seq = thread.last_seq - toInsert.length;
    const inserted: MessagesTable[] = [];
    for (const m of toInsert) {
      const attachments = await this.#claimAttachments(trx, input, thread.id, m.attachmentIds ?? []);
      seq += 1;
      const row: MessagesTable = {
        id: m.id ?? uuidv7(),
        app_id: input.appId,
        thread_id: thread.id,
        seq,
        client_id: m.clientId,
        body_hash: m === input.message ? hash : bodyHash(m),
        author_kind: m.author.kind,
        author_name: m.author.name ?? null,
        author_avatar: m.author.avatarUrl ?? null,
        text: m.text,
        kind: m.kind,
        attachments: JSON.stringify(attachments.map(toAttachment)),
        quick_replies: m.quickReplies?.length ? JSON.stringify(m.quickReplies) : null,
        blocks: m.blocks?.length ? JSON.stringify(m.blocks) : null,
        meta: m.meta ? JSON.stringify(m.meta) : null,
        created_at: at,
      };
      const res = await trx
        .insertInto('messages')
        .values(row)
        .onConflict((oc) => oc.columns(['thread_id', 'client_id']).doNothing())
        .executeTakeFirst();
      if (Number(res.numInsertedOrUpdatedRows) !== 1) throw new RepeatRaced();
      inserted.push(row);
    }
    const change = assigned && { change: assigned, from: before };
    const deliveries = (this.#onAppend && (await this.#onAppend(trx, { input, thread, messages: [...inserted], created, reopened, assigned: change }))) || 0;
    const message = inserted[prelude.length]!;
    return {
      message,
      prelude: inserted.slice(0, prelude.length),
      after: inserted.slice(prelude.length + 1),
      thread,
      duplicate: false,
      created,
      reopened,
      deliveries,
      summary: { unread, visitor },
      ...(change ? { assigned: change } : {}),
    };
  }

  /**
   * Gives the app's thread to `change.to`: the assignee's columns and the `thread.assigned` system
   * message commit together, with the deliveries the append hook queues (`message.created` and
   * `thread.assigned`). `changed: false` when the thread already had that assignee: nothing is
   * written. `not_found` for a thread of another app.
   */
  async assign(appId: string, threadId: string, change: AssignmentChange): Promise<{ changed: false; thread: ThreadsTable } | { changed: true; result: AppendResult }> {
    return this.db.transaction().execute(async (trx) => {
      const thread = await this.#locked(trx.selectFrom('threads').selectAll().where('id', '=', threadId), 'no key update').executeTakeFirst();
      if (!thread || thread.app_id !== appId) throw notFound('thread');
      if (sameAssignee(thread, change.to)) return { changed: false as const, thread };
      const input: AppendInput = { appId, threadId, message: assignedMessage(thread, change), reopen: false };
      return { changed: true as const, result: await this.#appendIn(trx, input, thread, change) };
    });
  }

  /**
   * The app's open threads waiting for a person, longest waiting first (a thread not moved since
   * before assignees existed waits since its creation).
   */
  async queueOf(appId: string, limit: number): Promise<ThreadsTable[]> {
    return this.db
      .selectFrom('threads')
      .selectAll()
      .where('app_id', '=', appId)
      .where('assignee_kind', '=', 'queue')
      .where('status', '=', 'open')
      .orderBy((eb) => eb.fn.coalesce('assigned_at', 'created_at'), 'asc')
      .orderBy('id', 'asc')
      .limit(limit)
      .execute();
  }

  /** The id of the thread's message sent with `clientId`, if any (null: none, or no clientId). */
  async #repeatOf(trx: Kysely<Database>, threadId: string, clientId: string | null): Promise<string | null> {
    if (clientId === null) return null;
    const row = await trx.selectFrom('messages').select('id').where('thread_id', '=', threadId).where('client_id', '=', clientId).executeTakeFirst();
    return row?.id ?? null;
  }

  /** A repeat of a stored message: that message (`duplicate`), or `conflict` when the body differs. */
  async #repeated(trx: Kysely<Database>, thread: ThreadsTable, id: string, hash: string): Promise<AppendResult> {
    const existing = await trx.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    if (existing.body_hash !== hash) throw new ServerError('conflict', 'this clientId was already used for a different message');
    return { message: existing, prelude: [], after: [], thread, duplicate: true, created: false, reopened: false, deliveries: 0 };
  }

  async #claimAttachments(trx: Kysely<Database>, input: AppendInput, threadId: string, ids: string[]): Promise<FilesTable[]> {
    if (!ids.length) return [];
    // Locked (in id order, so two claims of overlapping files cannot deadlock): of two messages
    // claiming one unattached file at once, the second sees it taken by the first's thread.
    const rows = await this.#locked(trx.selectFrom('files').selectAll().where('id', 'in', ids).orderBy('id')).execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    const files: FilesTable[] = [];
    for (const id of ids) {
      const file = byId.get(id);
      const ownerOk = file && file.app_id === input.appId && (input.principal ? file.visitor_id === input.principal.visitorId : file.visitor_id === null);
      if (!file || !ownerOk || (file.thread_id !== null && file.thread_id !== threadId)) throw notFound(`attachment ${id}`);
      files.push(file);
    }
    await trx.updateTable('files').set({ thread_id: threadId }).where('id', 'in', ids).where('thread_id', 'is', null).execute();
    return files;
  }

  async messagesAfter(threadId: string, after: number, limit: number): Promise<MessagesTable[]> {
    return this.db
      .selectFrom('messages')
      .selectAll()
      .where('thread_id', '=', threadId)
      .where('seq', '>', after)
      .orderBy('seq', 'asc')
      .limit(limit)
      .execute();
  }

  /**
   * Binds images of this app not yet in a thread to `threadId` (a card's image from the file store,
   * so the thread's visitor may read it); returns the ids that are not images of this app readable
   * in that thread.
   */
  async claimImages(appId: string, threadId: string, ids: string[]): Promise<string[]> {
    await this.db.updateTable('files').set({ thread_id: threadId }).where('app_id', '=', appId).where('id', 'in', ids).where('thread_id', 'is', null).execute();
    const rows = await this.db
      .selectFrom('files')
      .select('id')
      .where('app_id', '=', appId)
      .where('id', 'in', ids)
      .where('thread_id', '=', threadId)
      .where('mime', 'like', 'image/%')
      .execute();
    const ok = new Set(rows.map((r) => r.id));
    return ids.filter((id) => !ok.has(id));
  }

  /** One message of a thread by its server id (a form answer names the message it answers). */
  async messageIn(threadId: string, id: string): Promise<MessagesTable | undefined> {
    return this.db.selectFrom('messages').selectAll().where('thread_id', '=', threadId).where('id', '=', id).executeTakeFirst();
  }

  /** The page just before `before` (or the newest page), returned ascending. */
  async messagesBefore(threadId: string, before: number | undefined, limit: number): Promise<MessagesTable[]> {
    let q = this.db.selectFrom('messages').selectAll().where('thread_id', '=', threadId);
    if (before !== undefined) q = q.where('seq', '<', before);
    const rows = await q.orderBy('seq', 'desc').limit(limit).execute();
    return rows.reverse();
  }

  // ---- files ----

  async insertFile(row: FilesTable): Promise<void> {
    await this.db.insertInto('files').values(row).execute();
  }

  /** How many files, and bytes, a visitor has uploaded that no message uses yet. */
  async unattachedUploads(visitorId: string, db: Kysely<Database> = this.db): Promise<{ files: number; bytes: number }> {
    const used = await db
      .selectFrom('files')
      .select((eb) => [eb.fn.countAll<number>().as('files'), eb.fn.sum<number | null>('size').as('bytes')])
      .where('visitor_id', '=', visitorId)
      .where('thread_id', 'is', null)
      .executeTakeFirstOrThrow();
    return { files: used.files, bytes: used.bytes ?? 0 };
  }

  /**
   * Stores an upload's row unless its visitor already has `max.files` uploads not yet used by a
   * message, or would pass `max.bytes` with this one (API-key uploads are not counted). Count and
   * insert share a transaction, and on PostgreSQL the visitor's row is locked before counting, so
   * parallel uploads of one visitor (to any node) cannot all slip under the budget.
   */
  async insertFileWithinBudget(row: FilesTable, max: { files: number; bytes: number }): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      if (row.visitor_id !== null) {
        await this.#locked(trx.selectFrom('visitors').select('id').where('id', '=', row.visitor_id), 'no key update').execute();
        const used = await this.unattachedUploads(row.visitor_id, trx);
        if (used.files + 1 > max.files || used.bytes + row.size > max.bytes) return false;
      }
      await trx.insertInto('files').values(row).execute();
      return true;
    });
  }

  /**
   * Deletes up to `limit` rows of uploads made before `before` that no message uses, oldest
   * first, and returns them so their bytes can go too. The delete itself requires `thread_id is
   * null`, so a file a message claimed in the meantime is never taken.
   */
  async takeUnattachedFiles(before: number, limit: number): Promise<FilesTable[]> {
    return this.db.transaction().execute(async (trx) => {
      const ids = await trx
        .selectFrom('files')
        .select('id')
        .where('thread_id', 'is', null)
        .where('created_at', '<', before)
        .orderBy('created_at')
        .limit(limit)
        .execute();
      if (!ids.length) return [];
      return trx
        .deleteFrom('files')
        .where('id', 'in', ids.map((r) => r.id))
        .where('thread_id', 'is', null)
        .returningAll()
        .execute();
    });
  }

  async getFile(id: string): Promise<FilesTable | undefined> {
    return this.db.selectFrom('files').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** A visitor may read a file it uploaded, or one attached to a thread it can see. */
  async canVisitorReadFile(p: Principal, file: FilesTable): Promise<boolean> {
    if (file.app_id !== p.appId) return false;
    if (file.visitor_id === p.visitorId) return true;
    if (!file.thread_id) return false;
    const thread = await this.getThread(file.thread_id);
    return !!thread && isVisible(thread, p);
  }

  // ---- proactive ----

  /** True when `pushToVisitor` stores a prompt in one statement here (PostgreSQL). */
  get pushesInOneStatement(): boolean {
    return this.#engine === 'postgres';
  }

  /**
   * `insertProactive` for a prompt to one visitor without a stored campaign, on PostgreSQL, in one
   * statement (the function of migration 0017): the visitor's check (`not_found`), the same lock,
   * caps and idempotency as the general path, and its errors. Null: not PostgreSQL, or the
   * Idempotency-Key was taken meanwhile by a push to another target — the general path answers.
   */
  async pushToVisitor(row: ProactiveTable, perDay = 0): Promise<{ row: ProactiveTable; duplicate: boolean } | null> {
    if (this.#engine !== 'postgres' || row.visitor_id === null) return null;
    const t = now();
    const { rows } = await sql<{ outcome: string; at: number | null; prompt: ProactiveTable | null }>`
      select * from threadline_push_visitor(${JSON.stringify(row)}::jsonb, ${perDay}, ${t - DAY_MS}, ${t - PERSON_ACTIVE_MS})
    `.execute(this.db);
    const r = rows[0];
    switch (r?.outcome) {
      case 'inserted':
        return { row, duplicate: false };
      case 'repeat':
        return samePrompt(r.prompt!, row);
      case 'no_visitor':
        throw notFound('visitor');
      case 'talking':
        throw new ServerError('prompt_capped', 'this visitor is in a conversation with a person', Math.max(1000, Number(r.at) + PERSON_ACTIVE_MS - now()));
      case 'capped':
        throw new ServerError('prompt_capped', `this visitor already got ${perDay} prompts in the last 24 hours`, Math.max(1000, Number(r.at) + DAY_MS - now()));
      default:
        return null;
    }
  }

  /**
   * Stores a pushed prompt, in one transaction serialised per target (an advisory lock on
   * PostgreSQL; SQLite runs one transaction at a time), unless:
   * - the target is talking with a person: a thread of theirs that is open has a message from an
   *   agent (not a bot) in the last `PERSON_ACTIVE_MS` — `prompt_capped`, with when that ends;
   * - `perDay` > 0 and the target already got that many prompts in the last 24 hours —
   *   `prompt_capped`, with when the oldest of them leaves the window.
   * With an idempotency key, a repeat (even one racing the first, on another node) returns the
   * stored prompt as a `duplicate`, never refused, or a `conflict` when its content differs: the
   * insert does nothing on the (app, key) constraint and the row that holds it is read back.
   */
  async insertProactive(row: ProactiveTable, perDay?: number): Promise<{ row: ProactiveTable; duplicate: boolean }>;
  async insertProactive(row: ProactiveTable, perDay: number, campaign: { caps: CampaignCap[]; exposure: Exposure }): Promise<{ row: ProactiveTable | null; duplicate: boolean }>;
  /**
   * With `campaign` (a push naming a stored campaign): also `campaign_capped` when the target
   * already got `count` prompts of it since `since`, for any of `caps`; in the holdout, nothing is
   * stored but the exposure (`row: null`), once the prompt passed every cap it would have met.
   */
  async insertProactive(row: ProactiveTable, perDay = 0, campaign?: { caps: CampaignCap[]; exposure: Exposure }): Promise<{ row: ProactiveTable | null; duplicate: boolean }> {
    return this.db.transaction().execute(async (trx) => {
      // A prompt goes to a visitor or to a user (every device of it): counted per that target.
      const [column, target, kind] = row.visitor_id !== null ? (['visitor_id', row.visitor_id, 'visitor'] as const) : (['user_id', row.user_id!, 'user'] as const);
      if (this.#engine === 'postgres') {
        await sql`select pg_advisory_xact_lock(hashtextextended(${`prompts:${row.app_id}:${kind}:${target}`}, 0))`.execute(trx);
      }
      // One read for all three questions: is this a repeat, is a person talking with them, how
      // many prompts did they get today (and since when).
      const since = now() - DAY_MS;
      const seen = await trx
        .selectNoFrom((eb) => [
          (row.idempotency_key
            ? eb.selectFrom('proactive').select('id').where('app_id', '=', row.app_id).where('idempotency_key', '=', row.idempotency_key).limit(1)
            : eb.val(null)
          ).as('repeat_id'),
          this.#lastPersonMessage(eb, row.app_id, kind === 'visitor' ? { visitorId: target } : { userId: target }).as('talking'),
          eb.selectFrom('proactive').select((e) => e.fn.countAll<number>().as('n')).where('app_id', '=', row.app_id).where('created_at', '>', since).where(column, '=', target).as('n'),
          eb.selectFrom('proactive').select((e) => e.fn.min('created_at').as('oldest')).where('app_id', '=', row.app_id).where('created_at', '>', since).where(column, '=', target).as('oldest'),
        ])
        .executeTakeFirstOrThrow();
      // A repeat of a stored push is answered as before, never refused.
      if (seen.repeat_id != null) return this.#insertPushed(trx, row);
      if (seen.talking != null) {
        throw new ServerError('prompt_capped', `this ${kind} is in a conversation with a person`, Math.max(1000, Number(seen.talking) + PERSON_ACTIVE_MS - now()));
      }
      if (perDay > 0 && Number(seen.n ?? 0) >= perDay) {
        const retryAfterMs = Math.max(1000, Number(seen.oldest) + DAY_MS - now());
        throw new ServerError('prompt_capped', `this ${kind} already got ${perDay} prompts in the last 24 hours`, retryAfterMs);
      }
      if (campaign) {
        for (const cap of campaign.caps) {
          const sent = await trx
            .selectFrom('proactive')
            .select((e) => [e.fn.countAll<number>().as('n'), e.fn.min('created_at').as('oldest')])
            .where('app_id', '=', row.app_id)
            .where('campaign', '=', row.campaign)
            .where('created_at', '>', cap.since)
            .where(column, '=', target)
            .executeTakeFirstOrThrow();
          if (Number(sent.n) >= cap.count) {
            throw new ServerError('campaign_capped', `this ${kind} already got ${cap.count} prompt${cap.count === 1 ? '' : 's'} of campaign "${row.campaign}" ${cap.since > 0 ? `since ${new Date(cap.since).toISOString()}` : 'ever'}`);
          }
        }
        if (campaign.exposure.variant === HOLDOUT_ARM) {
          await this.#expose(trx, row.app_id, campaign.exposure, null);
          return { row: null, duplicate: false };
        }
        const stored = await this.#insertPushed(trx, row);
        if (!stored.duplicate) await this.#expose(trx, row.app_id, campaign.exposure, row.id);
        return stored;
      }
      return this.#insertPushed(trx, row);
    });
  }

  /** The first exposure of a person to a campaign; a later one changes nothing. */
  async #expose(trx: Kysely<Database>, appId: string, e: Exposure, promptId: string | null): Promise<void> {
    await trx
      .insertInto('campaign_exposures')
      .values({
        app_id: appId,
        campaign_id: e.campaign,
        subject: e.subject,
        variant: e.variant,
        visitor_id: e.visitorId,
        user_id: e.userId,
        prompt_id: promptId,
        exposed_at: now(),
        converted_at: null,
      })
      .onConflict((oc) => oc.columns(['app_id', 'campaign_id', 'subject']).doNothing())
      .execute();
  }

  /**
   * The arm this person was first exposed to in a campaign, if any: by subject, or by this visitor
   * (exposed while anonymous, identified since), so their arm does not change when they sign in
   * or when the shares change.
   */
  async exposedArm(appId: string, campaign: string, subject: string, visitorId: string | null): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('campaign_exposures')
      .select('variant')
      .where('app_id', '=', appId)
      .where('campaign_id', '=', campaign)
      .where((eb) => (visitorId ? eb.or([eb('subject', '=', subject), eb('visitor_id', '=', visitorId)]) : eb('subject', '=', subject)))
      .orderBy('exposed_at')
      .limit(1)
      .executeTakeFirst();
    return row?.variant;
  }

  /**
   * When an agent (a person, not a bot) last wrote in an open thread of this visitor or user, if
   * within `PERSON_ACTIVE_MS`; null otherwise. Only threads updated in that time are looked at.
   */
  async lastPersonMessageAt(appId: string, who: PersonTarget): Promise<number | null> {
    const row = await this.db.selectNoFrom((eb) => this.#lastPersonMessage(eb, appId, who).as('at')).executeTakeFirstOrThrow();
    return row.at == null ? null : Number(row.at);
  }

  #lastPersonMessage(eb: ExpressionBuilder<Database, never>, appId: string, who: PersonTarget) {
    const since = now() - PERSON_ACTIVE_MS;
    return eb
      .selectFrom('messages as m')
      .innerJoin('threads as t', 't.id', 'm.thread_id')
      .select((e) => e.fn.max('m.created_at').as('at'))
      .where('t.app_id', '=', appId)
      .where((e) => {
        const owners = [];
        if ('visitorId' in who) owners.push(e('t.visitor_id', '=', who.visitorId));
        if (who.userId) owners.push(e('t.user_id', '=', who.userId));
        return e.or(owners);
      })
      .where('t.status', '=', 'open')
      .where('t.updated_at', '>', since)
      .where('m.author_kind', '=', 'agent')
      .where('m.created_at', '>', since);
  }

  async #insertPushed(db: Kysely<Database>, row: ProactiveTable): Promise<{ row: ProactiveTable; duplicate: boolean }> {
    if (!row.idempotency_key) {
      await db.insertInto('proactive').values(row).execute();
      return { row, duplicate: false };
    }
    const res = await db
      .insertInto('proactive')
      .values(row)
      .onConflict((oc) => oc.columns(['app_id', 'idempotency_key']).doNothing())
      .executeTakeFirst();
    if (Number(res.numInsertedOrUpdatedRows) === 1) return { row, duplicate: false };
    const existing = await db
      .selectFrom('proactive')
      .selectAll()
      .where('app_id', '=', row.app_id)
      .where('idempotency_key', '=', row.idempotency_key)
      .executeTakeFirstOrThrow();
    return samePrompt(existing, row);
  }

  async getProactive(id: string): Promise<ProactiveTable | undefined> {
    return this.db.selectFrom('proactive').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Prompts addressed to this visitor (or its user), not yet shown or dismissed, not expired. */
  async pendingProactive(p: Principal): Promise<ProactiveTable[]> {
    return this.#pendingProactive(p).execute();
  }

  #pendingProactive(p: Principal) {
    const t = now();
    return this.db
      .selectFrom('proactive')
      .selectAll()
      .where('app_id', '=', p.appId)
      .where((eb) =>
        p.userId ? eb.or([eb('visitor_id', '=', p.visitorId), eb('user_id', '=', p.userId)]) : eb('visitor_id', '=', p.visitorId),
      )
      .where('shown_at', 'is', null)
      .where('dismissed_at', 'is', null)
      .where('replied_at', 'is', null)
      .where('suppressed_at', 'is', null)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', t)]))
      .orderBy('created_at', 'asc')
      .limit(20);
  }

  /** A prompt addressed to this principal, or `not_found`. */
  async visibleProactive(p: Principal, id: string): Promise<ProactiveTable> {
    const row = await this.getProactive(id);
    const mine = row && row.app_id === p.appId && (row.visitor_id === p.visitorId || (p.userId !== null && row.user_id === p.userId));
    if (!row || !mine) throw notFound('proactive message');
    return row;
  }

  /** Like visibleProactive, but an expired prompt is gone. */
  async liveProactive(p: Principal, id: string): Promise<ProactiveTable> {
    const row = await this.visibleProactive(p, id);
    if (row.expires_at !== null && row.expires_at <= now()) throw notFound('proactive message');
    return row;
  }

  /** Prompts of `campaign` (null: of any) created for this visitor (or its user) after `since`: a rule's cap counts them. */
  async campaignPromptsSince(p: Principal, campaign: string | null, since: number): Promise<number> {
    const sent = await this.db
      .selectFrom('proactive')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('app_id', '=', p.appId)
      .$if(campaign !== null, (q) => q.where('campaign', '=', campaign))
      .where('created_at', '>', since)
      .where((eb) => (p.userId ? eb.or([eb('visitor_id', '=', p.visitorId), eb('user_id', '=', p.userId)]) : eb('visitor_id', '=', p.visitorId)))
      .executeTakeFirst();
    return sent?.n ?? 0;
  }

  /**
   * Stores a campaign's prompt unless the visitor (or its user) already has `cap.count` prompts of
   * that campaign since `cap.since`, or a prompt with this id exists (`exists`: a second run of
   * the rule's job, which must push nothing again). Count and insert share a transaction,
   * serialised per campaign and visitor (and user) by advisory locks on PostgreSQL, so two nodes
   * cannot both slip under the cap; SQLite runs one transaction at a time. `then` runs in the same
   * transaction whatever the outcome (the rule's job is deleted there). `perDay` (> 0): also
   * `capped` when the visitor (or its user) got that many prompts of any campaign in 24 hours.
   */
  async insertCampaignPrompt(
    row: ProactiveTable,
    p: Principal,
    cap: CampaignCap | CampaignCap[],
    then?: TxHook<CampaignPromptOutcome>,
    perDay = 0,
    exposure?: Exposure,
  ): Promise<CampaignPromptOutcome> {
    const caps = Array.isArray(cap) ? cap : [cap];
    const campaign = row.campaign ?? '';
    return this.db.transaction().execute(async (trx) => {
      if (this.#engine === 'postgres') {
        // Always the visitor's lock first, then the user's: two jobs never wait on each other in a cycle.
        const keys = [`campaign:${p.appId}:${campaign}:visitor:${p.visitorId}`];
        if (p.userId) keys.push(`campaign:${p.appId}:${campaign}:user:${p.userId}`);
        // The day's cap across campaigns: the same locks as a pushed prompt's (`insertProactive`).
        if (perDay > 0) keys.push(`prompts:${p.appId}:visitor:${p.visitorId}`);
        for (const key of keys) await sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(trx);
      }
      let outcome: CampaignPromptOutcome;
      const inner = this.within(trx);
      if (await trx.selectFrom('proactive').select('id').where('id', '=', row.id).executeTakeFirst()) outcome = 'exists';
      else if (await someCapReached(caps, (since) => inner.campaignPromptsSince(p, campaign, since))) outcome = 'capped';
      else if (perDay > 0 && (await inner.campaignPromptsSince(p, null, now() - DAY_MS)) >= perDay) outcome = 'capped';
      else if ((await inner.lastPersonMessageAt(p.appId, { visitorId: p.visitorId, userId: p.userId })) !== null) outcome = 'capped';
      else if (exposure?.variant === HOLDOUT_ARM) {
        // Would have gone out: the holdout's exposure, and no prompt.
        await this.#expose(trx, p.appId, exposure, null);
        outcome = 'held_out';
      } else {
        await trx.insertInto('proactive').values(row).execute();
        if (exposure) await this.#expose(trx, p.appId, exposure, row.id);
        outcome = 'inserted';
      }
      if (then) await then(trx, outcome);
      return outcome;
    });
  }

  /**
   * Records the first report of `event` for a prompt: a repeated `shown` from a second tab changes
   * nothing (false). `then` runs in the transaction of the change, only when it changed (the
   * `proactive.<event>` delivery).
   */
  async markProactive(
    id: string,
    event: 'delivered' | 'shown' | 'opened' | 'replied' | 'dismissed' | 'suppressed',
    threadId?: string,
    then?: TxHook<ProactiveTable>,
  ): Promise<boolean> {
    const column = `${event}_at` as const;
    const set: Partial<ProactiveTable> = { [column]: now() };
    if (threadId) set.thread_id = threadId;
    if (!then) {
      const res = await this.db.updateTable('proactive').set(set).where('id', '=', id).where(column, 'is', null).executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    }
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.updateTable('proactive').set(set).where('id', '=', id).where(column, 'is', null).returningAll().executeTakeFirst();
      if (row) await then(trx, row);
      return !!row;
    });
  }

  // ---- tracked events ----

  async insertEvent(appId: string, visitorId: string, name: string, props: unknown): Promise<void> {
    await this.db
      .insertInto('events')
      .values({ app_id: appId, visitor_id: visitorId, name, props: props === undefined ? null : JSON.stringify(props), created_at: now() })
      .execute();
  }

  async eventsOf(visitorId: string, limit = 50) {
    return this.db.selectFrom('events').selectAll().where('visitor_id', '=', visitorId).orderBy('id', 'desc').limit(limit).execute();
  }
}

async function someCapReached(caps: CampaignCap[], countSince: (since: number) => Promise<number>): Promise<boolean> {
  for (const cap of caps) if ((await countSince(cap.since)) >= cap.count) return true;
  return false;
}

/** A push repeating a stored prompt's Idempotency-Key: that prompt (`duplicate`), or `conflict` when its content differs. */
function samePrompt(existing: ProactiveTable, row: ProactiveTable): { row: ProactiveTable; duplicate: true } {
  const same = (['visitor_id', 'user_id', 'text', 'display', 'campaign'] as const).every((k) => existing[k] === row[k]);
  if (!same) throw new ServerError('conflict', 'this Idempotency-Key was already used for a different proactive message');
  return { row: existing, duplicate: true };
}

function appRow(row: { id: string; name: string; secret: string; allowed_origins: string }): AppRow {
  return { id: row.id, name: row.name, secret: row.secret, allowedOrigins: JSON.parse(row.allowed_origins) as string[] };
}

