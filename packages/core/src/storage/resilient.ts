/**
 * Wraps the chosen storage so that a failure never reaches the host page: a write over quota
 * first asks the owner to evict cached history and tries again; any other failure (IndexedDB
 * missing, blocked in a cross-site iframe, a broken database) switches to memory for the rest of
 * the page's life and reports it once. The first operation also has a time limit, because some
 * browsers leave `indexedDB.open` pending forever instead of failing (e.g. Firefox private
 * windows of older versions).
 */
import type { StorageFallbackReason } from '../types.js';
import type { StorageAdapter } from './adapter.js';
import { memoryStorage } from './memory.js';

export interface ResilientHooks {
  /** Free space by dropping cached history (never the outbox); resolves to whether anything was freed. */
  evict(): Promise<boolean>;
  /** Switched to memory; `memory` is the new backing store, to be seeded with what must survive the page. */
  fallback(reason: StorageFallbackReason, error: unknown, memory: StorageAdapter): void;
  /** Limit for the very first operation, in ms. */
  probeTimeoutMs: number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export function isQuotaError(err: unknown): boolean {
  const name = (err as { name?: string } | null)?.name;
  return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED';
}

export class ResilientStorage implements StorageAdapter {
  #primary: StorageAdapter;
  #memory: StorageAdapter | null = null;
  #probed = false;
  #hooks: ResilientHooks;

  constructor(primary: StorageAdapter, hooks: ResilientHooks) {
    this.#primary = primary;
    this.#hooks = hooks;
  }

  get fellBack(): boolean {
    return this.#memory !== null;
  }

  /** Switch to memory now (e.g. the primary is known to be missing). */
  fallBack(reason: StorageFallbackReason, error: unknown): StorageAdapter {
    if (!this.#memory) {
      this.#memory = memoryStorage();
      this.#hooks.fallback(reason, error, this.#memory);
    }
    return this.#memory;
  }

  async #run<T>(op: (s: StorageAdapter) => Promise<T>, write: boolean): Promise<T> {
    if (this.#memory) return op(this.#memory);
    try {
      return await this.#limited(op(this.#primary));
    } catch (err) {
      if (this.#memory) return op(this.#memory);
      if (write && isQuotaError(err)) {
        if (await this.#hooks.evict().catch(() => false)) {
          try {
            return await op(this.#primary);
          } catch (again) {
            return op(this.fallBack(isQuotaError(again) ? 'quota_exceeded' : 'failed', again));
          }
        }
        return op(this.fallBack('quota_exceeded', err));
      }
      const blocked = (err as { name?: string } | null)?.name === 'SecurityError' || (err as Error)?.message === 'probe timeout';
      return op(this.fallBack(blocked ? 'blocked' : 'failed', err));
    }
  }

  #limited<T>(p: Promise<T>): Promise<T> {
    if (this.#probed) return p;
    return new Promise<T>((resolve, reject) => {
      const timer = this.#hooks.setTimeout(() => reject(new Error('probe timeout')), this.#hooks.probeTimeoutMs);
      p.then(
        (v) => {
          this.#probed = true;
          this.#hooks.clearTimeout(timer);
          resolve(v);
        },
        (e) => {
          this.#hooks.clearTimeout(timer);
          reject(e);
        },
      );
    });
  }

  get<T>(key: string) {
    return this.#run((s) => s.get<T>(key), false);
  }
  getMany<T>(keys: readonly string[]) {
    return this.#run((s) => s.getMany<T>(keys), false);
  }
  set(key: string, value: unknown) {
    return this.#run((s) => s.set(key, value), true);
  }
  setMany(entries: ReadonlyArray<readonly [string, unknown]>) {
    return this.#run((s) => s.setMany(entries), true);
  }
  update(keys: readonly string[], fn: (values: unknown[]) => ReadonlyArray<readonly [string, unknown]>) {
    return this.#run((s) => s.update(keys, fn), true);
  }
  delMany(keys: readonly string[]) {
    return this.#run((s) => s.delMany(keys), true);
  }
  keys() {
    return this.#run((s) => s.keys(), false);
  }
  clear() {
    return this.#run((s) => s.clear(), true);
  }
}
