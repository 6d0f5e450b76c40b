import type { SqlStore } from '../store/sql-store.js';
import type { FileStore } from './file-store.js';

export interface UploadCollectorOptions {
  /** Uploads older than this that no message uses are collected; 0 turns collection off. */
  ttlMs: number;
  /** Time between sweeps. */
  intervalMs: number;
}

interface Log {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Rows taken per transaction, so one sweep never holds the database for long. */
const BATCH = 200;

/**
 * An upload still being written after this long is taken for one whose process died, and its
 * bytes are removed (`FileStore.collectAbandoned`). Far beyond any real upload: the largest at
 * 1 KiB/s takes hours, not a day.
 */
export const ABANDONED_AFTER_MS = 24 * 60 * 60 * 1000;

/**
 * Deletes uploads that no message used within the grace period: first the row (from then on no
 * message can claim the upload, and one that tries gets `not_found`), then the bytes. A file in a
 * message is never taken (`SqlStore.takeUnattachedFiles`). Each sweep also removes the bytes of
 * uploads whose process died mid-write, which have no row (`FileStore.collectAbandoned`). The timer is unref'd, so it never keeps
 * the process alive, and `stop()` waits for a sweep in progress before the database closes.
 */
export class UploadCollector {
  #timer: ReturnType<typeof setInterval> | null = null;
  #sweeping: Promise<number> | null = null;
  #stopped = false;

  constructor(
    private readonly store: SqlStore,
    private readonly files: FileStore,
    private readonly options: UploadCollectorOptions,
    private readonly log: Log,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    if (this.#timer || this.options.ttlMs <= 0) return;
    this.#stopped = false;
    this.#timer = setInterval(() => void this.sweep(), this.options.intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#sweeping;
  }

  /** One pass over the expired uploads; resolves with how many were collected. Never rejects. */
  sweep(): Promise<number> {
    this.#sweeping ??= this.#sweep().finally(() => (this.#sweeping = null));
    return this.#sweeping;
  }

  async #sweep(): Promise<number> {
    const before = this.now() - this.options.ttlMs;
    let collected = 0;
    try {
      while (!this.#stopped) {
        const rows = await this.store.takeUnattachedFiles(before, BATCH);
        for (const row of rows) {
          // The row is gone already; bytes that fail to go are only disk space, so say so and go on.
          await this.files.delete(row.storage_key).catch((err: unknown) => this.log.warn({ err, key: row.storage_key }, 'could not delete the bytes of a collected upload'));
        }
        collected += rows.length;
        if (rows.length < BATCH) break;
      }
      if (!this.#stopped) await this.files.collectAbandoned?.(this.now() - ABANDONED_AFTER_MS);
    } catch (err) {
      // A failed sweep (the database busy or closing) is retried by the next tick.
      this.log.error({ err }, 'collecting unattached uploads failed');
    }
    return collected;
  }
}
