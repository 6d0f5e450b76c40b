import fs from 'node:fs';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../test/harness.js';
import type { Database } from './schema.js';
import { openSqlite, walCheckpointerOf } from './sqlite.js';
import { WalCheckpointer, type CheckpointResult } from './wal-checkpointer.js';

const open: Kysely<Database>[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((db) => db.destroy()));
});

async function openTemp(options?: Parameters<typeof openSqlite>[1]) {
  const file = path.join(tempDir(), 'threadline.sqlite');
  const db = await openSqlite(file, options);
  open.push(db);
  return { db, file };
}

async function pragma(db: Kysely<Database>, name: string): Promise<unknown> {
  const { rows } = await sql<Record<string, unknown>>`pragma ${sql.raw(name)}`.execute(db);
  return Object.values(rows[0]!)[0];
}

/** Enough rows to put some hundred pages in the WAL. */
async function writeRows(db: Kysely<Database>, n = 2000) {
  await sql`create table if not exists t (id integer primary key, body text)`.execute(db);
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < n; i++) await sql`insert into t (body) values (${'x'.repeat(200)})`.execute(trx);
  });
}

function nextCheckpoint(checkpointer: WalCheckpointer, done: (r: CheckpointResult) => boolean): Promise<CheckpointResult> {
  return new Promise((resolve) => {
    const stop = checkpointer.subscribe((r) => {
      if (!done(r)) return;
      stop();
      resolve(r);
    });
  });
}

describe('openSqlite', () => {
  it('opens in WAL mode with synchronous=NORMAL, foreign keys, a busy timeout, and SQLite’s own auto-checkpoint only past 64 MiB', async () => {
    const { db } = await openTemp();
    expect(await pragma(db, 'journal_mode')).toBe('wal');
    expect(await pragma(db, 'synchronous')).toBe(1); // NORMAL
    expect(await pragma(db, 'foreign_keys')).toBe(1);
    expect(await pragma(db, 'busy_timeout')).toBe(5000);
    expect(await pragma(db, 'wal_autocheckpoint')).toBe(16_384);
    expect(walCheckpointerOf(db)?.running).toBe(true);
  });

  it('has a worker thread copy committed writes into the database file', async () => {
    const { db, file } = await openTemp({ checkpointIntervalMs: 20 });
    const checkpointer = walCheckpointerOf(db)!;
    // About 100 pages: under SQLite's own auto-checkpoint (1000 or 16384 frames) they would stay in the WAL.
    await writeRows(db);
    // The worker keeps reporting a WAL it has copied whole until a write starts the WAL over.
    await nextCheckpoint(checkpointer, (r) => r.log > 100 && r.checkpointed === r.log);
    expect(fs.statSync(file).size).toBeGreaterThan(2000 * 200);
  });

  it('stops the checkpoint worker on destroy, whose connection closes last and folds the WAL into the file', async () => {
    const { db, file } = await openTemp({ checkpointIntervalMs: 20 });
    const checkpointer = walCheckpointerOf(db)!;
    await writeRows(db);
    expect(fs.existsSync(`${file}-wal`)).toBe(true);
    await db.destroy();
    open.splice(open.indexOf(db), 1);
    expect(checkpointer.running).toBe(false);
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    const again = await openSqlite(file);
    open.push(again);
    const { rows } = await sql<{ n: number }>`select count(*) as n from t`.execute(again);
    expect(rows[0]!.n).toBe(2000);
  });

  it('starts the WAL over past its limit while writes never pause for the worker to copy it whole', async () => {
    const { db } = await openTemp({ checkpointIntervalMs: 10, walLimitFrames: 200 });
    const checkpointer = walCheckpointerOf(db)!;
    const logs: number[] = [];
    checkpointer.subscribe((r) => logs.push(r.log));
    await sql`create table t (id integer primary key, body text)`.execute(db);
    // One commit after another, a turn of the event loop every 50 (to hear the worker), until the
    // WAL has reached the limit and started over. On a busy machine the worker may catch up now and
    // then (the WAL then starts over before the limit), so the run lasts until both are seen.
    const startedOverAtLimit = () => logs.some((log, i) => i > 0 && log < logs[i - 1]! && logs[i - 1]! >= 200);
    const deadline = Date.now() + 30_000;
    for (let i = 0; !startedOverAtLimit() && Date.now() < deadline; i++) {
      await sql`insert into t (body) values (${'x'.repeat(2000)})`.execute(db);
      if (i % 50 === 0) await new Promise((r) => setImmediate(r));
    }
    // The writes never paused, yet the WAL stayed near its limit: the commit past it checkpointed.
    expect(startedOverAtLimit()).toBe(true);
    expect(Math.max(...logs)).toBeLessThan(200 * 20);
  }, 40_000);

  it('leaves checkpoints to SQLite, on the event loop, with checkpointIntervalMs 0', async () => {
    const { db } = await openTemp({ checkpointIntervalMs: 0 });
    expect(await pragma(db, 'wal_autocheckpoint')).toBe(1000);
    expect(walCheckpointerOf(db)).toBeUndefined();
  });
});

describe('WalCheckpointer', () => {
  it('reports a worker that could not open the database, and is no longer running', async () => {
    const missing = path.join(tempDir(), 'nothing-here.sqlite');
    let onFailure!: (err: Error) => void;
    const failed = new Promise<Error>((resolve) => (onFailure = resolve));
    const checkpointer = new WalCheckpointer(missing, { intervalMs: 20, onFailure });
    expect((await failed).message).toMatch(/unable to open|does not exist/i);
    expect(checkpointer.running).toBe(false);
  });

  it('stop resolves once the worker has closed its connection and exited', async () => {
    const { db, file } = await openTemp({ checkpointIntervalMs: 0 });
    await sql`pragma wal_autocheckpoint = 0`.execute(db);
    const failures: Error[] = [];
    const checkpointer = new WalCheckpointer(file, { intervalMs: 20, onFailure: (err) => failures.push(err) });
    await writeRows(db);
    await nextCheckpoint(checkpointer, (r) => r.log > 0);
    await checkpointer.stop();
    expect(checkpointer.running).toBe(false);
    // The server's connection is the last one now: closing it removes the WAL.
    await db.destroy();
    open.splice(open.indexOf(db), 1);
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    expect(failures).toEqual([]);
  });
});
