/**
 * Everything the client takes from the outside world, behind small interfaces so tests can swap
 * them (rule 4 of STYLE.md). `defaultEnvironment()` reads the browser's globals lazily, when a
 * client is created — never at import.
 */
import { uuidv7 } from './uuid.js';
import { yieldToPage } from './yield.js';
import type { HttpClient } from './http-types.js';

export type { HttpClient, HttpResponse, UploadRequest } from './http-types.js';

export type TimerHandle = unknown;

export interface OnlineStatus {
  isOnline(): boolean;
  /** Called with the new status; returns the unsubscribe function. */
  subscribe(listener: (online: boolean) => void): () => void;
}

/** The subset of `navigator.locks` the leader election needs. */
export interface LockManagerLike {
  request(
    name: string,
    options: { mode?: 'exclusive'; signal?: AbortSignal; ifAvailable?: boolean },
    callback: (lock: unknown) => Promise<unknown>,
  ): Promise<unknown>;
}

/** The subset of BroadcastChannel the tabs use. */
export interface ChannelLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  removeEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  close(): void;
}

export interface Environment {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  /** In [0, 1): backoff jitter. */
  random(): number;
  /** A fresh UUIDv7 (thread ids, clientIds). */
  uuid(): string;
  online: OnlineStatus;
  /** `navigator.locks`, or null where missing. */
  locks: LockManagerLike | null;
  /** Opens a BroadcastChannel, or null where missing. */
  channel: ((name: string) => ChannelLike) | null;
  http: HttpClient;
  /** `indexedDB` factory, or null where missing (the IndexedDB adapter checks it). */
  indexedDB: IDBFactory | null;
  /** Default locale. */
  locale: string | undefined;
  /**
   * Ends the current task and resumes in a later one, so start-up runs in slices the page can
   * interleave with its own work (yield.ts).
   * @default yieldToPage
   */
  yieldToPage(): Promise<void>;
}

function browserOnline(): OnlineStatus {
  const g = globalThis as { navigator?: { onLine?: boolean }; addEventListener?: typeof addEventListener; removeEventListener?: typeof removeEventListener };
  return {
    isOnline: () => g.navigator?.onLine !== false,
    subscribe(listener) {
      if (typeof g.addEventListener !== 'function' || typeof g.removeEventListener !== 'function') return () => {};
      const on = () => listener(true);
      const off = () => listener(false);
      g.addEventListener('online', on);
      g.addEventListener('offline', off);
      return () => {
        g.removeEventListener!('online', on);
        g.removeEventListener!('offline', off);
      };
    },
  };
}

/**
 * The browser's HTTP (uploads with progress, authenticated downloads). Its code (`http.ts`) is
 * loaded on the first upload or download, so a page that never sends or opens a file never
 * fetches it; a failed load rejects like a network failure (the outbox retries uploads).
 */
export function defaultHttp(): HttpClient {
  const load = () => import('./http.js');
  return {
    upload: (req) => load().then((m) => m.upload(req)),
    download: (url, token) => load().then((m) => m.download(url, token)),
    // Plain fetch, not the on-demand module: at logout the page may be about to go away.
    logout: (url, token) =>
      fetch(url, { method: 'DELETE', headers: { authorization: `Bearer ${token}` }, keepalive: true, credentials: 'omit' }).then((r) => r.status),
  };
}

/** The browser's environment, read when called. */
export function defaultEnvironment(): Environment {
  const g = globalThis as {
    navigator?: { locks?: LockManagerLike; language?: string };
    BroadcastChannel?: new (name: string) => ChannelLike;
    indexedDB?: IDBFactory;
  };
  const BC = g.BroadcastChannel;
  return {
    now: () => Date.now(),
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
    random: () => Math.random(),
    uuid: () => uuidv7(),
    online: browserOnline(),
    locks: g.navigator?.locks ?? null,
    channel: BC ? (name) => new BC(name) : null,
    http: defaultHttp(),
    indexedDB: g.indexedDB ?? null,
    locale: g.navigator?.language,
    yieldToPage: () => yieldToPage(),
  };
}
