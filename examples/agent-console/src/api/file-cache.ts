import type { ApiClient } from './api-client.js';

/**
 * Object URLs of downloaded attachments, fetched once each with the key in a header. Files are
 * immutable on the server, so an entry never goes stale; `clear()` revokes them all.
 */
export interface FileCache {
  get(url: string): Promise<string>;
  clear(): void;
}

export function createFileCache(api: Pick<ApiClient, 'fetchFile'>): FileCache {
  const entries = new Map<string, Promise<string>>();
  return {
    get(url) {
      let entry = entries.get(url);
      if (!entry) {
        entry = api.fetchFile(url).then((blob) => URL.createObjectURL(blob));
        // A failed download is not cached: the next render may retry it.
        entry.catch(() => entries.delete(url));
        entries.set(url, entry);
      }
      return entry;
    },
    clear() {
      for (const entry of entries.values()) entry.then((u) => URL.revokeObjectURL(u), () => undefined);
      entries.clear();
    },
  };
}
