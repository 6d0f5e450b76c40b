import type { Kysely } from 'kysely';
import type { Database, WebhookDeliveriesTable, WebhooksTable } from '../db/schema.js';

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
 * and when to retry is the dispatcher's; this only reads and writes rows.
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

  /** When the earliest pending delivery (of a webhook that still exists) is due, if any. */
  async nextAttemptAt(): Promise<number | undefined> {
    const next = await this.db
      .selectFrom('webhook_deliveries as d')
      .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
      .select('d.next_attempt_at')
      .where('d.status', '=', 'pending')
      .orderBy('d.next_attempt_at')
      .limit(1)
      .executeTakeFirst();
    return next?.next_attempt_at;
  }

  /** Pending deliveries due at `now`, earliest first. */
  async due(now: number, limit: number): Promise<DueDelivery[]> {
    return this.db
      .selectFrom('webhook_deliveries as d')
      .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
      .select(['d.id', 'd.event', 'd.payload', 'd.attempts', 'w.url', 'w.secret'])
      .where('d.status', '=', 'pending')
      .where('d.next_attempt_at', '<=', now)
      .orderBy('d.next_attempt_at')
      .limit(limit)
      .execute();
  }

  async delivered(id: string, attempts: number): Promise<void> {
    await this.db.updateTable('webhook_deliveries').set({ status: 'delivered', attempts, last_error: null }).where('id', '=', id).execute();
  }

  /** A failed attempt: pending again at `nextAttemptAt`, or `failed` for good. */
  async attemptFailed(id: string, outcome: { attempts: number; error: string; giveUp: boolean; nextAttemptAt: number }): Promise<void> {
    await this.db
      .updateTable('webhook_deliveries')
      .set({ status: outcome.giveUp ? 'failed' : 'pending', attempts: outcome.attempts, last_error: outcome.error, next_attempt_at: outcome.nextAttemptAt })
      .where('id', '=', id)
      .execute();
  }
}
