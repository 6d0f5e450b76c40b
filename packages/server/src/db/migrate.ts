import { Migrator, sql, type Kysely } from 'kysely';
import { engineOf } from './engine.js';
import { migrationProvider } from './migrations.js';

/**
 * Key of the PostgreSQL advisory lock held while a node starts (migrations, then the demo app and
 * webhook it seeds). Any fixed bigint will do; this one spells "thrdline" in ASCII.
 */
const STARTUP_LOCK = 0x746872646c696e65n;

/**
 * Runs `fn` while holding the database's startup lock, so that several nodes starting at once
 * migrate and seed one after the other: the first does the work, the others find it done.
 *
 * PostgreSQL: a session-level `pg_advisory_lock` on one pooled connection, kept for the whole of
 * `fn` (whose queries may use other connections) and released after it, also when it throws. A
 * node that dies while holding it ends its session, which releases it. SQLite: `fn` runs as it
 * is: one process owns the file, and Kysely's SQLite driver runs one statement at a time.
 */
export async function withStartupLock<T>(db: Kysely<any>, fn: () => Promise<T>): Promise<T> {
  if (engineOf(db) !== 'postgres') return fn();
  return db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${STARTUP_LOCK})`.execute(conn);
    try {
      return await fn();
    } finally {
      await sql`select pg_advisory_unlock(${STARTUP_LOCK})`.execute(conn);
    }
  });
}

/**
 * Applies the migrations `db` has not run yet. Call it inside `withStartupLock` (or use
 * `migrateToLatest`); Kysely's Migrator locks the migrations themselves, not the creation of its
 * own bookkeeping tables, which two nodes starting together could race on.
 */
export async function applyMigrations(db: Kysely<any>): Promise<void> {
  const { error, results } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
  if (!error) return;
  const failed = results?.find((r) => r.status === 'Error');
  const reason = error instanceof Error ? error.message : String(error);
  throw new Error(failed ? `migration ${failed.migrationName} failed: ${reason}` : `migrating the database failed: ${reason}`, { cause: error });
}

/** Brings the schema of `db` (SQLite or PostgreSQL) up to date under the startup lock. */
export async function migrateToLatest(db: Kysely<any>): Promise<void> {
  await withStartupLock(db, () => applyMigrations(db));
}
