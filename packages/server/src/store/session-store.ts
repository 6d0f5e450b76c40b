import type { Kysely } from 'kysely';
import { engineOf } from '../db/engine.js';
import type { Database, SessionsTable, VisitorsTable } from '../db/schema.js';

/** The SQL of visitor sessions (table `sessions`); what makes a session live is `VisitorSessions`'. */
export class SessionStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** True when `renewSeen` is one statement here (PostgreSQL: an `UPDATE` in a `WITH`). */
  get renewsInOneStatement(): boolean {
    return engineOf(this.db) === 'postgres';
  }

  /**
   * A returning device's handshake in one statement: when session `id` of this app's visitor is
   * live (not revoked, not past its end at `now`), moves its end to `expiresAt` with no user
   * recorded (an anonymous connection), and marks the visitor seen at `now`; returns the visitor
   * as it is then. Undefined when the session is not live (or not this visitor's): nothing is
   * written. The liveness check and the renewal are one `UPDATE`, so a logout that committed
   * first is never undone. PostgreSQL only (see `renewsInOneStatement`).
   */
  async renewSeen(id: string, owner: { appId: string; visitorId: string }, now: number, expiresAt: number): Promise<VisitorsTable | undefined> {
    return this.db
      .with('s', (db) =>
        db
          .updateTable('sessions')
          .set({ expires_at: expiresAt, user_id: null })
          .where('id', '=', id)
          .where('app_id', '=', owner.appId)
          .where('visitor_id', '=', owner.visitorId)
          .where('revoked_at', 'is', null)
          .where('expires_at', '>', now)
          .returning('visitor_id'),
      )
      .updateTable('visitors')
      .set({ last_seen_at: now })
      .where('id', 'in', (eb) => eb.selectFrom('s').select('visitor_id'))
      .returningAll()
      .executeTakeFirst();
  }

  async get(id: string): Promise<SessionsTable | undefined> {
    return this.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async insert(row: SessionsTable): Promise<void> {
    await this.db.insertInto('sessions').values(row).execute();
  }

  /** Inserts `row` unless a session with its id exists (which is kept as it is). */
  async insertIfAbsent(row: SessionsTable): Promise<void> {
    await this.db
      .insertInto('sessions')
      .values(row)
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }

  /** Moves the end of the visitor's unrevoked session `id` and records its user. False when there is no such session. */
  async extend(id: string, visitorId: string, set: { expiresAt: number; userId: string | null }): Promise<boolean> {
    const res = await this.db
      .updateTable('sessions')
      .set({ expires_at: set.expiresAt, user_id: set.userId })
      .where('id', '=', id)
      .where('visitor_id', '=', visitorId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  /** Revokes session `id` of this app's visitor, unless it is revoked already. True when it was live. */
  async revoke(id: string, owner: { appId: string; visitorId: string }, at: number): Promise<boolean> {
    const res = await this.db
      .updateTable('sessions')
      .set({ revoked_at: at })
      .where('id', '=', id)
      .where('app_id', '=', owner.appId)
      .where('visitor_id', '=', owner.visitorId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  /** Revokes every unrevoked session of a visitor; returns their ids. */
  async revokeVisitor(appId: string, visitorId: string, at: number): Promise<string[]> {
    const rows = await this.db
      .updateTable('sessions')
      .set({ revoked_at: at })
      .where('app_id', '=', appId)
      .where('visitor_id', '=', visitorId)
      .where('revoked_at', 'is', null)
      .returning('id')
      .execute();
    return rows.map((r) => r.id);
  }

  /** Revokes every unrevoked session that carries the user or belongs to a visitor bound to it; returns their ids. */
  async revokeUser(appId: string, userId: string, at: number): Promise<string[]> {
    const rows = await this.db
      .updateTable('sessions')
      .set({ revoked_at: at })
      .where('app_id', '=', appId)
      .where('revoked_at', 'is', null)
      .where((eb) =>
        eb.or([
          eb('user_id', '=', userId),
          eb('visitor_id', 'in', eb.selectFrom('visitors').select('id').where('app_id', '=', appId).where('user_id', '=', userId)),
        ]),
      )
      .returning('id')
      .execute();
    return rows.map((r) => r.id);
  }

  async deleteExpired(now: number): Promise<void> {
    await this.db.deleteFrom('sessions').where('expires_at', '<', now).execute();
  }
}
