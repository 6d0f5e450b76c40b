import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from './schema.js';

/**
 * Opens (creating if needed) the embedded SQLite database; `createServer` migrates it.
 * WAL mode with `synchronous=NORMAL`: a commit survives a process crash (kill -9); only an OS
 * crash or power loss can drop the last transactions, which is the usual trade for an embedded store.
 */
export async function openSqlite(file: string): Promise<Kysely<Database>> {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // The database holds identity secrets: create it 600 (SQLite gives its -wal and -shm the same mode).
  if (file !== ':memory:') fs.closeSync(fs.openSync(file, 'a', 0o600));
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
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
