import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/**
 * Server-wide values in the database (table `settings`), the same for every node: secrets such as
 * the visitor-token key (auth/tokens.ts), which must never be logged. Written once and read back,
 * so that nodes starting at the same time agree on the first value stored.
 */
export class SettingsStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => number = Date.now,
  ) {}

  /** The value stored under `key`, or null. */
  async get(key: string): Promise<string | null> {
    const row = await this.db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
    return row?.value ?? null;
  }

  /**
   * Stores `value` under `key` unless a value is there already, and resolves with the stored one:
   * `value`, or what another node stored first (an insert that does nothing on conflict, then a
   * read, so two nodes racing both end up with the winner's).
   */
  async putIfAbsent(key: string, value: string): Promise<string> {
    await this.db
      .insertInto('settings')
      .values({ key, value, created_at: this.now() })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    const stored = await this.get(key);
    if (stored === null) throw new Error(`setting ${key} was not stored`);
    return stored;
  }
}
