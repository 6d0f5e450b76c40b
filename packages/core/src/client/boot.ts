/**
 * Start-up's storage half: open the chosen storage behind `ResilientStorage` (which falls back to
 * memory rather than fail), bring old data up to the current schema, and read what the device
 * holds — meta, threads, the outbox, prompts, and the newest page of the most recent threads —
 * so the client can show it before the network answers.
 */
import type { Message } from '@threadline/protocol';
import type { Environment } from '../environment.js';
import type { StorageAdapter } from '../storage/adapter.js';
import { indexedDbStorage } from '../storage/indexeddb.js';
import { LocalStore, type LoadedState } from '../storage/local-store.js';
import { memoryStorage } from '../storage/memory.js';
import { ResilientStorage, type ResilientHooks } from '../storage/resilient.js';
import { migrate } from '../storage/schema.js';
import type { ClientOptions, StorageMode } from '../types.js';

/** Threads whose newest page is read from storage at start (others load on `openThread`). */
const HYDRATE_PAGES = 20;

export function openStorage(
  choice: ClientOptions['storage'],
  appId: string,
  env: Environment,
  fallback: ResilientHooks['fallback'],
): { storage: ResilientStorage; local: LocalStore; mode: StorageMode } {
  choice ??= 'indexeddb';
  let primary: StorageAdapter | null;
  let mode: StorageMode;
  if (choice === 'memory') [primary, mode] = [memoryStorage(), 'memory'];
  else if (typeof choice === 'object' && choice) [primary, mode] = [choice, 'custom'];
  else [primary, mode] = env.indexedDB ? [indexedDbStorage(appId), 'indexeddb'] : [null, 'memory'];
  const storage = new ResilientStorage(primary ?? memoryStorage(), {
    // Quota pressure is rare: the eviction code is a chunk of its own (a failed load frees
    // nothing, and the storage falls back to memory as it would when nothing can be freed).
    evict: () => import('../storage/evict.js').then((m) => m.evict(primary ?? memoryStorage())),
    fallback,
    probeTimeoutMs: 5000,
    setTimeout: (fn, ms) => env.setTimeout(fn, ms),
    clearTimeout: (h) => env.clearTimeout(h),
  });
  const local = new LocalStore(storage);
  if (!primary) storage.fallBack('unavailable', new Error('IndexedDB is not available'));
  return { storage, local, mode };
}

export async function readDevice(storage: ResilientStorage, local: LocalStore, pageSize: number): Promise<{ loaded: LoadedState; pages: Record<string, Message[]> }> {
  // Upgrading old data loads a chunk (schema-upgrade.ts): if it cannot be fetched, this page
  // runs on memory and the stored data waits, untouched, for the next page.
  await migrate(storage).catch((err: unknown) => storage.fallBack('unavailable', err));
  const loaded = await local.load();
  const recent = [...loaded.threads].sort((a, b) => (a.thread.updatedAt < b.thread.updatedAt ? 1 : -1)).slice(0, HYDRATE_PAGES);
  const pages: Record<string, Message[]> = {};
  await Promise.all(
    recent.map(async (t) => {
      const page = await local.readBefore(t.thread.id, t.heldSeq + 1, pageSize);
      if (page.length) pages[t.thread.id] = page;
    }),
  );
  return { loaded, pages };
}
