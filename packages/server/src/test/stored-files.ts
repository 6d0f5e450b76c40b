/**
 * What a test server keeps of its uploads, wherever its file store keeps them: files under
 * `<dataDir>/files` on SQLite (DiskFileStore), rows of `file_chunks` on PostgreSQL
 * (DatabaseFileStore), finished or not.
 */
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { Harness } from './harness.js';

async function query<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

function diskFiles(h: Harness): string[] {
  const dir = path.join(h.config.dataDir, 'files');
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((p) => fs.statSync(path.join(dir, p)).isFile());
}

/** How many uploads (keys) have bytes stored, in full or in part. */
export async function storedCount(h: Harness): Promise<number> {
  if (!h.config.databaseUrl) return diskFiles(h).length;
  const [row] = await query<{ n: string }>(h.config.databaseUrl, 'select count(distinct key) as n from file_chunks');
  return Number(row!.n);
}

/** Whether any byte of `key` is stored. */
export async function isStored(h: Harness, key: string): Promise<boolean> {
  if (!h.config.databaseUrl) return diskFiles(h).some((p) => path.basename(p).startsWith(key));
  const rows = await query(h.config.databaseUrl, 'select 1 from file_chunks where key = $1 limit 1', [key]);
  return rows.length > 0;
}
