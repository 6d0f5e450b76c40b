/**
 * IndexedDB through idb-keyval, one database per app (`threadline-<appId>`, store `kv`), so two
 * apps on one origin — or a host page using idb-keyval's default store — never share records.
 */
import { clear, createStore, delMany, get, getMany, keys, promisifyRequest, set, setMany, type UseStore } from 'idb-keyval';
import type { StorageAdapter } from './adapter.js';

export function databaseName(appId: string): string {
  return `threadline-${appId}`;
}

export function indexedDbStorage(appId: string): StorageAdapter {
  let store: UseStore | null = null;
  // createStore opens the database; done lazily so that creating a client touches nothing.
  const s = () => (store ??= createStore(databaseName(appId), 'kv'));
  return {
    get: (key) => get(key, s()),
    getMany: (k) => getMany(k as string[], s()),
    set: (key, value) => set(key, value, s()),
    setMany: (entries) => setMany(entries as [string, unknown][], s()),
    // One readwrite transaction: the puts are issued as the last read completes, before the
    // transaction can commit (as idb-keyval's own `update` does for one key).
    update: (k, fn) =>
      s()('readwrite', (store) =>
        Promise.all(k.map((key) => promisifyRequest(store.get(key)))).then((values) => {
          for (const [key, value] of fn(values)) store.put(value, key);
          return promisifyRequest(store.transaction);
        }),
      ),
    delMany: (k) => delMany(k as string[], s()),
    keys: () => keys<string>(s()),
    clear: () => clear(s()),
  };
}
