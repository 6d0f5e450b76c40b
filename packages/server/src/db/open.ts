import path from 'node:path';
import type { Kysely } from 'kysely';
import type { ServerConfig } from '../config.js';
import { openPostgres } from './postgres.js';
import type { Database } from './schema.js';
import { openSqlite } from './sqlite.js';

interface Logger {
  warn(obj: object, msg: string): void;
}

/**
 * The database `config` names: PostgreSQL when `databaseUrl` is set, else the embedded SQLite file
 * in the data directory. Not migrated yet: `createServer` does that, for any database it gets.
 */
export async function openDatabase(config: Pick<ServerConfig, 'databaseUrl' | 'dataDir'>, log?: Logger): Promise<Kysely<Database>> {
  if (config.databaseUrl) {
    return openPostgres(config.databaseUrl, { onIdleError: (err) => log?.warn({ err }, 'an idle PostgreSQL connection failed; the pool replaces it') });
  }
  return openSqlite(path.join(config.dataDir, 'threadline.sqlite'), {
    onCheckpointerFailure: (err) => log?.warn({ err }, 'the SQLite checkpoint worker stopped; SQLite checkpoints on the event loop again'),
  });
}

/** Where `openDatabase` stores, for the start banner and logs: never the URL's password. */
export function describeDatabase(config: Pick<ServerConfig, 'databaseUrl' | 'dataDir'>): string {
  if (!config.databaseUrl) return `SQLite ${path.join(config.dataDir, 'threadline.sqlite')}`;
  try {
    const url = new URL(config.databaseUrl);
    return `PostgreSQL ${url.hostname || 'localhost'}:${url.port || 5432}${url.pathname}`;
  } catch {
    // node-postgres also takes what the URL class refuses (a socket directory as the host).
    return 'PostgreSQL (THREADLINE_DATABASE_URL)';
  }
}
