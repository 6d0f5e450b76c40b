/**
 * The public API of `@threadline/core`: options, the store snapshot, commands and events.
 * This file is the API reference (docs/core.md links here); additions are fine, renames are not.
 */
import type {
  Availability,
  Attachment,
  Author,
  ErrorCode,
  Message,
  MessageKind,
  ProactiveMessage,
  PageCampaign,
  QuickReply,
  FormAnswer,
  Block,
  Thread,
  ThreadStatus,
  ThreadAssignee,
  VisitorContext,
} from '@threadline/protocol';
import type { Environment } from './environment.js';
import type { StorageAdapter } from './storage/adapter.js';
import type { TransportFactory } from './transport/transport.js';

export type { Attachment, Author, Block, FormAnswer, Message, QuickReply, ThreadAssignee, ThreadStatus, VisitorContext };

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------

/** A verified identity: `userHash = hex(HMAC-SHA256(appSecret, userId))` from your backend, or an HS256 JWT. */
export type Identity =
  | { userId: string; userHash: string; jwt?: never; name?: string; email?: string }
  | { jwt: string; userId?: never; userHash?: never; name?: string; email?: string };

export interface RetryOptions {
  /**
   * First retry delay in milliseconds; each further retry doubles it (plus up to 50% jitter).
   * @default 1000
   */
  baseMs?: number;
  /**
   * Cap for one retry delay in milliseconds.
   * @default 30000
   */
  maxMs?: number;
  /**
   * After this long without an ack the message shows `failed` (it stays in the outbox, so
   * `retry()` picks it up again). Permanent errors fail at once.
   * @default 86400000 (24 hours)
   */
  deadlineMs?: number;
}

export interface ProactiveOptions {
  /**
   * Prompts of one campaign shown at most this many times per visitor within `capWindowMs`.
   * Prompts without a campaign are only capped by being shown once.
   * @default 1
   */
  maxPerCampaign?: number;
  /**
   * Window of the per-campaign cap, in milliseconds.
   * @default 86400000 (24 hours)
   */
  capWindowMs?: number;
}

export interface ClientOptions {
  /**
   * Your app id, as configured on the server.
   * @example 'acme-shop'
   */
  appId: string;
  /**
   * Base URL of the Threadline server (socket.io and HTTP API).
   * @example 'https://chat.example.com'
   */
  serverUrl: string;
  /**
   * Identity of a signed-in shopper. Omit for anonymous visitors; call `identify()` later.
   * @default undefined (anonymous)
   * @example { userId: 'u_42', userHash: 'c0ffee…', name: 'Ada' }
   */
  identity?: Identity;
  /**
   * Locale reported to the brand with the visitor context.
   * @default navigator.language when available
   * @example 'zh-CN'
   */
  locale?: string;
  /**
   * Where threads and the outbox live. `'indexeddb'` uses idb-keyval with one database per app
   * (`threadline-<appId>`); `'memory'` keeps nothing across reloads; or pass your own adapter.
   * If IndexedDB is missing or fails, the client falls back to memory and emits `storageFallback`.
   * @default 'indexeddb'
   * @example 'memory'
   */
  storage?: 'indexeddb' | 'memory' | StorageAdapter;
  /**
   * When `false`, the client writes no storage and opens no socket until `start()` is called or
   * the visitor interacts (any command such as `send` or `startThread`). For sites that must ask
   * for consent first.
   * @default true
   */
  consent?: boolean;
  /**
   * Ack timeout for socket requests in milliseconds; a timed-out send is retried with the same
   * clientId (the server answers a repeat with the original message).
   * @default 10000
   */
  ackTimeoutMs?: number;
  /** Outbox retry policy. */
  retry?: RetryOptions;
  /**
   * Messages per page when loading history (storage chunks and network pages).
   * @default 50
   */
  pageSize?: number;
  /**
   * Share one socket between tabs: one leader tab (Web Locks) holds the socket and flushes the
   * outbox, the others follow through BroadcastChannel. Off, or without those APIs, every tab
   * connects on its own (server-side dedupe keeps it correct).
   * @default true
   */
  multiTab?: boolean;
  /**
   * Most bytes of files waiting in the outbox at once (all messages together). Queued files are
   * stored as Blobs in IndexedDB until uploaded, so they survive a reload; a send that would go
   * over is refused with `file_too_large`. Each file is also capped by the server's
   * `maxUploadBytes` (10 MB by default).
   * @default 52428800 (50 MB)
   */
  maxQueuedFileBytes?: number;
  /** Frequency caps for proactive prompts. */
  proactive?: ProactiveOptions;
  /**
   * Replace the socket.io transport (tests, custom transports).
   * @default socket.io-client
   */
  transport?: TransportFactory;
  /**
   * Replace parts of the environment: clock, timers, ids, online status, locks, channels, HTTP.
   * Tests swap these; production uses the browser's.
   * @default the browser's
   */
  env?: Partial<Environment>;
}

// ---------------------------------------------------------------------------------------------
// Snapshot (store state)
// ---------------------------------------------------------------------------------------------

/**
 * `idle`: not started (consent pending). `connecting`: opening or re-opening the socket.
 * `connected`: session received. `offline`: the browser reports no network. `disconnected`:
 * lost, retrying with backoff. `refused`: the server refused the handshake (see `connectionError`);
 * not retried until `identify()`. `following`: another tab holds the socket.
 */
export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'disconnected' | 'offline' | 'refused' | 'following';

/** `none` until storage is opened (or while consent is pending). */
export type StorageMode = 'indexeddb' | 'memory' | 'custom' | 'none';

/** This tab's role in multi-tab mode; `solo` when tabs do not coordinate. */
export type TabRole = 'leader' | 'follower' | 'solo';

/**
 * `sending`: in the outbox (uploading, waiting for network or ack, or retrying).
 * `sent`: acked by the server (has a seq). `read`: the brand read it. `failed`: rejected
 * permanently or past the deadline; `retry(clientId)` or `discard(clientId)`.
 */
export type LocalMessageState = 'sending' | 'sent' | 'read' | 'failed';

/** A file waiting in the outbox (not uploaded yet). */
export interface PendingFile {
  /** Index of the file within its message. */
  index: number;
  name: string;
  mime: string;
  size: number;
  /** Set once uploaded. */
  attachment: Attachment | null;
}

export interface MessageView {
  /** Stable key for rendering: the clientId when there is one, else the server id. */
  key: string;
  /** Server id; null while not acked. */
  id: string | null;
  clientId: string | null;
  threadId: string;
  /** Server seq; null while not acked. */
  seq: number | null;
  author: Author;
  text: string;
  attachments: Attachment[];
  /** Files of an outgoing message that are not uploaded yet. */
  pendingFiles: PendingFile[];
  kind: MessageKind;
  /** Buttons to answer with: send `{ text: label, quickReply: value ?? label }`. Shown on the newest message only. */
  quickReplies?: QuickReply[];
  /**
   * Rich content as data (buttons, cards, a carousel, a form); `text` is its fallback. Answer a
   * reply button with `send(threadId, { text: label, quickReply: value })`, a handoff button with
   * `{ text: label, handoff: true }`, a form with `{ text, form: { messageId: id, values } }`;
   * open a url button's link yourself (check it with `safeHref`). See docs/core.md, "Rich messages".
   */
  blocks?: Block[];
  /** `meta.form` on the visitor's answer to a form, `meta.handoff` on a request for a person (docs/protocol.md). */
  meta?: Record<string, unknown>;
  /** ISO time: the server's once acked, the local queue time before. */
  createdAt: string;
  /** Outgoing messages move sending → sent → read, or → failed. Incoming messages are `sent`. */
  state: LocalMessageState;
  /** Why it failed (state `failed`), or the last transient error while retrying. */
  error: ClientError | null;
  /** True for the visitor's own messages. */
  own: boolean;
}

/** A thread as this device shows it: the protocol's `Thread` (`lastSeq` is 0 for a thread not yet on the server), plus what only the device knows. */
export interface ThreadView extends Omit<Thread, 'lastMessage'> {
  /** Newest message, including one still sending. */
  lastMessage: MessageView | null;
  /** True while the thread exists only on this device (its first message not acked yet). */
  local: boolean;
  /** Older messages exist beyond those loaded (`loadOlder`). */
  hasOlder: boolean;
  /** `loadOlder` in progress. */
  loadingOlder: boolean;
}

export interface UploadProgress {
  clientId: string;
  threadId: string;
  /** Index of the file within its message. */
  index: number;
  loaded: number;
  total: number;
}

export interface TypingView {
  author: Author;
  /** Clock time (ms) after which the indicator should be considered stale. */
  until: number;
}

/** A proactive message as the server pushed it, plus what this device did with it. */
export interface ProactivePrompt extends ProactiveMessage {
  /** The UI has shown it (reported `shown`); it will not be offered again after a reload. */
  shown: boolean;
}

export interface SessionView {
  visitorId: string;
  userId: string | null;
  maxUploadBytes: number;
  /**
   * Where the brand's replies are emailed while the shopper is away (`setNotifyEmail`), or null
   * when no address is set; `undefined` when the server sends no email (nothing to ask for).
   */
  notifyEmail?: string | null;
  /** The shopper is identified with an email from the brand's backend: a UI does not ask for an address. */
  notifyIdentified?: boolean;
  /**
   * Whether an agent inbox of the app is connected, as the server told during this connection
   * (its `availability` event, sent when the app's first inbox connects or its last one closes).
   * `undefined` until it tells: `availability()` answers the state at any time, and this, once
   * set, is newer.
   */
  agentsOnline?: boolean;
  /** Page-triggered campaigns the server listed for this visitor (their triggers run in every tab; docs/campaigns.md). */
  campaigns?: PageCampaign[];
}

export interface Snapshot {
  /** `starting` until storage is read; `ready` once threads render from it; `destroyed` after destroy/shutdown. */
  status: 'idle' | 'starting' | 'ready' | 'destroyed';
  connection: ConnectionState;
  /** Why the connection is `refused` (or the last connect error). */
  connectionError: ClientError | null;
  storage: StorageMode;
  role: TabRole;
  session: SessionView | null;
  /** Threads, most recently updated first. */
  threads: ThreadView[];
  /** Loaded messages per thread id, ascending (sent by seq, then pending in queue order). */
  messages: Readonly<Record<string, readonly MessageView[]>>;
  /** Upload progress per outgoing clientId (one entry per file). */
  uploads: Readonly<Record<string, readonly UploadProgress[]>>;
  /** Who is typing per thread id. */
  typing: Readonly<Record<string, TypingView>>;
  /** Proactive prompts waiting to be shown or answered (within caps, not expired, not dismissed). */
  proactive: readonly ProactivePrompt[];
  /** Sum of unread over threads. */
  totalUnread: number;
}

// ---------------------------------------------------------------------------------------------
// Errors and events
// ---------------------------------------------------------------------------------------------

/**
 * Wire codes (see `@threadline/protocol` ERROR_CODES) plus client-side ones:
 * `network` (offline or socket lost), `timeout` (no ack in time), `storage_failed`,
 * `quota_exceeded`, `upload_failed`, `file_too_large`, `invalid_input` (refused before sending),
 * `not_found_locally` (unknown clientId/thread), `destroyed` (client closed), `internal_client`.
 */
export type ClientErrorCode =
  | ErrorCode
  | 'network'
  | 'timeout'
  | 'storage_failed'
  | 'quota_exceeded'
  | 'upload_failed'
  | 'file_too_large'
  | 'invalid_input'
  | 'not_found_locally'
  | 'internal_client';

export interface ClientError {
  code: ClientErrorCode;
  message: string;
  /** For `rate_limited`. */
  retryAfterMs?: number;
  /** The outgoing message concerned, if any. */
  clientId?: string;
  threadId?: string;
}

/** What `setNotifyEmail` resolves to. */
export type NotifyEmailResult = { ok: true; email: string | null } | { ok: false; error: ClientError };

export type StorageFallbackReason = 'unavailable' | 'blocked' | 'failed' | 'quota_exceeded';

export interface ClientEventMap {
  /** Storage was read and threads are in the snapshot (before the network answers). */
  ready: { snapshot: Snapshot };
  /** A message arrived or was acked (each server message once, by seq). */
  message: { message: MessageView; thread: ThreadView | null };
  /** A proactive prompt is available to show (within caps). */
  proactive: { prompt: ProactivePrompt };
  /** Total unread changed. */
  unreadChange: { total: number; byThread: Record<string, number> };
  connectionChange: { state: ConnectionState; error: ClientError | null };
  /** Storage fell back to memory; emitted once per client. */
  storageFallback: { reason: StorageFallbackReason; error: ClientError };
  /** Something went wrong; the client keeps working. */
  error: ClientError;
}

export type ClientEventName = keyof ClientEventMap;

// ---------------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------------

export interface OutgoingMessage {
  /** Up to LIMITS.maxTextLength characters; may be empty when files are attached. */
  text?: string;
  /** Files or Blobs to upload before sending (kept in the outbox across reloads). */
  files?: ReadonlyArray<Blob | File>;
  /** The quick reply picked, when the text came from a button. */
  quickReply?: string;
  /**
   * The visitor asks for a person (a `handoff` button, or "Talk to a person"); the server stores
   * it as `meta.handoff` and the brand's side hands the thread to its queue.
   */
  handoff?: true;
  /**
   * An answer to a form block: the message id that carries the form and the values by field name.
   * The server checks them against the form's fields (`bad_request` when one does not fit).
   * @example { messageId: m.id, values: { order: 'A-1001', email: 'a@example.com' } }
   */
  form?: FormAnswer;
  /** For voice clips: duration in ms per file index. */
  durations?: Readonly<Record<number, number>>;
}

/**
 * The headless client. No method throws and no returned promise rejects: failures show in the
 * snapshot (message `failed`, `connectionError`) and as `error` events.
 */
export interface Client {
  /** Listen to snapshot changes; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /** The current immutable snapshot (same object until something changes). */
  getSnapshot(): Snapshot;
  /** Listen to an event; returns the unsubscribe function. */
  on<K extends ClientEventName>(event: K, listener: (payload: ClientEventMap[K]) => void): () => void;
  /** Resolves once storage is read (`ready`), or at once when destroyed. */
  whenReady(): Promise<void>;
  /** Give consent / begin: open storage and the socket (no-op when already started). */
  start(): Promise<void>;

  /**
   * Start a new thread locally; it is created on the server with its first message.
   * Returns the new thread id (UUIDv7).
   */
  startThread(firstMessage?: OutgoingMessage): string;
  /** Queue a message (optimistic `sending`). Returns its clientId, or null if refused (see `error`). */
  send(threadId: string, message: OutgoingMessage): string | null;
  /** Send a failed message again (same clientId). */
  retry(clientId: string): void;
  /** Drop a message that is still in the outbox (failed or sending): aborts its upload. */
  discard(clientId: string): void;
  /** Load the newest page of a thread (storage first, then network) if not loaded yet. */
  openThread(threadId: string): Promise<void>;
  /** Load the page before the oldest loaded message. Resolves to whether more remain. */
  loadOlder(threadId: string): Promise<boolean>;
  /** Mark everything up to the newest message as read. */
  markRead(threadId: string): void;
  /** Report typing (throttled; stops by itself after a few seconds). */
  setTyping(threadId: string, typing?: boolean): void;
  /** Switch identity: reconnects with the new auth; the server merges the anonymous threads. */
  identify(identity: Identity): Promise<void>;
  updateContext(context: Omit<VisitorContext, 'device'>): void;
  track(name: string, props?: Record<string, string | number | boolean | null>): void;
  rate(threadId: string, score: number, comment?: string): void;
  /**
   * Sets the address the brand's replies are emailed to while the shopper is away (the server
   * sends one digest after a delay when nothing is read), or removes it with `null`. Resolves to
   * the address as stored (`session.notifyEmail` follows, in every tab), or to the typed error:
   * `email_invalid` (not an address), `notifications_off` (the server sends no email), `network`
   * or `timeout` (not connected: nothing was changed). Errors are also `error` events.
   * @example const res = await client.setNotifyEmail('alice@example.com'); if (!res.ok && res.error.code === 'email_invalid') …
   */
  setNotifyEmail(email: string | null): Promise<NotifyEmailResult>;
  /**
   * The app's business hours, expected reply time and away message, and whether an agent inbox is
   * connected now (`availability.get`). Compute open or closed with `openState(hours, now)` from
   * `@threadline/protocol`. null when not connected (or refused; see `error`).
   */
  availability(): Promise<Availability | null>;
  /**
   * Opens on this device the thread an email's continue link names (`token`: what follows
   * `#tl-continue=` in the link; see docs/notifications.md). Waits for the connection, then the
   * thread and its newest messages are in the snapshot and stored, like the shopper's own; from
   * then on this device may read and write there (and in no other thread of its owner's).
   * Resolves to the thread id, or null when the link is not valid or has expired (`not_found`,
   * an `error` event). Starts the client (an interaction).
   */
  attachThread(token: string): Promise<string | null>;

  /**
   * What happened to a prompt on screen, reported to the server: `shown` when the UI displays it
   * (once; counted against the campaign cap, not offered again after a reload), `opened` when the
   * visitor opens it (e.g. clicks the toast), `dismissed` when they close it (not offered again).
   * @example client.reportProactive(prompt.id, 'shown')
   */
  reportProactive(id: string, event: 'shown' | 'opened' | 'dismissed'): void;
  /** Answer a prompt: starts a thread from it (reports `replied`). Returns the thread id. */
  replyProactive(id: string, message: OutgoingMessage): string | null;

  /**
   * Fetch an attachment with the visitor token and return an object URL for display
   * (revoke it with `URL.revokeObjectURL` when done). Resolves to null on failure (see `error`).
   */
  attachmentUrl(attachment: Attachment): Promise<string | null>;
  /**
   * An object URL of a file still waiting to upload (`MessageView.pendingFiles`), from this page
   * or from storage — so a photo queued before a reload can still be shown. Revoke it when done.
   * Resolves to null when the file is no longer queued (uploaded, sent or discarded).
   */
  pendingFileUrl(clientId: string, index: number): Promise<string | null>;

  /** Logout: close everything and erase this visitor's local data (threads, outbox, token). */
  shutdown(): Promise<void>;
  /** Close the socket, timers, listeners and locks; keeps local data. */
  destroy(): void;
}
