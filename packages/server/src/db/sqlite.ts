import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, type Driver } from 'kysely';
import type { Database } from './schema.js';
import { WalCheckpointer } from './wal-checkpointer.js';

export interface SqliteOptions {
  /**
   * Time between the WAL checkpoints that a worker thread runs (see `WalCheckpointer`); 0 leaves
   * them to SQLite's auto-checkpoint, on the event loop, in the commit that fills the WAL to 1000
   * frames. Ignored for `:memory:`.
   * @default 500
   */
  checkpointIntervalMs?: number;
  /**
   * The checkpoint worker failed; SQLite's auto-checkpoint has been turned back on.
   * @default nothing
   */
  onCheckpointerFailure?: (err: Error) => void;
  /**
   * WAL frames past which a commit on the server's own connection finishes a checkpoint itself
   * (`wal_autocheckpoint`), with the worker running; see below.
   * @default 16384 (64 MiB of 4 KiB pages)
   */
  walLimitFrames?: number;
}

/** SQLite's own default, restored when the checkpoint worker fails. */
const AUTO_CHECKPOINT_PAGES = 1000;
/** After a burst grew it, the WAL is cut back to this size when it starts over. */
const WAL_SIZE_LIMIT = 64 * 2 ** 20;

/**
 * Opens (creating if needed) the embedded SQLite database; `createServer` migrates it.
 * WAL mode with `synchronous=NORMAL`: a commit survives a process crash (kill -9); only an OS
 * crash or power loss can drop the last transactions, which is the usual trade for an embedded store
 * (docs/server.md, "Durability"). Checkpoints run in a worker thread, off the event loop.
 */
export async function openSqlite(file: string, options: SqliteOptions = {}): Promise<Kysely<Database>> {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // The database holds identity secrets: create it 600 (SQLite gives its -wal and -shm the same mode).
  if (file !== ':memory:') fs.closeSync(fs.openSync(file, 'a', 0o600));
  const sqlite = new SQLite(file);
  const wal = sqlite.pragma('journal_mode = WAL', { simple: true }) === 'wal';
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT}`);
  const intervalMs = options.checkpointIntervalMs ?? 500;
  let checkpointer: WalCheckpointer | null = null;
  if (wal && intervalMs > 0) {
    // The WAL starts over only at a write that finds it copied whole, and the worker copies it whole
    // only when no commit lands while it copies: under writes that never pause (or while the event
    // loop is held and the worker's passes pile up) it would grow without end. So SQLite's own
    // checkpoint stays, moved from 1000 frames to the limit: past it, the commit that finds the WAL
    // that long copies what the worker has not (little: what came since its last pass) and the
    // next write starts the WAL over.
    sqlite.pragma(`wal_autocheckpoint = ${options.walLimitFrames ?? 16_384}`);
    checkpointer = new WalCheckpointer(file, {
      intervalMs,
      onFailure: (err) => {
        // Without checkpoints the WAL would grow without end: SQLite takes them over again.
        if (sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
        options.onCheckpointerFailure?.(err);
      },
    });
  }
  const database = withStatementCache(sqlite);
  const dialect = new SqliteDialect({ database });
  // Kysely's SQLite driver closes the database without waiting: `destroy()` also waits for the
  // checkpoint worker, whose connection closes last and so folds the WAL into the file.
  const createDriver = dialect.createDriver.bind(dialect);
  dialect.createDriver = (): Driver => {
    const driver = createDriver();
    const destroy = driver.destroy.bind(driver);
    driver.destroy = async () => {
      await destroy();
      await checkpointer?.stop();
    };
    return driver;
  };
  const db = new Kysely<Database>({ dialect });
  if (checkpointer) checkpointers.set(db, checkpointer);
  return db;
}

const checkpointers = new WeakMap<Kysely<Database>, WalCheckpointer>();

/** The checkpoint worker of a database `openSqlite` opened, if it has one (tests, diagnostics). */
export function walCheckpointerOf(db: Kysely<Database>): WalCheckpointer | undefined {
  return checkpointers.get(db);
}

/**
 * Kysely prepares every query anew; under load that compile step dominated the event loop (see
 * docs/performance.md, server benchmark). Prepared statements are reusable, so keep the most
 * recent ones by SQL text. Bounded: `in (…)` lists of other lengths make other SQL texts.
 */
function withStatementCache(sqlite: SQLite.Database, max = 500) {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string): SQLite.Statement {
      let stmt = cache.get(sql);
      if (stmt) {
        cache.delete(sql); // re-insert: most recently used last
      } else {
        stmt = sqlite.prepare(sql);
        if (cache.size >= max) cache.delete(cache.keys().next().value!);
      }
      cache.set(sql, stmt);
      return stmt;
    },
  };
}
