/**
 * The durable outbox. Delivery guarantee, written beside the code that gives it:
 *
 * - An entry is stored (IndexedDB) before its first emit, so a reload, a closed tab or a crash
 *   after `send()` returned cannot lose it; the next leader tab picks it up from storage.
 * - It is emitted again — same clientId, same body — after a timeout, a lost connection, a
 *   transient error code, a reload or a leader hand-over: at-least-once transport. The server
 *   keeps (thread, clientId) unique and answers a repeat with the original message and seq, so
 *   the thread holds it exactly once.
 * - One entry per thread is in flight at a time and entries go in queue order (UUIDv7 order),
 *   so a thread's messages get seqs in the order they were written.
 * - Retries back off exponentially with jitter, capped; on reconnect the wait is cut short.
 * - `failed` only after a permanent error code, or after `deadlineMs` without success. A failed
 *   entry stays stored until `retry()` or `discard()`.
 * - Files upload first (their Attachment is stored in the entry as each completes, so a retry
 *   never uploads twice), then the message is sent referring to them.
 */
import { isTransientError, type Attachment, type SendResult } from '@threadline/protocol';
import { backoffDelay } from '../backoff.js';
import type { Environment, TimerHandle } from '../environment.js';
import type { LocalStore } from '../storage/local-store.js';
import type { Store } from '../store.js';
import type { OutboxEntry, OutboxFile } from '../state/state.js';
import { pendingByThread } from '../state/snapshot.js';
import type { Reply } from '../transport/transport.js';
import type { ClientError } from '../types.js';

export interface OutboxPolicy {
  baseMs: number;
  maxMs: number;
  deadlineMs: number;
}

export type UploadOutcome =
  | { ok: true; attachment: Attachment }
  | { ok: false; error: ClientError; transient: boolean };

export interface OutboxDeps {
  store: Store;
  local: LocalStore;
  env: Environment;
  policy: OutboxPolicy;
  /** True when sends can go out now (connected, this tab leads). */
  canSend(): boolean;
  send(entry: OutboxEntry, attachmentIds: string[]): Promise<Reply<SendResult>>;
  upload(entry: OutboxEntry, file: OutboxFile, blob: Blob, signal: AbortSignal): Promise<UploadOutcome>;
  /** The server acked: persist the message and thread, tell listeners. */
  acked(entry: OutboxEntry, result: SendResult): void;
  error(error: ClientError): void;
}

export class Outbox {
  #deps: OutboxDeps;
  /** Files of entries queued in this page, so sending needs no storage read (and survives a fallback to memory). */
  #blobs = new Map<string, Blob[]>();
  /** Entries written to the state but not yet to storage: never emitted before they are durable. */
  #unstored = new Set<string>();
  #inFlight = new Map<string, string>(); // threadId → clientId
  #aborts = new Map<string, AbortController>();
  #timer: TimerHandle | null = null;
  #timerAt = Infinity;
  #stopped = false;
  #paused = true;

  constructor(deps: OutboxDeps) {
    this.#deps = deps;
  }

  /**
   * Queue a new entry: shown at once, stored once `ready` (storage open), then eligible for
   * sending. Resolves when stored.
   */
  async add(entry: OutboxEntry, blobs: Blob[] = [], ready: Promise<void> = Promise.resolve()): Promise<void> {
    const { store } = this.#deps;
    this.#unstored.add(entry.clientId);
    if (blobs.length) this.#blobs.set(entry.clientId, blobs);
    store.dispatch({ type: 'outboxPut', entry });
    try {
      await ready;
      if (this.#stopped) return;
      await this.#deps.local.putOutbox(entry, blobs);
    } finally {
      // Even if storage failed outright (it falls back to memory rather than reject), send it.
      this.#unstored.delete(entry.clientId);
    }
    this.kick();
  }

  /** Entries stored by another tab or a previous page: take them into the state. */
  adopt(entries: OutboxEntry[]): void {
    for (const e of entries) this.#deps.store.dispatch({ type: 'outboxPut', entry: e });
    this.kick();
  }

  /** Begin (or resume) sending: called when this tab leads and the socket has a session. */
  resume(): void {
    this.#paused = false;
    const now = this.#deps.env.now();
    // A fresh connection is the best moment to retry: cut every pending wait short.
    for (const e of Object.values(this.#deps.store.state.outbox)) {
      if (!e.failed && e.nextAttemptAt > now) this.#update({ ...e, nextAttemptAt: now });
    }
    this.kick();
  }

  pause(): void {
    this.#paused = true;
    this.#clearTimer();
  }

  retry(clientId: string): boolean {
    const e = this.#deps.store.state.outbox[clientId];
    if (!e) return false;
    const now = this.#deps.env.now();
    this.#update({ ...e, failed: false, error: null, attempts: 0, nextAttemptAt: now, queuedAt: now });
    this.kick();
    return true;
  }

  discard(clientId: string): boolean {
    const e = this.#deps.store.state.outbox[clientId];
    this.#aborts.get(clientId)?.abort();
    this.#blobs.delete(clientId);
    if (!e) return false;
    this.#deps.store.dispatch({ type: 'outboxRemove', clientId });
    void this.#deps.local.delOutbox(e);
    return true;
  }

  /** Another tab owns this entry's fate now (it was acked or discarded there): drop the page's copy of its files. */
  forget(clientId: string): void {
    this.#blobs.delete(clientId);
  }

  /** The message arrived by another path (echo from another tab, sync): forget the entry. */
  settled(clientId: string, files: OutboxFile[]): void {
    this.#blobs.delete(clientId);
    void this.#deps.local.delOutbox({ clientId, files });
  }

  kick(): void {
    if (this.#stopped || this.#paused || !this.#deps.canSend()) return;
    const { store, env } = this.#deps;
    const now = env.now();
    let nextAt = Infinity;
    for (const [threadId, entries] of pendingByThread(store.state.outbox)) {
      if (this.#inFlight.has(threadId)) continue;
      const head = entries.find((e) => !e.failed);
      if (!head || this.#unstored.has(head.clientId)) continue;
      if (head.nextAttemptAt <= now) void this.#process(head);
      else nextAt = Math.min(nextAt, head.nextAttemptAt);
    }
    if (nextAt < Infinity && nextAt !== this.#timerAt) {
      this.#clearTimer();
      this.#timerAt = nextAt;
      this.#timer = env.setTimeout(() => {
        this.#timer = null;
        this.#timerAt = Infinity;
        this.kick();
      }, Math.max(0, nextAt - now));
    }
  }

  #clearTimer(): void {
    if (this.#timer !== null) this.#deps.env.clearTimeout(this.#timer);
    this.#timer = null;
    this.#timerAt = Infinity;
  }

  #current(clientId: string): OutboxEntry | undefined {
    return this.#deps.store.state.outbox[clientId];
  }

  #update(entry: OutboxEntry): void {
    this.#deps.store.dispatch({ type: 'outboxPut', entry });
    if (this.#current(entry.clientId) === entry) void this.#deps.local.putOutbox(entry);
  }

  async #process(start: OutboxEntry): Promise<void> {
    const { threadId, clientId } = start;
    this.#inFlight.set(threadId, clientId);
    try {
      const entry = await this.#uploadFiles(start);
      if (!entry || !this.#current(clientId) || this.#stopped) return;
      const ids = entry.files.map((f) => f.attachment!.id);
      const reply = await this.#deps.send(entry, ids);
      if (this.#stopped) return;
      if (reply.ok) {
        this.#blobs.delete(clientId);
        this.#deps.acked(entry, reply);
        return;
      }
      const code = reply.error.code;
      const error: ClientError = { ...reply.error, clientId, threadId };
      if (code === 'timeout' || code === 'network' || isTransientError(code)) this.#later(entry, error);
      else this.#fail(entry, error);
    } catch (err) {
      this.#later(start, { code: 'internal_client', message: String(err), clientId, threadId });
    } finally {
      if (this.#inFlight.get(threadId) === clientId) this.#inFlight.delete(threadId);
      this.kick();
    }
  }

  /** Upload what is not uploaded yet; resolves to the updated entry, or null when it must wait or failed. */
  async #uploadFiles(entry: OutboxEntry): Promise<OutboxEntry | null> {
    let current = entry;
    for (const file of entry.files) {
      if (file.attachment) continue;
      const blob = this.#blobs.get(entry.clientId)?.[file.index] ?? (await this.#deps.local.getBlob(entry.clientId, file.index));
      if (!blob) {
        this.#fail(current, { code: 'upload_failed', message: `file ${file.name} is no longer stored`, clientId: entry.clientId, threadId: entry.threadId });
        return null;
      }
      const abort = new AbortController();
      this.#aborts.set(entry.clientId, abort);
      let outcome: UploadOutcome;
      try {
        outcome = await this.#deps.upload(current, file, blob, abort.signal);
      } finally {
        this.#aborts.delete(entry.clientId);
      }
      const latest = this.#current(entry.clientId);
      if (!latest || abort.signal.aborted) return null; // discarded meanwhile
      if (!outcome.ok) {
        if (outcome.transient) this.#later(latest, outcome.error);
        else this.#fail(latest, outcome.error);
        return null;
      }
      current = { ...latest, files: latest.files.map((f) => (f.index === file.index ? { ...f, attachment: outcome.attachment } : f)) };
      this.#update(current);
    }
    this.#deps.store.dispatch({ type: 'uploadDone', clientId: entry.clientId });
    return current;
  }

  #later(entry: OutboxEntry, error: ClientError): void {
    const latest = this.#current(entry.clientId);
    if (!latest) return;
    const { env, policy } = this.#deps;
    const now = env.now();
    if (now - latest.queuedAt >= policy.deadlineMs) {
      this.#fail(latest, { ...error, code: error.code === 'network' ? 'timeout' : error.code });
      return;
    }
    const attempts = latest.attempts + 1;
    const wait = Math.max(backoffDelay(attempts, policy, env.random()), error.retryAfterMs ?? 0);
    this.#update({ ...latest, attempts, nextAttemptAt: now + wait, error });
  }

  #fail(entry: OutboxEntry, error: ClientError): void {
    const latest = this.#current(entry.clientId) ?? entry;
    this.#update({ ...latest, failed: true, error });
    this.#deps.error(error);
  }

  stop(): void {
    this.#stopped = true;
    this.#clearTimer();
    for (const a of this.#aborts.values()) a.abort();
    this.#aborts.clear();
  }
}
