/**
 * Freeing space under quota pressure, loaded on demand (`ResilientStorage` asks for it only when a
 * write hits the quota, which most pages never see). Level 1 keeps only each thread's newest chunk
 * of messages; level 2 drops every cached message. Threads' records, the outbox, its blobs and
 * meta are never evicted: history comes back from the server, a queued send would not.
 */
import type { StorageAdapter } from './adapter.js';
import { CHUNK_PREFIX } from './keys.js';

/** Resolves to the number of records removed. */
export async function evictHistory(storage: StorageAdapter, level: 1 | 2 = 1): Promise<number> {
  const keys = await storage.keys();
  const newest = new Map<string, number>();
  for (const k of keys) {
    if (!k.startsWith(CHUNK_PREFIX)) continue;
    const at = k.lastIndexOf(':');
    const id = k.slice(2, at);
    const c = Number(k.slice(at + 1));
    if ((newest.get(id) ?? -1) < c) newest.set(id, c);
  }
  const drop = keys.filter((k) => {
    if (!k.startsWith(CHUNK_PREFIX)) return false;
    if (level === 2) return true;
    const at = k.lastIndexOf(':');
    return Number(k.slice(at + 1)) !== newest.get(k.slice(2, at));
  });
  if (drop.length) await storage.delMany(drop);
  return drop.length;
}

/** What `ResilientStorage` calls on a quota error: free level 1, else level 2; true when anything went. */
export async function evict(storage: StorageAdapter): Promise<boolean> {
  return (await evictHistory(storage, 1)) > 0 || (await evictHistory(storage, 2)) > 0;
}
