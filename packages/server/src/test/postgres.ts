/**
 * Databases of the server's suite on PostgreSQL (vitest.postgres.config.ts): every harness gets a
 * new empty database, dropped when it closes; the run's global teardown drops any left behind.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** A role that may CREATE DATABASE, on the server the tests use. */
export const ADMIN_URL = process.env.THREADLINE_TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test';

/** `host:port` of ADMIN_URL, for messages (never the password). */
export const ADMIN_HOST = (() => {
  const url = new URL(ADMIN_URL);
  return `${url.hostname || 'localhost'}:${url.port || 5432}`;
})();

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Null when PostgreSQL answers at ADMIN_URL; otherwise why it does not. */
export async function whyPostgresUnusable(): Promise<string | null> {
  try {
    await withAdmin((c) => c.query('select 1'));
    return null;
  } catch (err) {
    return err instanceof Error ? err.message || (err as { code?: string }).code || err.name : String(err);
  }
}

export interface TestDatabase {
  /** Connection URL of the new database (ADMIN_URL's role and server). */
  url: string;
  drop(): Promise<void>;
}

/** A new empty database named `<prefix>_<random hex>`. */
export async function createTestDatabase(prefix: string): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await withAdmin((c) => c.query(`create database ${name}`));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    // FORCE: a test that failed before closing its server may still hold connections.
    drop: () => withAdmin((c) => c.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}

/** Drops every database whose name starts with `<prefix>_`: what a run's harnesses left behind. */
export async function dropTestDatabases(prefix: string): Promise<string[]> {
  return withAdmin(async (c) => {
    const { rows } = await c.query<{ datname: string }>("select datname from pg_database where starts_with(datname, $1)", [`${prefix}_`]);
    for (const { datname } of rows) await c.query(`drop database if exists ${pg.escapeIdentifier(datname)} with (force)`);
    return rows.map((r) => r.datname);
  });
}
