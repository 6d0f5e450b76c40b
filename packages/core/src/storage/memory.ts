import type { StorageAdapter } from './adapter.js';

/** Keeps everything for the page's lifetime only: the fallback, and `storage: 'memory'`. */
export function memoryStorage(): StorageAdapter {
  const map = new Map<string, unknown>();
  return {
    async get<T>(key: string) {
      return map.get(key) as T | undefined;
    },
    async getMany<T>(keys: readonly string[]) {
      return keys.map((k) => map.get(k) as T | undefined);
    },
    async set(key, value) {
      map.set(key, value);
    },
    async setMany(entries) {
      for (const [k, v] of entries) map.set(k, v);
    },
    // Synchronous between the read and the write: nothing can come between them.
    async update(keys, fn) {
      for (const [k, v] of fn(keys.map((k) => map.get(k)))) map.set(k, v);
    },
    async delMany(keys) {
      for (const k of keys) map.delete(k);
    },
    async keys() {
      return [...map.keys()];
    },
    async clear() {
      map.clear();
    },
  };
}
