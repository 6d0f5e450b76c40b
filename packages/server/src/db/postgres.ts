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
  const queue = new PoolQueue();
  // Kysely asks the pool for a connection per statement outside a transaction, and once for a
  // whole transaction: each such wait is timed, to tell how far behind the database is.
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: { connect: () => queue.timed(pool.connect()), end: () => pool.end() } }),
  });
  queues.set(db, queue);
  return db;
}

/** The requests for a pooled connection not answered yet, oldest first. */
class PoolQueue {
  readonly #waiting = new Set<{ since: number }>();

  async timed<T>(connecting: Promise<T>): Promise<T> {
    const entry = { since: performance.now() };
    this.#waiting.add(entry);
    try {
      return await connecting;
    } finally {
      this.#waiting.delete(entry);
    }
  }

  get length(): number {
    return this.#waiting.size;
  }

  /** How long the oldest request has waited, in milliseconds; 0 when none waits. */
  oldestMs(now = performance.now()): number {
    const oldest = this.#waiting.values().next().value;
    return oldest ? now - oldest.since : 0;
  }
}

const queues = new WeakMap<Kysely<Database>, PoolQueue>();

/**
 * How far behind `db` is: how many statements (or transactions) wait for a pooled connection, and
 * how long the oldest of them has waited. Nothing waits on SQLite, which has no pool (its
 * statements run on the event loop when asked), nor on a database not opened by `openPostgres`.
 * The visitor channel refuses new sends while the wait is long, rather than let the queue grow
 * without bound (see realtime/visitor-channel.ts).
 */
export function poolBacklog(db: Kysely<Database>): { waiting: number; oldestMs: number } {
  const queue = queues.get(db);
  return queue ? { waiting: queue.length, oldestMs: queue.oldestMs() } : { waiting: 0, oldestMs: 0 };
}
