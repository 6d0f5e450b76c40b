import { sql, type Kysely } from 'kysely';
import type { Database, WebhookDeliveriesTable, WebhooksTable } from '../db/schema.js';
import { claimLeased, releaseLeases } from './lease.js';

/** A delivery that is due, with what sending it needs from its webhook. */
export interface DueDelivery {
  id: string;
  event: string;
  payload: string;
  attempts: number;
  url: string;
  secret: string;
}

/**
 * The SQL of webhooks: registrations and the delivery outbox (`webhook_deliveries`). What to send
 * and when to retry is the dispatcher's; this only reads and writes rows. A delivery is sent by
 * the dispatcher that claimed it (`claimDue`), on whichever node.
 */
export class WebhookStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: WebhooksTable): Promise<void> {
    await this.db.insertInto('webhooks').values(row).execute();
  }

  /**
   * The app's webhooks, oldest first. `db` may be an open transaction (the message outbox reads
   * and writes inside `SqlStore.append`'s).
   */
  async ofApp(appId: string, db: Kysely<Database> = this.db): Promise<WebhooksTable[]> {
    return db.selectFrom('webhooks').selectAll().where('app_id', '=', appId).orderBy('created_at').execute();
  }

  /** Deletes the webhook and fails its pending deliveries. False when the app has no such webhook. */
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

  /** Queues deliveries; `db` may be an open transaction, so they commit with what they announce. */
  async insertDeliveries(rows: WebhookDeliveriesTable[], db: Kysely<Database> = this.db): Promise<void> {
    if (rows.length) await db.insertInto('webhook_deliveries').values(rows).execute();
  }

  /**
   * When the earliest pending delivery (of a webhook that still exists) that nobody holds is due,
   * if any. Deliveries another node holds are found by polling once their lease runs out.
   */
  async nextAttemptAt(now: number): Promise<number | undefined> {
    const next = await this.db
      .selectFrom('webhook_deliveries as d')
      .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
      .select('d.next_attempt_at')
      .where('d.status', '=', 'pending')
      .where((eb) => eb.or([eb('d.locked_until', 'is', null), eb('d.locked_until', '<', now)]))
      .orderBy('d.next_attempt_at')
      .limit(1)
      .executeTakeFirst();
    return next?.next_attempt_at;
  }

  /**
   * Claims up to `limit` pending deliveries due at `now`, earliest first, for `leaseMs` (see
   * store/lease.ts): another dispatcher, on this node or another, skips them until the lease runs
   * out. Each comes with what sending it needs from its webhook.
   */
  async claimDue(node: string, now: number, leaseMs: number, limit: number): Promise<DueDelivery[]> {
    const claimed = await claimLeased<WebhookDeliveriesTable>(this.db, 'webhook_deliveries', {
      node,
      now,
      leaseMs,
      limit,
      due: sql`status = 'pending' and next_attempt_at <= ${now} and exists (select 1 from webhooks w where w.id = webhook_id)`,
      orderBy: 'next_attempt_at',
    });
    if (!claimed.length) return [];
    const hooks = await this.db
      .selectFrom('webhooks')
      .select(['id', 'url', 'secret'])
      .where('id', 'in', [...new Set(claimed.map((d) => d.webhook_id))])
      .execute();
    const byId = new Map(hooks.map((h) => [h.id, h]));
    const due: DueDelivery[] = [];
    for (const d of claimed) {
      const hook = byId.get(d.webhook_id);
      // Removed since the claim: `remove` failed its pending deliveries, this one included.
      if (hook) due.push({ id: d.id, event: d.event, payload: d.payload, attempts: Number(d.attempts), url: hook.url, secret: hook.secret });
    }
    return due;
  }

  /** Gives up every lease `node` holds (it is stopping), so other nodes send those deliveries now. */
  async release(node: string): Promise<number> {
    return releaseLeases(this.db, 'webhook_deliveries', node);
  }

  async delivered(id: string, attempts: number): Promise<void> {
    await this.db
      .updateTable('webhook_deliveries')
      .set({ status: 'delivered', attempts, last_error: null, locked_by: null, locked_until: null })
      .where('id', '=', id)
      .execute();
  }

  /** A failed attempt: pending again at `nextAttemptAt`, or `failed` for good. */
  async attemptFailed(id: string, outcome: { attempts: number; error: string; giveUp: boolean; nextAttemptAt: number }): Promise<void> {
    await this.db
      .updateTable('webhook_deliveries')
      .set({
        status: outcome.giveUp ? 'failed' : 'pending',
        attempts: outcome.attempts,
        last_error: outcome.error,
        next_attempt_at: outcome.nextAttemptAt,
        locked_by: null,
        locked_until: null,
      })
      .where('id', '=', id)
      .execute();
  }
}
