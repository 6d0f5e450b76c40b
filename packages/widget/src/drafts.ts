/**
 * Unsent composer text per thread, kept across reloads. It is written only once the visitor types
 * (an interaction, so consent-first sites are respected) and erased by `shutdown`.
 * localStorage is synchronous and tiny here; when it is unavailable (blocked storage, some
 * private modes) drafts live in memory for the page's lifetime.
 */
import { clearDrafts, defaultStorage, prefixOf, type KeyValue } from './drafts-storage.js';

export { clearDrafts, type KeyValue };

export interface Drafts {
  get(key: string): string;
  set(key: string, text: string): void;
  clear(): void;
}

export function createDrafts(appId: string, storage: KeyValue | null = defaultStorage()): Drafts {
  const prefix = prefixOf(appId);
  const memory = new Map<string, string>();
  const safe = <T>(fn: () => T, fallback: T): T => {
    if (!storage) return fallback;
    try {
      return fn();
    } catch {
      // Quota or blocked storage: the in-memory copy below still holds the draft.
      return fallback;
    }
  };
  return {
    get: (key) => memory.get(key) ?? safe(() => storage!.getItem(prefix + key) ?? '', ''),
    set(key, text) {
      if (text) memory.set(key, text);
      else memory.delete(key);
      safe(() => (text ? storage!.setItem(prefix + key, text) : storage!.removeItem(prefix + key)), undefined);
    },
    clear() {
      memory.clear();
      clearDrafts(appId, storage);
    },
  };
}
