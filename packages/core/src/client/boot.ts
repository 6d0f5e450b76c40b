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

/** The storage the options ask for, and its mode; null when IndexedDB is asked for but missing. */
export function chooseStorage(choice: ClientOptions['storage'], appId: string, env: Environment): [StorageAdapter | null, StorageMode] {
  if (choice === 'memory') return [memoryStorage(), 'memory'];
  if (typeof choice === 'object' && choice) return [choice, 'custom'];
  return env.indexedDB ? [indexedDbStorage(appId), 'indexeddb'] : [null, 'memory'];
}

export function openStorage(
  choice: ClientOptions['storage'],
  appId: string,
  env: Environment,
  fallback: ResilientHooks['fallback'],
): { storage: ResilientStorage; local: LocalStore; mode: StorageMode } {
  const [primary, mode] = chooseStorage(choice, appId, env);
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
