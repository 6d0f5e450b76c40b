/**
 * The FileStore contract, for each store: on disk, and in the database (SQLite in the `server`
 * project, PostgreSQL in `server-postgres`, where only the database store runs: the disk store
 * does not depend on the engine).
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../db/migrate.js';
import { openDatabase } from '../db/open.js';
import type { Database } from '../db/schema.js';
import { TEST_ENGINE, newId, tempDir, testDatabase } from '../test/harness.js';
import type { TestDatabase } from '../test/postgres.js';
import { CHUNK_BYTES, DatabaseFileStore } from './database-file-store.js';
import { DiskFileStore, FallbackFileStore, type FileStore } from './file-store.js';

interface Subject {
  store: FileStore;
  /** Files or rows held for `key`, finished or not. */
  held(key: string): Promise<number>;
  close(): Promise<void>;
}

async function diskSubject(): Promise<Subject> {
  const dir = tempDir();
  return {
    store: new DiskFileStore(dir),
    async held(key) {
      const sub = path.join(dir, key.slice(0, 2));
      return fs.existsSync(sub) ? fs.readdirSync(sub).filter((f) => f.startsWith(key)).length : 0;
    },
    async close() {},
  };
}

async function databaseSubject(): Promise<Subject> {
  const database: TestDatabase | null = await testDatabase();
  const db: Kysely<Database> = await openDatabase({ databaseUrl: database?.url, dataDir: tempDir() });
  await migrateToLatest(db);
  const store = new DatabaseFileStore(db);
  return {
    store,
    held: (key) => store.chunkCount(key),
    async close() {
      await db.destroy();
      await database?.drop();
    },
  };
}

/** `bytes` in pieces of uneven sizes, as a request body arrives. */
async function* pieces(bytes: Buffer, sizes = [65_536, 1000, 70_001, 7]): AsyncGenerator<Buffer> {
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const next = Math.min(bytes.length, at + sizes[i % sizes.length]!);
    yield bytes.subarray(at, next);
    at = next;
  }
}

/** Yields `bytes` but stops after `hold` bytes until `release()`; `holding` resolves when it got there. */
function gated(bytes: Buffer, hold: number) {
  let release!: () => void;
  let reached!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const holding = new Promise<void>((r) => (reached = r));
  async function* source() {
    yield* pieces(bytes.subarray(0, hold));
    reached();
    await released;
    yield* pieces(bytes.subarray(hold));
  }
  return { source: source(), holding, release };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

const subjects: [string, () => Promise<Subject>][] =
  TEST_ENGINE === 'postgres' ? [['in PostgreSQL', databaseSubject]] : [['on disk', diskSubject], ['in SQLite', databaseSubject]];

describe.each(subjects)('a file store %s', (name, make) => {
  const inDatabase = name !== 'on disk';
  let s: Subject;
  beforeAll(async () => {
    s = await make();
  });
  afterAll(() => s?.close());

  it('gives back every byte of files of every size around the chunk size', async () => {
    for (const size of [0, 1, CHUNK_BYTES - 1, CHUNK_BYTES, CHUNK_BYTES + 1, 3 * CHUNK_BYTES + 17]) {
      const key = newId();
      const bytes = randomBytes(size);
      expect(await s.store.put(key, pieces(bytes))).toBe(size);
      const stream = await s.store.get(key);
      expect(stream).not.toBeNull();
      expect((await readAll(stream!)).equals(bytes), `${size} bytes`).toBe(true);
    }
  });

  it('stores 6 MiB as it streams in, in chunks of 256 KiB, and streams it back byte for byte', async () => {
    const key = newId();
    const bytes = randomBytes(6 * 1024 * 1024);
    expect(await s.store.put(key, pieces(bytes))).toBe(bytes.length);
    expect(await s.held(key)).toBe(inDatabase ? 24 : 1);
    expect((await readAll((await s.store.get(key))!)).equals(bytes)).toBe(true);
  });

  it('answers null for a key it does not have', async () => {
    expect(await s.store.get(newId())).toBeNull();
  });

  it('shows a reader nothing while a file is being written, and all of it once written', async () => {
    const key = newId();
    const bytes = randomBytes(CHUNK_BYTES * 3 + 5);
    const gate = gated(bytes, CHUNK_BYTES * 2 + 100);
    const put = s.store.put(key, gate.source);
    await gate.holding;
    // Two chunks are written already (the database store writes as the bytes come)…
    expect(await s.held(key)).toBeGreaterThanOrEqual(inDatabase ? 2 : 1);
    // …but there is no file yet.
    expect(await s.store.get(key)).toBeNull();
    gate.release();
    expect(await put).toBe(bytes.length);
    expect((await readAll((await s.store.get(key))!)).equals(bytes)).toBe(true);
  });

  it('keeps nothing of a file whose bytes fail midway, and rejects with their error', async () => {
    const key = newId();
    async function* broken() {
      yield* pieces(randomBytes(CHUNK_BYTES * 2 + 3));
      throw new Error('the client went away');
    }
    await expect(s.store.put(key, broken())).rejects.toThrow('the client went away');
    expect(await s.store.get(key)).toBeNull();
    expect(await s.held(key)).toBe(0);
  });

  it('deletes every chunk of a file, and deleting an unknown key is no error', async () => {
    const key = newId();
    await s.store.put(key, pieces(randomBytes(CHUNK_BYTES * 2 + 1)));
    expect(await s.held(key)).toBe(inDatabase ? 3 : 1);
    await s.store.delete(key);
    expect(await s.held(key)).toBe(0);
    expect(await s.store.get(key)).toBeNull();
    await s.store.delete(key);
    await s.store.delete(newId());
  });

  describe.runIf(inDatabase)('in the database', () => {
    const store = () => s.store as DatabaseFileStore;

    it('reads a chunk when the reader wants it: a file deleted while it is read fails the stream instead of ending it short', async () => {
      const key = newId();
      const bytes = randomBytes(CHUNK_BYTES * 8);
      await store().put(key, pieces(bytes));
      const stream = (await store().get(key))!;
      let received = 0;
      const reading = (async () => {
        for await (const part of stream) {
          if (received === 0) await store().delete(key);
          received += (part as Buffer).length;
        }
      })();
      await expect(reading).rejects.toThrow(/is gone/);
      // The first chunk, and at most the one fetched while the reader took it.
      expect(received).toBeGreaterThan(0);
      expect(received).toBeLessThanOrEqual(2 * CHUNK_BYTES);
    });

    it('refuses to write over a file that exists, and keeps it', async () => {
      const key = newId();
      const bytes = randomBytes(CHUNK_BYTES + 1);
      await store().put(key, pieces(bytes));
      await expect(store().put(key, pieces(randomBytes(10)))).rejects.toThrow();
      await expect(store().put(key, pieces(randomBytes(CHUNK_BYTES * 2)))).rejects.toThrow();
      expect((await readAll((await store().get(key))!)).equals(bytes)).toBe(true);
    });

    it('collects a write whose process died, which then fails rather than completing a file with holes', async () => {
      const key = newId();
      const gate = gated(randomBytes(CHUNK_BYTES * 4), CHUNK_BYTES * 2 + 1);
      const put = store().put(key, gate.source);
      await gate.holding;
      // Not old enough yet: left alone.
      expect(await store().collectAbandoned(Date.now() - 60_000)).toBe(0);
      expect(await s.held(key)).toBeGreaterThanOrEqual(2);
      expect(await store().collectAbandoned(Date.now() + 1)).toBe(1);
      expect(await s.held(key)).toBe(0);
      gate.release();
      await expect(put).rejects.toThrow(/removed while it was being written/);
      expect(await s.held(key)).toBe(0);
      expect(await store().get(key)).toBeNull();
    });

    it('never collects finished files', async () => {
      const key = newId();
      await store().put(key, pieces(randomBytes(CHUNK_BYTES * 2)));
      expect(await store().collectAbandoned(Date.now() + 1)).toBe(0);
      expect(await s.held(key)).toBe(2);
    });
  });
});

describe('a database store in front of the disk a server used before', () => {
  let primary: Subject;
  let older: Subject;
  beforeAll(async () => {
    primary = await databaseSubject();
    older = await diskSubject();
  });
  afterAll(() => primary?.close());

  it('serves and deletes files from the disk, and stores new ones in the database', async () => {
    const store = new FallbackFileStore(primary.store, older.store);
    const before = newId();
    const bytes = randomBytes(1000);
    await older.store.put(before, pieces(bytes));
    expect((await readAll((await store.get(before))!)).equals(bytes)).toBe(true);
    const after = newId();
    await store.put(after, pieces(bytes));
    expect([await primary.held(after), await older.held(after)]).toEqual([1, 0]);
    await store.delete(before);
    expect(await store.get(before)).toBeNull();
    expect(await older.held(before)).toBe(0);
  });
});
