/**
 * The storage contract: a small async key–value store, the verbs of idb-keyval. Values are
 * structured-cloneable (Blobs included). Implementations: IndexedDB (idb-keyval `createStore`),
 * memory, or an integrator's own.
 *
 * What the client relies on, and an implementation must give:
 * - `setMany` is atomic: after a crash either every entry is written or none is (idb-keyval
 *   writes them in one transaction).
 * - `update` reads some keys and writes what its function returns in one transaction, so no
 *   other writer (another tab, another page of the same site) comes between the read and the
 *   write. Merging messages into their chunks and moving the thread's record (whose `heldSeq` is
 *   the resume cursor) with them is one `update`: the cursor is never ahead of the stored
 *   messages, and two writers never drop each other's messages.
 */
export interface StorageAdapter {
  get<T>(key: string): Promise<T | undefined>;
  getMany<T>(keys: readonly string[]): Promise<(T | undefined)[]>;
  set(key: string, value: unknown): Promise<void>;
  /** Atomic: all entries or none. */
  setMany(entries: ReadonlyArray<readonly [string, unknown]>): Promise<void>;
  /**
   * Atomic read-modify-write: reads `keys`, passes their values (undefined when absent) to `fn`,
   * and writes the entries it returns, all in one transaction. `fn` must be synchronous.
   */
  update(keys: readonly string[], fn: (values: unknown[]) => ReadonlyArray<readonly [string, unknown]>): Promise<void>;
  delMany(keys: readonly string[]): Promise<void>;
  keys(): Promise<string[]>;
  clear(): Promise<void>;
}
