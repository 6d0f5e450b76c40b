import { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { FileStore } from './file-store.js';

/** Bytes per row of `file_chunks`: what one read or write of a file moves, and holds in memory. */
export const CHUNK_BYTES = 256 * 1024;

/**
 * Files in the database (table `file_chunks`, migration 0006), so that every node of a cluster on
 * one PostgreSQL database serves every upload. Works on SQLite too; there the server keeps files on
 * disk unless it is given this store.
 *
 * A file is the rows `(key, idx)` for idx 0…n−1, each `chunkBytes` long but the last. Rows are
 * written as the bytes arrive, each in its own statement (an upload never holds a pooled connection
 * or a transaction open while the client sends), with `chunks` of row 0 left null; the last row and
 * `chunks = n` on row 0 are written in one transaction, and readers serve only a file whose row 0
 * has `chunks` set: a half-written file is not there for them. A put that never finishes (its
 * process died) leaves rows with `chunks` null, which `collectAbandoned` removes.
 */
export class DatabaseFileStore implements FileStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly chunkBytes: number = CHUNK_BYTES,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(chunkBytes) || chunkBytes < 1) throw new RangeError(`chunkBytes must be a positive integer, not ${chunkBytes}`);
  }

  async put(key: string, data: AsyncIterable<Uint8Array>): Promise<number> {
    const createdAt = this.now();
    let idx = 0;
    let size = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let wrote = false;
    try {
      for await (const piece of data) {
        const bytes = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
        size += bytes.length;
        pending.push(bytes);
        pendingBytes += bytes.length;
        // A full chunk is written once a byte beyond it has come: the last chunk is then never
        // empty (unless the file is), and it is the one written with the commit below.
        while (pendingBytes > this.chunkBytes) {
          const all = pending.length === 1 ? pending[0]! : Buffer.concat(pending);
          await this.db.insertInto('file_chunks').values({ key, idx, data: all.subarray(0, this.chunkBytes), chunks: null, created_at: createdAt }).execute();
          // From here a failure must take the rows back; before it, a key that already existed
          // (a conflict on row 0) is someone else's file and stays.
          wrote = true;
          idx++;
          pending = [all.subarray(this.chunkBytes)];
          pendingBytes = pending[0]!.length;
        }
      }
      const last = pending.length === 1 ? pending[0]! : Buffer.concat(pending);
      const chunks = idx + 1;
      if (idx === 0) {
        await this.db.insertInto('file_chunks').values({ key, idx: 0, data: last, chunks: 1, created_at: createdAt }).execute();
      } else {
        await this.db.transaction().execute(async (trx) => {
          await trx.insertInto('file_chunks').values({ key, idx, data: last, chunks: null, created_at: createdAt }).execute();
          const done = await trx.updateTable('file_chunks').set({ chunks }).where('key', '=', key).where('idx', '=', 0).where('chunks', 'is', null).executeTakeFirst();
          // Row 0 gone: `collectAbandoned` took this put for dead. Its other rows must not become a file with holes.
          if (done.numUpdatedRows !== 1n) throw new Error(`the first chunk of ${key} was removed while it was being written`);
        });
      }
    } catch (err) {
      if (wrote) await this.delete(key).catch(() => undefined); // the original error says more than a second one
      throw err;
    }
    return size;
  }

  async get(key: string): Promise<Readable | null> {
    const head = await this.db.selectFrom('file_chunks').select('chunks').where('key', '=', key).where('idx', '=', 0).executeTakeFirst();
    if (!head || head.chunks === null) return null;
    const total = Number(head.chunks);
    const db = this.db;
    let idx = 0;
    // One chunk per read(): Node calls read() again only once the consumer has taken what was
    // pushed below the high-water mark, so a slow download holds about one chunk, not the file.
    return new Readable({
      read() {
        const at = idx++;
        db.selectFrom('file_chunks')
          .select('data')
          .where('key', '=', key)
          .where('idx', '=', at)
          .executeTakeFirst()
          .then(
            (row) => {
              // Deleted while it was read: an error, so the response is cut off rather than short.
              if (!row) return this.destroy(new Error(`chunk ${at} of ${key} is gone (the file was deleted while it was read)`));
              this.push(Buffer.isBuffer(row.data) ? row.data : Buffer.from(row.data));
              if (at + 1 === total) this.push(null);
            },
            (err: Error) => this.destroy(err),
          );
      },
    });
  }

  async delete(key: string): Promise<void> {
    await this.db.deleteFrom('file_chunks').where('key', '=', key).execute();
  }

  async collectAbandoned(before: number): Promise<number> {
    // Row 0 with `chunks` null is in the small partial index file_chunks_incomplete.
    const keys = await this.db
      .selectFrom('file_chunks')
      .select('key')
      .where('idx', '=', 0)
      .where('chunks', 'is', null)
      .where('created_at', '<', before)
      .execute();
    let removed = 0;
    for (const { key } of keys) {
      // Row 0 first, and only while still unfinished: a put that completes meanwhile keeps its file
      // (its commit and this delete take turns on that row), and one that was taken for dead finds
      // row 0 gone when it tries to commit, and fails.
      const taken = await this.db.deleteFrom('file_chunks').where('key', '=', key).where('idx', '=', 0).where('chunks', 'is', null).executeTakeFirst();
      if (taken.numDeletedRows !== 1n) continue;
      await this.delete(key);
      removed++;
    }
    return removed;
  }

  /** Rows stored under `key`, finished or not (tests and operators' checks). */
  async chunkCount(key: string): Promise<number> {
    const row = await this.db.selectFrom('file_chunks').select((eb) => eb.fn.countAll<number>().as('n')).where('key', '=', key).executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
