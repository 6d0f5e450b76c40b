/**
 * The storage contract: a small async key–value store, the verbs of idb-keyval. Values are
 * structured-cloneable (Blobs included). Implementations: IndexedDB (idb-keyval `createStore`),
 * memory, or an integrator's own.
 *
 * What the client relies on, and an implementation must give:
 * - `setMany` is atomic: after a crash either every entry is written or none is (idb-keyval
 *   writes them in one transaction). A thread's messages and its record (whose `heldSeq` is the
 *   resume cursor) go in one `setMany`, so the cursor is never ahead of the stored messages.
 * - Nothing else is assumed atomic. Read-then-write sequences (merging messages into a chunk)
 *   are serialised by the client per thread, and only the tab that leads writes messages, so no
 *   other writer can come between the read and the write.
 */
export interface StorageAdapter {
  get<T>(key: string): Promise<T | undefined>;
  getMany<T>(keys: readonly string[]): Promise<(T | undefined)[]>;
  set(key: string, value: unknown): Promise<void>;
  /** Atomic: all entries or none. */
  setMany(entries: ReadonlyArray<readonly [string, unknown]>): Promise<void>;
  delMany(keys: readonly string[]): Promise<void>;
  keys(): Promise<string[]>;
  clear(): Promise<void>;
}
