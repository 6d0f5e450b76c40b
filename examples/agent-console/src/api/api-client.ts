import type { AgentThread, AgentVisitor, Attachment, Message, ProactiveDisplay, ProactiveMessage, ThreadStatus } from '@threadline/protocol';
import { ApiError, errorFromBody } from './api-error.js';

export interface ApiClientOptions {
  apiKey: string;
  /**
   * Origin of the reference server. The console is served by it, so relative URLs suffice.
   * @default ''
   */
  baseUrl?: string;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Sends a multipart upload with progress; XMLHttpRequest by default (fetch reports no upload progress). */
  upload?: UploadTransport;
}

export interface TrackedEvent {
  name: string;
  props: Record<string, unknown> | null;
  createdAt: string;
}

export type VisitorProfile = AgentVisitor & { events: TrackedEvent[] };

export interface ProactiveInput {
  to: { visitorId: string } | { userId: string };
  text: string;
  /** @default 'toast' */
  display?: ProactiveDisplay;
  campaign?: string;
  author?: { kind: 'agent'; name?: string };
}

/** Where `assign` gives a thread: the bot, the queue (waiting for a person) or an agent (the brand's id and display name). */
export type AssignTo = 'bot' | 'queue' | { agent: { id: string; name: string } };

export interface Upload {
  promise: Promise<Attachment>;
  abort(): void;
}

export type UploadTransport = (req: { url: string; apiKey: string; file: File; onProgress(fraction: number): void }) => Upload;

export interface ApiClient {
  listThreads(query?: { status?: ThreadStatus; limit?: number; cursor?: string }): Promise<{ items: AgentThread[]; next: string | null }>;
  getThread(id: string): Promise<AgentThread>;
  listMessages(threadId: string, query?: { after?: number; before?: number; limit?: number }): Promise<{ items: Message[]; more: boolean }>;
  /** `idempotencyKey` makes a retry of the same reply safe; the server echoes it as `clientId`. */
  postMessage(threadId: string, body: { text: string; attachments: string[]; author: { kind: 'agent'; name?: string } }, idempotencyKey: string): Promise<{ message: Message; duplicate: boolean }>;
  setStatus(threadId: string, action: 'resolve' | 'reopen'): Promise<AgentThread>;
  /** Gives a thread to the bot, the queue or an agent (`POST /v1/threads/:id/assign`); `message` is its event, null when nothing changed. */
  assign(threadId: string, body: { to: AssignTo; reason?: string; by?: { kind: 'agent'; name?: string } }): Promise<{ thread: AgentThread; message: Message | null }>;
  /** Open threads waiting for a person, longest waiting first. */
  listQueue(): Promise<{ items: AgentThread[] }>;
  /** The people of the app's team (its availability settings): whom a thread can be given to. */
  listTeam(): Promise<{ name: string }[]>;
  /** Whether a bot handles the app's threads (`GET /v1/bot`). */
  getBot(): Promise<{ enabled: boolean }>;
  markRead(threadId: string, seq: number): Promise<AgentThread>;
  /** `held_out`: the campaign named is an experiment and the visitor is in its holdout (nothing sent). */
  sendProactive(
    body: ProactiveInput,
    idempotencyKey: string,
  ): Promise<{ proactive: ProactiveMessage; delivered: 'live' | 'queued'; duplicate: boolean } | { proactive: null; delivered: 'held_out'; duplicate: false }>;
  getVisitor(id: string): Promise<VisitorProfile>;
  /** Visitors with a socket open now (with or without a thread). */
  listOnlineVisitors(): Promise<{ items: AgentVisitor[] }>;
  upload(file: File, onProgress: (fraction: number) => void): Upload;
  /** Downloads an attachment with the key in the Authorization header (never in the URL). */
  fetchFile(url: string): Promise<Blob>;
}

/** Only the server's own file route is fetched with the key, whatever an attachment claims. */
export function isFilePath(url: string): boolean {
  return /^\/v1\/files\/[\w-]{1,64}$/.test(url);
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const { apiKey, baseUrl = '' } = options;
  const doFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const upload = options.upload ?? xhrUpload;

  async function send(path: string, init: RequestInit = {}): Promise<Response> {
    let res: Response;
    try {
      res = await doFetch(baseUrl + path, { ...init, headers: { authorization: `Bearer ${apiKey}`, ...init.headers } });
    } catch (err) {
      throw new ApiError('network', err instanceof Error ? err.message : 'network error', 0);
    }
    if (!res.ok) throw errorFromBody(res.status, await res.json().catch(() => null));
    return res;
  }

  async function json<T>(path: string, init: RequestInit & { body?: string } = {}): Promise<T> {
    const headers: Record<string, string> = { ...(init.headers as Record<string, string>) };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const res = await send(path, { ...init, headers });
    return (await res.json()) as T;
  }

  const qs = (query: Record<string, string | number | undefined>) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) p.set(k, String(v));
    const s = p.toString();
    return s ? `?${s}` : '';
  };
  const id = encodeURIComponent;

  return {
    listThreads: (query = {}) => json(`/v1/threads${qs(query)}`),
    getThread: (threadId) => json(`/v1/threads/${id(threadId)}`),
    listMessages: (threadId, query = {}) => json(`/v1/threads/${id(threadId)}/messages${qs(query)}`),
    postMessage: (threadId, body, idempotencyKey) =>
      json(`/v1/threads/${id(threadId)}/messages`, { method: 'POST', body: JSON.stringify(body), headers: { 'idempotency-key': idempotencyKey } }),
    setStatus: (threadId, action) => json(`/v1/threads/${id(threadId)}/${action}`, { method: 'POST' }),
    assign: (threadId, body) => json(`/v1/threads/${id(threadId)}/assign`, { method: 'POST', body: JSON.stringify(body) }),
    listQueue: () => json('/v1/queue?limit=200'),
    listTeam: async () => (await json<{ team?: { name: string }[] }>('/v1/availability')).team ?? [],
    getBot: () => json('/v1/bot'),
    markRead: (threadId, seq) => json(`/v1/threads/${id(threadId)}/read`, { method: 'POST', body: JSON.stringify({ seq }) }),
    sendProactive: (body, idempotencyKey) =>
      json('/v1/proactive', { method: 'POST', body: JSON.stringify(body), headers: { 'idempotency-key': idempotencyKey } }),
    getVisitor: (visitorId) => json(`/v1/visitors/${id(visitorId)}`),
    listOnlineVisitors: () => json('/v1/visitors?online=true&limit=200'),
    upload: (file, onProgress) => upload({ url: `${baseUrl}/v1/uploads`, apiKey, file, onProgress }),
    async fetchFile(url) {
      if (!isFilePath(url)) throw new ApiError('bad_request', 'not a file of this server', 0);
      return (await send(url)).blob();
    },
  };
}

export const xhrUpload: UploadTransport = ({ url, apiKey, file, onProgress }) => {
  const xhr = new XMLHttpRequest();
  const promise = new Promise<Attachment>((resolve, reject) => {
    xhr.open('POST', url);
    xhr.setRequestHeader('authorization', `Bearer ${apiKey}`);
    xhr.responseType = 'json';
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      if (xhr.status === 201) resolve((xhr.response as { attachment: Attachment }).attachment);
      else reject(errorFromBody(xhr.status, xhr.response));
    };
    xhr.onerror = () => reject(new ApiError('network', 'upload failed', 0));
    xhr.onabort = () => reject(new ApiError('aborted', 'upload cancelled', 0));
    const form = new FormData();
    form.append('file', file, file.name);
    xhr.send(form);
  });
  return { promise, abort: () => xhr.abort() };
};
