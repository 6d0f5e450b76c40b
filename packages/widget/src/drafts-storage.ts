/**
 * Where drafts are kept (localStorage, under one prefix per app) and how logout erases them: the
 * part the initial chunk needs. The drafts themselves (drafts.ts) come with the panel.
 */
export interface KeyValue {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
  readonly length: number;
  key(index: number): string | null;
}

export const prefixOf = (appId: string) => `threadline:${appId}:draft:`;

/** Erases every draft of the app (logout). */
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

export function defaultStorage(): KeyValue | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    // Accessing localStorage throws when the page blocks storage: use memory only.
    return null;
  }
}
