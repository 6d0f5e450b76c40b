import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { backoffDelay, type BackoffPolicy } from '../backoff.js';
import { systemClock, type Clock } from '../clock.js';
import type { Database, WebhookDeliveriesTable, WebhooksTable } from '../db/schema.js';
import { ServerError } from '../errors.js';
import type { DueDelivery, WebhookStore } from '../store/webhook-store.js';
import { signWebhook } from './signature.js';
import { checkWebhookUrl, pinWebhookTarget, postPinned, systemResolver, type HostResolver, type TargetPolicy } from './target.js';

export const WEBHOOK_EVENTS = [
  'message.created',
  'thread.created',
  'thread.resolved',
  'thread.reopened',
  'thread.assigned',
  'rating.submitted',
  'proactive.shown',
  'proactive.opened',
  'proactive.replied',
  'proactive.dismissed',
  'proactive.suppressed',
  'notification.sent',
  'notification.failed',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** One event of a change for `WebhookDispatcher.enqueueEach`; `data` makes its payload's `data`. */
export interface PendingEvent {
  event: WebhookEvent;
  data: () => unknown;
}

export interface WebhookOptions {
  /** First retry after this long, doubling with each failure (see backoff.ts). */
  baseMs: number;
  maxAttempts: number;
  timeoutMs: number;
  /** Private, loopback and link-local targets are allowed. @default false */
  allowPrivate?: boolean;
  /** How host names are resolved before each delivery. @default the OS resolver (dns.lookup) */
  resolveHost?: HostResolver;
  /**
   * This node's id, written into the deliveries it claims.
   * @default a random one
   */
  node?: string;
  /**
   * How often the dispatcher looks for due deliveries that this node did not queue (written by
   * another node, or left by one that died), besides the wake-up after each local commit.
   * @default 500
   */
  pollMs?: number;
  /**
   * How long an app read without webhooks is believed without a read (a registration on this node,
   * or a notice from another over Redis, ends it sooner).
   * @default 5000
   */
  noHooksTtlMs?: number;
}

interface Logger {
  warn(obj: object, msg: string): void;
}

/** The part of the Redis link that webhook-change notices travel on (cluster/redis.ts). */
export interface WebhookBus {
  publish(channel: string, message: string): Promise<void>;
  subscribe(channel: string, fn: (message: string) => void): void;
  onReconnect(fn: () => void): () => void;
}

const WEBHOOKS_CHANNEL = 'webhooks';

/** Deliveries sent per round, concurrently. */
const ROUND = 50;
/** No retry waits longer than an hour, before jitter. */
const MAX_RETRY_MS = 60 * 60 * 1000;

/**
 * At-least-once webhook delivery. Every event is first written to `webhook_deliveries`, in the
 * transaction of the change it reports (so a committed change always has its deliveries, and a
 * restart loses nothing), then POSTed by whichever node's dispatcher claims it: a claim is a lease
 * of three POST timeouts (store/lease.ts), so of several nodes one sends each delivery, and a
 * delivery whose node died is sent by another once the lease has run out. A non-2xx answer or a
 * network error schedules a retry with exponential backoff and jitter until `maxAttempts`.
 *
 * At least once, not exactly once: a node that dies after the receiver's 2xx and before it records
 * it, or a POST slower than the lease, sends that delivery again. Receivers dedupe on
 * `Threadline-Delivery` (the envelope's `id`), the same on every attempt.
 */
export class WebhookDispatcher {
  #timer: unknown = null;
  #running = false;
  #stopped = false;
  #inFlight: Promise<void> | null = null;
  #again = false;
  readonly #policy: TargetPolicy;
  readonly #backoff: BackoffPolicy;
  readonly #node: string;
  readonly #pollMs: number;
  readonly #leaseMs: number;
  /** Apps read to have no webhook, and when: their changes skip the read (most apps, most sends). */
  readonly #noHooks = new Map<string, number>();
  /** Bumped by every change notice: a read that started before one is not cached. */
  #generation = 0;
  #bus: WebhookBus | null = null;

  constructor(
    private readonly store: WebhookStore,
    private readonly options: WebhookOptions,
    private readonly log: Logger,
    private readonly clock: Clock = systemClock,
  ) {
    this.#policy = { allowPrivate: options.allowPrivate ?? false, resolve: options.resolveHost ?? systemResolver };
    this.#backoff = { baseMs: options.baseMs, maxMs: MAX_RETRY_MS, jitter: 0.2 };
    this.#node = options.node ?? `dispatcher-${uuidv7()}`;
    this.#pollMs = options.pollMs ?? 500;
    // Resolving, connecting and the POST itself fit in a timeout each; the rest is slack.
    this.#leaseMs = options.timeoutMs * 3;
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
      created_at: this.clock.now(),
    };
    await this.store.insert(row);
    await this.#changed(appId);
    return row;
  }

  /**
   * Shares webhook registrations with the other nodes (Redis pub/sub on `<prefix>webhooks`): each
   * node skips the webhook read for apps it found without webhooks, so a registration on one node
   * must reach the others. A notice lost while Redis was away is covered by the 5 s that an
   * app's "no webhooks" is believed, and a node whose Redis connection comes back forgets them all.
   */
  shareChanges(bus: WebhookBus): void {
    this.#bus = bus;
    bus.subscribe(WEBHOOKS_CHANNEL, (appId) => this.#forget(appId));
    bus.onReconnect(() => this.#forget(null));
  }

  #forget(appId: string | null): void {
    this.#generation++;
    if (appId === null) this.#noHooks.clear();
    else this.#noHooks.delete(appId);
  }

  async #changed(appId: string): Promise<void> {
    this.#forget(appId);
    // Redis away: the other nodes see the webhook within the 5 s.
    await this.#bus?.publish(WEBHOOKS_CHANNEL, appId).catch(() => undefined);
  }

  /** The app's webhooks as `within` sees them, or none without a read when it had none a moment ago. */
  async #hooksOf(appId: string, within?: Kysely<Database>): Promise<WebhooksTable[]> {
    if (this.knownWithoutHooks(appId)) return [];
    const generation = this.#generation;
    const hooks = await this.store.ofApp(appId, within);
    if (!hooks.length && generation === this.#generation) this.#noHooks.set(appId, this.clock.now());
    return hooks;
  }

  /**
   * True while this node holds a fresh read of `appId` with no webhook (the same belief `enqueue`
   * acts on): a change of that app then queues no delivery, and needs no statement for it.
   */
  knownWithoutHooks(appId: string): boolean {
    const since = this.#noHooks.get(appId);
    return since !== undefined && this.clock.now() - since < (this.options.noHooksTtlMs ?? 5000);
  }

  async list(appId: string): Promise<WebhooksTable[]> {
    return this.store.ofApp(appId);
  }

  async remove(appId: string, id: string): Promise<boolean> {
    return this.store.remove(appId, id);
  }

  /**
   * Writes the deliveries of `event`, inside `within` when given: an open transaction, so a
   * message and its `message.created` deliveries commit together and a crash cannot keep one
   * without the other. Call `kick()` after the commit. Returns how many deliveries were queued.
   */
  async enqueue(appId: string, event: WebhookEvent, data: unknown, within?: Kysely<Database>): Promise<number> {
    return this.enqueueEach(appId, [{ event, data: () => data }], within);
  }

  /**
   * Writes the deliveries of several events of one change, like `enqueue`, in two statements
   * whatever their number: one read of the app's webhooks, one insert. An event's `data` is made
   * only when some webhook subscribed to it (building a thread's payload reads three tables), so
   * a change nobody listens to costs one read inside its transaction.
   */
  async enqueueEach(appId: string, events: readonly PendingEvent[], within?: Kysely<Database>): Promise<number> {
    if (!events.length) return 0;
    const hooks = await this.#hooksOf(appId, within);
    if (!hooks.length) return 0;
    const subscribed = hooks.map((h) => ({ hook: h, events: JSON.parse(h.events) as string[] }));
    const createdAt = this.clock.now();
    const rows: WebhookDeliveriesTable[] = [];
    for (const { event, data } of events) {
      const targets = subscribed.filter((s) => s.events.includes('*') || s.events.includes(event));
      if (!targets.length) continue;
      const payloadData = await data();
      for (const { hook } of targets) {
        const id = uuidv7();
        rows.push({
          id,
          webhook_id: hook.id,
          event,
          payload: JSON.stringify({ id, type: event, appId, createdAt: new Date(createdAt).toISOString(), data: payloadData }),
          attempts: 0,
          status: 'pending',
          next_attempt_at: createdAt,
          last_error: null,
          created_at: createdAt,
          locked_by: null,
          locked_until: null,
        });
      }
    }
    await this.store.insertDeliveries(rows, within);
    return rows.length;
  }

  /** Delivers what is due now (after a transaction that queued deliveries committed). */
  kick(): void {
    if (this.#running) this.#again = true;
    else this.#schedule(0);
  }

  start(): void {
    this.#stopped = false;
    this.#schedule(0);
  }

  /**
   * Stops claiming, waits for the deliveries in flight, then clears this node's leases, so another
   * node sends whatever it still held at once. Pending rows stay for any node (or the next start).
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) this.clock.clearTimeout(this.#timer);
    this.#timer = null;
    await this.#inFlight;
    await this.store.release(this.#node).catch((err: unknown) => this.log.warn({ err }, 'releasing webhook leases failed'));
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    if (this.#timer) this.clock.clearTimeout(this.#timer);
    this.#timer = this.clock.setTimeout(() => {
      this.#timer = null;
      void this.#run();
    }, delayMs);
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
    if (this.#again) {
      this.#again = false;
      this.#schedule(0);
      return;
    }
    // A failure here (the database closing under a stop) leaves the rows for the next poll.
    const now = this.clock.now();
    const next = await this.store.nextAttemptAt(now).catch(() => undefined);
    this.#schedule(Math.max(0, Math.min(next ?? Infinity, now + this.#pollMs) - now));
  }

  async #deliverDue(): Promise<void> {
    for (;;) {
      if (this.#stopped) return;
      const due = await this.store.claimDue(this.#node, this.clock.now(), this.#leaseMs, ROUND);
      await Promise.all(due.map((d) => this.#deliver(d)));
      if (due.length < ROUND) return;
    }
  }

  async #deliver(d: DueDelivery): Promise<void> {
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
      await this.store.delivered(d.id, attempts);
      return;
    }
    const giveUp = attempts >= this.options.maxAttempts;
    const nextAttemptAt = this.clock.now() + backoffDelay(attempts, this.#backoff, Math.random());
    await this.store.attemptFailed(d.id, { attempts, error, giveUp, nextAttemptAt });
    if (giveUp) this.log.warn({ delivery: d.id, url: d.url, error }, 'webhook delivery gave up');
  }
}
