/**
 * The storage contract: a small async key–value store, the verbs of idb-keyval. Values are
 * structured-cloneable (Blobs included). Implementations: IndexedDB (idb-keyval `createStore`),
 * memory, or an integrator's own.
 */
export interface StorageAdapter {
  get<T>(key: string): Promise<T | undefined>;
  getMany<T>(keys: readonly string[]): Promise<(T | undefined)[]>;
  set(key: string, value: unknown): Promise<void>;
  setMany(entries: ReadonlyArray<readonly [string, unknown]>): Promise<void>;
  delMany(keys: readonly string[]): Promise<void>;
  keys(): Promise<string[]>;
  clear(): Promise<void>;
}
