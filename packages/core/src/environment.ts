/**
 * Everything the client takes from the outside world, behind small interfaces so tests can swap
 * them (rule 4 of STYLE.md). `defaultEnvironment()` reads the browser's globals lazily, when a
 * client is created — never at import.
 */
import { uuidv7 } from './uuid.js';

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

export interface UploadRequest {
  url: string;
  token: string;
  file: Blob;
  fileName: string;
  fields: Record<string, string>;
  onProgress: (loaded: number, total: number) => void;
  signal: AbortSignal;
}

export interface HttpResponse {
  status: number;
  /** Parsed JSON body, or null. */
  body: unknown;
  /** `Retry-After` in ms when present. */
  retryAfterMs?: number;
}

export interface HttpClient {
  /** Multipart POST with progress; rejects only on network failure or abort. */
  upload(request: UploadRequest): Promise<HttpResponse>;
  /** GET with a bearer token; rejects on network failure, resolves non-2xx as `status`. */
  download(url: string, token: string): Promise<{ status: number; blob: Blob | null }>;
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

export function defaultHttp(): HttpClient {
  return {
    upload(req) {
      if (typeof XMLHttpRequest === 'function') return xhrUpload(req);
      return fetchUpload(req);
    },
    async download(url, token) {
      const res = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
      return { status: res.status, blob: res.ok ? await res.blob() : null };
    },
  };
}

function retryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const s = Number(value);
  return Number.isFinite(s) ? s * 1000 : undefined;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // A proxy's HTML error page: the status code is all we need.
    return null;
  }
}

function formData(req: UploadRequest): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(req.fields)) form.append(k, v);
  form.append('file', req.file, req.fileName);
  return form;
}

// XMLHttpRequest because fetch() still has no upload progress in browsers.
function xhrUpload(req: UploadRequest): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const abort = () => xhr.abort();
    xhr.open('POST', req.url);
    xhr.setRequestHeader('Authorization', `Bearer ${req.token}`);
    xhr.upload.onprogress = (e) => req.onProgress(e.loaded, e.lengthComputable ? e.total : req.file.size);
    xhr.onload = () => {
      req.signal.removeEventListener('abort', abort);
      const after = retryAfter(xhr.getResponseHeader('Retry-After'));
      resolve({ status: xhr.status, body: parse(xhr.responseText), ...(after !== undefined ? { retryAfterMs: after } : {}) });
    };
    xhr.onerror = () => {
      req.signal.removeEventListener('abort', abort);
      reject(new Error('network error'));
    };
    xhr.onabort = () => reject(new DOMException('aborted', 'AbortError'));
    req.signal.addEventListener('abort', abort, { once: true });
    xhr.send(formData(req));
  });
}

// Outside browsers (Node tests, workers without XHR): no progress events, only start and end.
async function fetchUpload(req: UploadRequest): Promise<HttpResponse> {
  req.onProgress(0, req.file.size);
  const res = await fetch(req.url, {
    method: 'POST',
    headers: { Authorization: `Bearer ${req.token}` },
    body: formData(req),
    signal: req.signal,
  });
  const body = parse(await res.text());
  if (res.ok) req.onProgress(req.file.size, req.file.size);
  const after = retryAfter(res.headers.get('Retry-After'));
  return { status: res.status, body, ...(after !== undefined ? { retryAfterMs: after } : {}) };
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
  };
}
