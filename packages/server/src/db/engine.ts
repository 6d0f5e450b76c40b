import { PostgresAdapter, SqliteAdapter, type Kysely } from 'kysely';

/** The SQL engines the server runs on: embedded SQLite (the default) and PostgreSQL. */
export type Engine = 'sqlite' | 'postgres';

/**
 * Which engine a Kysely instance (or transaction) talks to, from its dialect's adapter, the way
 * Kysely's own Migrator tells them apart. The few statements that differ (`FOR UPDATE`, identity
 * columns, advisory locks) branch on this; everything else is the same SQL on both.
 */
export function engineOf(db: Kysely<any>): Engine {
  const adapter = db.getExecutor().adapter;
  if (adapter instanceof PostgresAdapter) return 'postgres';
  if (adapter instanceof SqliteAdapter) return 'sqlite';
  throw new Error(`unsupported database dialect (${adapter.constructor.name}): Threadline runs on SQLite or PostgreSQL`);
}
