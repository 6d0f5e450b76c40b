import type { Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Author, Block, ProactiveMessage, QuickReply } from '@threadline/protocol';
import type { Database, ProactiveTable } from '../db/schema.js';
import { ServerError, notFound } from '../errors.js';
import { agentRoom, userRoom, visitorRoom } from '../realtime/rooms.js';
import { toProactive } from '../store/rows.js';
import type { CampaignStore } from '../store/campaign-store.js';
import type { CampaignCap, CampaignPromptOutcome, Exposure, Principal, TxHook } from '../store/sql-store.js';
import { assign, capsOf, subjectOf } from './campaign-spec.js';
import { Outbox } from '../webhooks/outbox.js';
import type { Messaging } from './messaging.js';

/** What prompts need: the store, the rooms to emit to, presence, and the webhooks (not `Messaging`, which uses prompts). */
export type ProactiveDeps = Pick<Messaging, 'store' | 'io' | 'agents' | 'webhooks' | 'presence'> & {
  /** At most this many prompts per visitor (or user) in 24 hours, across campaigns; 0: no cap. @default 0 */
  promptsPerDay?: number;
  /** The stored campaigns: a push naming one meets its caps and its experiment. @default none (a campaign is only a label) */
  campaigns?: CampaignStore;
};

export interface ProactiveInput {
  to: { userId: string } | { visitorId: string };
  text: string;
  display?: 'toast' | 'open';
  campaign?: string;
  expiresAt?: string;
  author?: Author;
  quickReplies?: QuickReply[];
  /** Rich content, checked by the caller (`richContentSchema`, `unsafePatternProblem`) as for a message. */
  blocks?: Block[];
  idempotencyKey?: string | null;
}

export type ProactiveEventName = 'shown' | 'opened' | 'replied' | 'dismissed' | 'suppressed';

/**
 * Prompts pushed by the brand. A prompt is stored first, then emitted to every connected tab of
 * its target; a target with no tab open gets it in the next `sync`. It stays pending until a tab
 * reports it `shown` (or it is dismissed, answered or expired), so a tab that died before showing
 * it does not lose it.
 */
export class ProactiveService {
  readonly #outbox: Outbox;

  constructor(private readonly deps: ProactiveDeps) {
    this.#outbox = new Outbox(deps.webhooks);
  }

  /**
   * A push. Naming a stored campaign (`campaign`), it also meets that campaign's caps
   * (`campaign_capped`) and experiment: the person's arm is recorded as an exposure, and in the
   * holdout nothing is stored or sent (`delivered: 'held_out'`, `proactive: null`). A deleted
   * campaign is refused; an unknown one is only a label, as before campaigns were stored.
   */
  async push(
    appId: string,
    input: ProactiveInput,
  ): Promise<{ proactive: ProactiveMessage; delivered: 'live' | 'queued'; duplicate: boolean } | { proactive: null; delivered: 'held_out'; duplicate: false }> {
    const campaign = await this.#campaignOf(appId, input.campaign);
    if (!campaign && 'visitorId' in input.to && this.deps.store.pushesInOneStatement) {
      const quick = await this.#pushToVisitor(appId, input, input.to.visitorId);
      if (quick) return quick;
    }
    const { row, room, userOfVisitor } = await this.#prepare(appId, input, uuidv7());
    if (!campaign) {
      const { row: stored, duplicate } = await this.deps.store.insertProactive(row, this.deps.promptsPerDay ?? 0);
      const { proactive, delivered } = await this.#deliver(stored, room);
      return { proactive, delivered, duplicate };
    }
    const userId = row.user_id ?? userOfVisitor;
    const subject = subjectOf({ visitorId: row.visitor_id ?? '', userId });
    const variant = (await this.deps.store.exposedArm(appId, campaign.id, subject, row.visitor_id)) ?? assign(campaign, subject);
    const exposure: Exposure = { campaign: campaign.id, subject, variant, visitorId: row.visitor_id, userId };
    const { row: stored, duplicate } = await this.deps.store.insertProactive(row, this.deps.promptsPerDay ?? 0, { caps: capsOf(campaign, Date.now()), exposure });
    if (!stored) return { proactive: null, delivered: 'held_out', duplicate: false };
    const { proactive, delivered } = await this.#deliver(stored, room);
    return { proactive, delivered, duplicate };
  }

  /**
   * A push to a visitor without a stored campaign, on PostgreSQL: checked and stored in one
   * statement (`SqlStore.pushToVisitor`), marked delivered in it when the visitor has a tab open
   * (asked before: presence is memory or Redis, not the database), then sent to those tabs. Null:
   * the general path answers (an Idempotency-Key taken meanwhile for another target).
   */
  async #pushToVisitor(appId: string, input: ProactiveInput, visitorId: string): Promise<{ proactive: ProactiveMessage; delivered: 'live' | 'queued'; duplicate: boolean } | null> {
    const row = this.#rowOf(appId, input, uuidv7(), visitorId, null);
    const room = visitorRoom(visitorId);
    const online = await this.deps.presence.isOnline(room);
    const stored = await this.deps.store.pushToVisitor(online ? { ...row, delivered_at: row.created_at } : row, this.deps.promptsPerDay ?? 0);
    if (!stored) return null;
    // A repeat is delivered as the general path delivers it: only while not shown, dismissed or suppressed.
    if (stored.duplicate) return { ...(await this.#deliver(stored.row, room)), duplicate: true };
    const proactive = toProactive(stored.row);
    if (online) this.deps.io.to(room).emit('proactive', proactive);
    return { proactive, delivered: online ? 'live' : 'queued', duplicate: false };
  }

  async #campaignOf(appId: string, id: string | undefined) {
    if (!id || !this.deps.campaigns) return undefined;
    const cached = (await this.deps.campaigns.ofApp(appId)).find((c) => c.id === id);
    if (cached) return cached;
    const found = await this.deps.campaigns.find(appId, id);
    if (found?.deleted) throw new ServerError('bad_request', `campaign: "${id}" was deleted`);
    return found;
  }

  /**
   * A campaign rule's prompt to a visitor: stored under `id` only while the campaign is under
   * `cap` for that visitor (or its user), atomically (see `SqlStore.insertCampaignPrompt`), then
   * delivered like `push`. A second call with the same id (a rerun of the rule's job) stores and
   * delivers nothing: `exists`. `then` runs in the transaction of the insert whatever the outcome.
   */
  async pushCampaign(
    p: Principal,
    input: ProactiveInput & { campaign: string },
    /** `deliver: false`: stored only (a page trigger's prompt, which the page already shows). */
    at: { id: string; cap: CampaignCap | CampaignCap[]; then?: TxHook<CampaignPromptOutcome>; exposure?: Exposure; deliver?: boolean },
  ): Promise<'pushed' | 'capped' | 'exists' | 'held_out'> {
    const { row, room } = await this.#prepare(p.appId, input, at.id);
    const outcome = await this.deps.store.insertCampaignPrompt(row, p, at.cap, at.then, this.deps.promptsPerDay ?? 0, at.exposure);
    if (outcome !== 'inserted') return outcome;
    if (at.deliver !== false) await this.#deliver(row, room);
    return 'pushed';
  }

  async #prepare(appId: string, input: ProactiveInput, id: string): Promise<{ row: ProactiveTable; room: string; userOfVisitor: string | null }> {
    const store = this.deps.store;
    let room: string;
    let visitorId: string | null = null;
    let userId: string | null = null;
    let userOfVisitor: string | null = null;
    if ('visitorId' in input.to) {
      const visitor = await store.getVisitor(input.to.visitorId);
      if (!visitor || visitor.app_id !== appId) throw notFound('visitor');
      visitorId = visitor.id;
      userOfVisitor = visitor.user_id;
      room = visitorRoom(visitor.id);
    } else {
      userId = input.to.userId;
      room = userRoom(appId, userId);
    }
    return { row: this.#rowOf(appId, input, id, visitorId, userId), room, userOfVisitor };
  }

  /** The row of a prompt to `visitorId` or `userId`, its expiry checked (`bad_request`). */
  #rowOf(appId: string, input: ProactiveInput, id: string, visitorId: string | null, userId: string | null): ProactiveTable {
    let expiresAt: number | null = null;
    if (input.expiresAt) {
      expiresAt = Date.parse(input.expiresAt);
      if (Number.isNaN(expiresAt)) throw new ServerError('bad_request', 'expiresAt: must be an ISO 8601 date');
      if (expiresAt <= Date.now()) throw new ServerError('bad_request', 'expiresAt: must be in the future');
    }
    return {
      id,
      app_id: appId,
      visitor_id: visitorId,
      user_id: userId,
      text: input.text,
      display: input.display ?? 'toast',
      campaign: input.campaign ?? null,
      author: JSON.stringify(input.author ?? { kind: 'bot' }),
      quick_replies: input.quickReplies?.length ? JSON.stringify(input.quickReplies) : null,
      blocks: input.blocks?.length ? JSON.stringify(input.blocks) : null,
      idempotency_key: input.idempotencyKey ?? null,
      expires_at: expiresAt,
      created_at: Date.now(),
      delivered_at: null,
      shown_at: null,
      opened_at: null,
      replied_at: null,
      dismissed_at: null,
      suppressed_at: null,
      thread_id: null,
    };
  }

  /** A stored prompt goes to every connected tab of its target, or waits for their next `sync`. */
  async #deliver(stored: ProactiveTable, room: string): Promise<{ proactive: ProactiveMessage; delivered: 'live' | 'queued' }> {
    const store = this.deps.store;
    const proactive = toProactive(stored);
    // Live when the target has a tab open on any node (presence: no request to every node).
    if ((await this.deps.presence.isOnline(room)) && !stored.shown_at && !stored.dismissed_at && !stored.suppressed_at) {
      this.deps.io.to(room).emit('proactive', proactive);
      await store.markProactive(stored.id, 'delivered');
      return { proactive, delivered: 'live' };
    }
    return { proactive, delivered: 'queued' };
  }

  /**
   * A visitor reports what happened to a prompt; the first report of each kind counts, and its
   * `proactive.<event>` delivery commits with it.
   */
  async report(p: Principal, id: string, event: ProactiveEventName, threadId?: string): Promise<void> {
    const row = await this.deps.store.visibleProactive(p, id);
    const changed = await this.deps.store.markProactive(row.id, event, threadId, (trx, marked) => this.#outbox.proactive(trx, marked, event, p));
    if (changed) this.reported(p, row, event);
  }

  /**
   * Inside the transaction of the visitor's message that answers a prompt: marks it `replied`,
   * with its delivery. True when this was its first reply (then call `reported` after the commit).
   */
  async repliedWithin(trx: Kysely<Database>, p: Principal, row: ProactiveTable, threadId: string): Promise<boolean> {
    if (!(await this.deps.store.within(trx).markProactive(row.id, 'replied', threadId))) return false;
    await this.#outbox.proactive(trx, { ...row, thread_id: threadId }, 'replied', p);
    return true;
  }

  /** After the commit of a report: the inboxes hear it and the dispatcher sends its delivery. */
  reported(p: Principal, row: ProactiveTable, event: ProactiveEventName): void {
    this.deps.agents.to(agentRoom(p.appId)).emit('proactive.event', { id: row.id, event, visitorId: p.visitorId, campaign: row.campaign });
    this.#outbox.kick();
  }
}
