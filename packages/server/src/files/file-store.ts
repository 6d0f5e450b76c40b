import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Where uploaded bytes live: on the node's disk (`DiskFileStore`, the default on SQLite) or in the
 * database (`DatabaseFileStore`, the default on PostgreSQL, where every node must see every file).
 * The server only ever calls these verbs with keys it generated, each key written once.
 */
export interface FileStore {
  /**
   * Stores the bytes `data` yields under `key`, consuming it as it comes (never the whole file in
   * memory). Readers see nothing under `key` until the last byte is stored. When `data` throws
   * (a refused or broken upload) or the store fails, nothing is left under `key` and `put` rejects
   * with that error. Resolves with the number of bytes stored.
   */
  put(key: string, data: AsyncIterable<Uint8Array>): Promise<number>;
  /** A stream of the bytes, or null when the key is unknown (or its `put` has not finished). */
  get(key: string): Promise<Readable | null>;
  /** Removes every byte stored under `key`; nothing happens for an unknown key. */
  delete(key: string): Promise<void>;
  /**
   * Removes what `put`s started before `before` (epoch ms) and never finished left behind: a
   * process that died mid-upload. Resolves with how many such uploads it removed. Optional: a
   * store whose half-written files cost nothing need not have it.
   */
  collectAbandoned?(before: number): Promise<number>;
}

/** Files on local disk under one directory; keys are server-generated, never user input. */
export class DiskFileStore implements FileStore {
  constructor(private readonly dir: string) {
    // Shoppers' files: readable by the server's user only (700 directories, 600 files).
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  #path(key: string): string {
    if (!/^[\w-]+$/.test(key)) throw new Error(`invalid storage key ${key}`);
    return path.join(this.dir, key.slice(0, 2), key);
  }

  async put(key: string, data: AsyncIterable<Uint8Array>): Promise<number> {
    const file = this.#path(key);
    await fsp.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    // Write then rename, so a reader or a crash never sees a half file under the real name.
    const tmp = `${file}.tmp`;
    let size = 0;
    try {
      const counted = async function* () {
        for await (const chunk of data) {
          size += chunk.byteLength;
          yield chunk;
        }
      };
      await pipeline(counted, fs.createWriteStream(tmp, { mode: 0o600 }));
      await fsp.rename(tmp, file);
    } catch (err) {
      await fsp.rm(tmp, { force: true });
      throw err;
    }
    return size;
  }

  async get(key: string): Promise<Readable | null> {
    const file = this.#path(key);
    try {
      await fsp.access(file);
    } catch {
      return null;
    }
    return fs.createReadStream(file);
  }

  async delete(key: string): Promise<void> {
    await fsp.rm(this.#path(key), { force: true });
  }
}

/**
 * A store in front of an older one that is only read from and deleted from: a server moved from
 * files on disk to files in the database keeps serving (and collecting) what its disk holds.
 */
export class FallbackFileStore implements FileStore {
  constructor(
    private readonly primary: FileStore,
    private readonly older: FileStore,
  ) {}

  put(key: string, data: AsyncIterable<Uint8Array>): Promise<number> {
    return this.primary.put(key, data);
  }

  async get(key: string): Promise<Readable | null> {
    return (await this.primary.get(key)) ?? this.older.get(key);
  }

  async delete(key: string): Promise<void> {
    await this.primary.delete(key);
    await this.older.delete(key);
  }

  async collectAbandoned(before: number): Promise<number> {
    return (await this.primary.collectAbandoned?.(before)) ?? 0;
  }
}
