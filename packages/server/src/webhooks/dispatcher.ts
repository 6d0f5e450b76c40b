import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Database, WebhooksTable } from '../db/schema.js';
import { ServerError } from '../errors.js';
import { signWebhook } from './signature.js';
import { checkWebhookUrl, pinWebhookTarget, postPinned, systemResolver, type HostResolver, type TargetPolicy } from './target.js';

export const WEBHOOK_EVENTS = [
  'message.created',
  'thread.created',
  'thread.resolved',
  'thread.reopened',
  'rating.submitted',
  'proactive.shown',
  'proactive.opened',
  'proactive.replied',
  'proactive.dismissed',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export interface WebhookOptions {
  baseMs: number;
  maxAttempts: number;
  timeoutMs: number;
  /** Private, loopback and link-local targets are allowed. @default false */
  allowPrivate?: boolean;
  /** How host names are resolved before each delivery. @default the OS resolver (dns.lookup) */
  resolveHost?: HostResolver;
}

interface Logger {
  warn(obj: object, msg: string): void;
}

/**
 * At-least-once webhook delivery. Every event is first written to `webhook_deliveries` (so a
 * restart loses nothing), then POSTed; a non-2xx answer or a network error schedules a retry with
 * exponential backoff and jitter until `maxAttempts`. Receivers dedupe on `Threadline-Delivery`.
 */
export class WebhookDispatcher {
  #timer: NodeJS.Timeout | null = null;
  #running = false;
  #stopped = false;
  #inFlight: Promise<void> | null = null;
  readonly #policy: TargetPolicy;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly options: WebhookOptions,
    private readonly log: Logger,
  ) {
    this.#policy = { allowPrivate: options.allowPrivate ?? false, resolve: options.resolveHost ?? systemResolver };
  }

  /** Throws `webhook_url_not_allowed` for a URL that targets a private, loopback or link-local address. */
  async register(appId: string, url: string, events: string[]): Promise<WebhooksTable> {
    await checkWebhookUrl(url, this.#policy);
    const row: WebhooksTable = {
      id: uuidv7(),
      app_id: appId,
      url,
      secret: `whsec_${randomBytes(24).toString('base64url')}`,
      events: JSON.stringify(events.length ? events : ['*']),
      created_at: Date.now(),
    };
    await this.db.insertInto('webhooks').values(row).execute();
    return row;
  }

  async list(appId: string): Promise<WebhooksTable[]> {
    return this.db.selectFrom('webhooks').selectAll().where('app_id', '=', appId).orderBy('created_at').execute();
  }

  async remove(appId: string, id: string): Promise<boolean> {
    const res = await this.db.deleteFrom('webhooks').where('app_id', '=', appId).where('id', '=', id).executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) return false;
    await this.db
      .updateTable('webhook_deliveries')
      .set({ status: 'failed', last_error: 'webhook removed' })
      .where('webhook_id', '=', id)
      .where('status', '=', 'pending')
      .execute();
    return true;
  }

  /** Queues `event` for every webhook of the app that subscribed to it. */
  async emit(appId: string, event: WebhookEvent, data: unknown): Promise<void> {
    if (await this.enqueue(this.db, appId, event, data)) this.kick();
  }

  /**
   * Writes the deliveries of `event` with `db`, which may be an open transaction: a message and
   * its `message.created` deliveries then commit together, so a crash cannot keep one without the
   * other. Call `kick()` after the commit. Returns how many deliveries were queued.
   */
  async enqueue(db: Kysely<Database>, appId: string, event: WebhookEvent, data: unknown): Promise<number> {
    const hooks = await db.selectFrom('webhooks').selectAll().where('app_id', '=', appId).execute();
    const targets = hooks.filter((h) => {
      const events = JSON.parse(h.events) as string[];
      return events.includes('*') || events.includes(event);
    });
    if (!targets.length) return 0;
    const createdAt = Date.now();
    await db
      .insertInto('webhook_deliveries')
      .values(
        targets.map((h) => {
          const id = uuidv7();
          return {
            id,
            webhook_id: h.id,
            event,
            payload: JSON.stringify({ id, type: event, appId, createdAt: new Date(createdAt).toISOString(), data }),
            attempts: 0,
            status: 'pending' as const,
            next_attempt_at: createdAt,
            last_error: null,
            created_at: createdAt,
          };
        }),
      )
      .execute();
    return targets.length;
  }

  /** Delivers what is due now (after a transaction that queued deliveries committed). */
  kick(): void {
    this.#schedule(0);
  }

  start(): void {
    this.#stopped = false;
    this.#schedule(0);
  }

  /** Stops scheduling and waits for the delivery round in progress. Pending rows stay for next start. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#inFlight;
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#run();
    }, delayMs);
    this.#timer.unref();
  }

  async #run(): Promise<void> {
    if (this.#running || this.#stopped) return;
    this.#running = true;
    const round = this.#deliverDue();
    this.#inFlight = round;
    try {
      await round;
    } catch (err) {
      this.log.warn({ err }, 'webhook round failed');
    } finally {
      this.#running = false;
      this.#inFlight = null;
    }
    const next = await this.db
      .selectFrom('webhook_deliveries as d')
      .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
      .select('d.next_attempt_at')
      .where('d.status', '=', 'pending')
      .orderBy('d.next_attempt_at')
      .limit(1)
      .executeTakeFirst()
      .catch(() => undefined);
    if (next) this.#schedule(Math.max(0, Number(next.next_attempt_at) - Date.now()));
  }

  async #deliverDue(): Promise<void> {
    const due = await this.db
      .selectFrom('webhook_deliveries as d')
      .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
      .select(['d.id', 'd.event', 'd.payload', 'd.attempts', 'w.url', 'w.secret'])
      .where('d.status', '=', 'pending')
      .where('d.next_attempt_at', '<=', Date.now())
      .orderBy('d.next_attempt_at')
      .limit(50)
      .execute();
    await Promise.all(due.map((d) => this.#deliver(d)));
  }

  async #deliver(d: { id: string; event: string; payload: string; attempts: number; url: string; secret: string }): Promise<void> {
    let error: string | null = null;
    try {
      // Resolved and checked once, then connected to exactly those addresses: a name that
      // resolves elsewhere by the time of the connection (DNS rebinding) cannot slip through.
      const target = await pinWebhookTarget(d.url, this.#policy);
      const headers = {
        'content-type': 'application/json',
        'user-agent': 'Threadline-Webhooks/1',
        'threadline-event': d.event,
        'threadline-delivery': d.id,
        'threadline-signature': signWebhook(d.secret, d.payload),
      };
      const status = await postPinned(target, headers, d.payload, this.options.timeoutMs);
      if (status < 200 || status >= 300) error = `HTTP ${status}`;
    } catch (err) {
      // A refused target is a failed attempt like a network error: its reason is kept in last_error.
      error = err instanceof ServerError ? `refused: ${err.message}` : err instanceof Error ? err.message : String(err);
    }
    const attempts = Number(d.attempts) + 1;
    if (error === null) {
      await this.db.updateTable('webhook_deliveries').set({ status: 'delivered', attempts, last_error: null }).where('id', '=', d.id).execute();
      return;
    }
    const giveUp = attempts >= this.options.maxAttempts;
    const backoff = Math.min(this.options.baseMs * 2 ** (attempts - 1), 60 * 60 * 1000);
    const jitter = Math.random() * backoff * 0.2;
    await this.db
      .updateTable('webhook_deliveries')
      .set({ status: giveUp ? 'failed' : 'pending', attempts, last_error: error, next_attempt_at: Date.now() + backoff + jitter })
      .where('id', '=', d.id)
      .execute();
    if (giveUp) this.log.warn({ delivery: d.id, url: d.url, error }, 'webhook delivery gave up');
  }
}
