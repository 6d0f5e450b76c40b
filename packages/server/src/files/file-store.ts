import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';

/**
 * Where uploaded bytes live. The server only ever calls these three verbs with keys it generated,
 * so an S3-compatible store is a small class away.
 */
export interface FileStore {
  put(key: string, data: Buffer): Promise<void>;
  /** A stream of the bytes, or null when the key is unknown. */
  get(key: string): Promise<Readable | null>;
  delete(key: string): Promise<void>;
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

  async put(key: string, data: Buffer): Promise<void> {
    const file = this.#path(key);
    await fsp.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    // Write then rename, so a crash never leaves a half file under the real name.
    const tmp = `${file}.tmp`;
    await fsp.writeFile(tmp, data, { mode: 0o600 });
    await fsp.rename(tmp, file);
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
