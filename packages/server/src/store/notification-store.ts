import type { Kysely } from 'kysely';
import type { Database, EmailNotificationsTable, MessagesTable, ThreadsTable, VisitorsTable } from '../db/schema.js';

/** The SQL of email notifications (notifications/): addresses, unsubscribes, and the emails sent. */
export class NotificationStore {
  constructor(readonly db: Kysely<Database>) {}

  /** The visitor's own address (`notify.email.set`); null removes it. */
  async setVisitorEmail(visitorId: string, email: string | null): Promise<void> {
    await this.db.updateTable('visitors').set({ notify_email: email }).where('id', '=', visitorId).execute();
  }

  /** Whether an identified user's email from `identify` receives notifications (per app). */
  async identifiedOptIn(appId: string): Promise<boolean> {
    const row = await this.db.selectFrom('apps').select('notify_identified').where('id', '=', appId).executeTakeFirst();
    return Number(row?.notify_identified ?? 0) === 1;
  }

  async setIdentifiedOptIn(appId: string, on: boolean): Promise<void> {
    await this.db.updateTable('apps').set({ notify_identified: on ? 1 : 0 }).where('id', '=', appId).execute();
  }

  /** The app's allowed browser origins (where its widget runs: continue links point there). */
  async allowedOrigins(appId: string): Promise<string[]> {
    const row = await this.db.selectFrom('apps').select('allowed_origins').where('id', '=', appId).executeTakeFirst();
    return row ? (JSON.parse(row.allowed_origins) as string[]) : [];
  }

  async appName(appId: string): Promise<string | null> {
    const row = await this.db.selectFrom('apps').select('name').where('id', '=', appId).executeTakeFirst();
    return row?.name ?? null;
  }

  async suppressed(appId: string, email: string): Promise<boolean> {
    const row = await this.db.selectFrom('email_suppressions').select('email').where('app_id', '=', appId).where('email', '=', email.toLowerCase()).executeTakeFirst();
    return !!row;
  }

  /** Unsubscribes an address from every email of the app (once; a repeat changes nothing). */
  async suppress(appId: string, email: string, at: number): Promise<void> {
    await this.db
      .insertInto('email_suppressions')
      .values({ app_id: appId, email: email.toLowerCase(), created_at: at })
      .onConflict((oc) => oc.columns(['app_id', 'email']).doNothing())
      .execute();
  }

  async unsuppress(appId: string, email: string): Promise<void> {
    await this.db.deleteFrom('email_suppressions').where('app_id', '=', appId).where('email', '=', email.toLowerCase()).execute();
  }

  /** Unsubscribes one thread. */
  async threadOff(threadId: string): Promise<void> {
    await this.db.updateTable('threads').set({ notify_off: 1 }).where('id', '=', threadId).execute();
  }

  /** Brand messages (agent, bot) after `after`, oldest first: what a digest carries. */
  async brandMessagesAfter(threadId: string, after: number, limit: number): Promise<MessagesTable[]> {
    return this.db
      .selectFrom('messages')
      .selectAll()
      .where('thread_id', '=', threadId)
      .where('seq', '>', after)
      .where('author_kind', 'in', ['agent', 'bot'])
      .orderBy('seq', 'asc')
      .limit(limit)
      .execute();
  }

  /** Message-IDs of the thread's earlier emails, oldest first (the References of the next one). */
  async earlierMessageIds(threadId: string, limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('email_notifications')
      .select('message_id')
      .where('thread_id', '=', threadId)
      .where('status', '=', 'sent')
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => r.message_id).reverse();
  }

  /** Whether the thread has a message with this clientId (an email reply posted before). */
  async hasMessage(threadId: string, clientId: string): Promise<boolean> {
    const row = await this.db.selectFrom('messages').select('id').where('thread_id', '=', threadId).where('client_id', '=', clientId).executeTakeFirst();
    return !!row;
  }

  async get(id: string): Promise<EmailNotificationsTable | undefined> {
    return this.db.selectFrom('email_notifications').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /**
   * Records an email (inside `db`, the transaction that completes its job) and, when it was sent,
   * moves the thread's horizon past the messages it carried (only forward). A second record of
   * the same email (a job run again after its node died) changes nothing.
   */
  async record(row: EmailNotificationsTable, db: Kysely<Database> = this.db): Promise<void> {
    await db
      .insertInto('email_notifications')
      .values(row)
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    if (row.status === 'sent') {
      await db.updateTable('threads').set({ notify_sent_seq: row.to_seq }).where('id', '=', row.thread_id).where('notify_sent_seq', '<', row.to_seq).execute();
    }
  }

  /** The threads a visitor opened from continue links (JSON string[]; see notifications/continue.ts). */
  async setAttachedThreads(visitorId: string, json: string): Promise<void> {
    await this.db.updateTable('visitors').set({ attached_threads: json }).where('id', '=', visitorId).execute();
  }

  async thread(id: string): Promise<ThreadsTable | undefined> {
    return this.db.selectFrom('threads').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async visitor(id: string): Promise<VisitorsTable | undefined> {
    return this.db.selectFrom('visitors').selectAll().where('id', '=', id).executeTakeFirst();
  }
}
