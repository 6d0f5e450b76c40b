/**
 * Unsent composer text per thread, kept across reloads. It is written only once the visitor types
 * (an interaction, so consent-first sites are respected) and erased by `shutdown`.
 * localStorage is synchronous and tiny here; when it is unavailable (blocked storage, some
 * private modes) drafts live in memory for the page's lifetime.
 */
export interface Drafts {
  get(key: string): string;
  set(key: string, text: string): void;
  clear(): void;
}

export interface KeyValue {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
  readonly length: number;
  key(index: number): string | null;
}

const prefixOf = (appId: string) => `threadline:${appId}:draft:`;

/** Erases every draft of the app (logout). Separate from createDrafts so the initial chunk carries only this. */
export function clearDrafts(appId: string, storage: KeyValue | null = defaultStorage()): void {
  try {
    const keys: string[] = [];
    for (let i = 0; storage && i < storage.length; i++) {
      const k = storage.key(i);
      if (k?.startsWith(prefixOf(appId))) keys.push(k);
    }
    keys.forEach((k) => storage!.removeItem(k));
  } catch {
    // Blocked storage holds no drafts to erase.
  }
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

function defaultStorage(): KeyValue | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    // Accessing localStorage throws when the page blocks storage: use memory only.
    return null;
  }
}
