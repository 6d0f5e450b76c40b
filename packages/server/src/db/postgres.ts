import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { Database } from './schema.js';

/** OID of PostgreSQL's `bigint` (int8): epoch-ms times, `count(*)`, `sum(integer)`, the events id. */
const INT8_OID = 20;

/**
 * node-postgres returns `bigint` as a string (it may not fit a JS number); the schema types and the
 * SQLite driver give numbers. Every int8 we store is far below 2^53 (epoch milliseconds, counts),
 * so it is converted here, once, for this pool only; one that is not fails its query rather than
 * coming back rounded.
 */
function parseInt8(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`bigint ${value} does not fit a JavaScript number`);
  return n;
}

export interface PostgresOptions {
  /** Told about errors of idle pooled connections (PostgreSQL restarted, network cut). */
  onIdleError?: (err: Error) => void;
}

/**
 * A connection pool on `url` (`postgres://user:password@host:port/database?sslmode=…`, the syntax
 * of node-postgres). Connections open on the first query, so this does not fail: an unreachable
 * server or a wrong password surfaces in `createServer`'s migrations, the first to connect.
 */
export function openPostgres(url: string, options: PostgresOptions = {}): Kysely<Database> {
  const types = new pg.TypeOverrides();
  types.setTypeParser(INT8_OID, parseInt8);
  const pool = new pg.Pool({ connectionString: url, types, application_name: 'threadline' });
  // Without a listener, an error on an idle pooled connection would crash the process. The pool
  // drops that connection and opens a new one for the next query; a query that fails meanwhile
  // reports its own error.
  pool.on('error', (err) => options.onIdleError?.(err));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  pools.set(db, pool);
  return db;
}

/** The pool under each database `openPostgres` opened. */
const pools = new WeakMap<Kysely<Database>, pg.Pool>();

/**
 * How many statements wait for a pooled connection of `db` right now: 0 for SQLite, which has no
 * pool, and for a database not opened by `openPostgres`. The visitor channel refuses new sends
 * while this queue is deep, rather than let it grow without bound (see realtime/visitor-channel.ts).
 */
export function poolBacklog(db: Kysely<Database>): number {
  return pools.get(db)?.waitingCount ?? 0;
}
