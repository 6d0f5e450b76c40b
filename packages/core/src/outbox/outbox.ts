/**
 * The durable outbox. Delivery guarantee, written beside the code that gives it:
 *
 * - An entry is stored (IndexedDB) before its first emit, so a reload, a closed tab or a crash
 *   after `send()` returned cannot lose it; the next leader tab picks it up from storage. This
 *   file does the storing and is in the page's initial code: the write never waits for the
 *   sending code (`sender.ts`), which loads on demand, and an entry is only handed to it once
 *   stored.
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
 * - The sending code is loaded when this tab can send and something waits; a failed load is
 *   reported and tried again with the same backoff, entries stay stored meanwhile.
 */
import { isTransientError } from '@threadline/protocol';
import { backoffDelay } from '../backoff.js';
import type { TimerHandle } from '../environment.js';
import type { Host } from '../host.js';
import { Lazy } from '../lazy.js';
import { pendingByThread } from '../state/snapshot.js';
import type { OutboxEntry, OutboxFile } from '../state/state.js';
import type { ClientError } from '../types.js';
import type { Units } from '../units.js';
import type { Sender } from './sender.js';

export interface OutboxDeps {
  host: Host;
  /** True when sends can go out now (connected, this tab leads). */
  canSend(): boolean;
  /** Loads the sending code (`import()` of its chunk). */
  load: Units['sender'];
}

export class Outbox {
  readonly host: Host;
  readonly #canSend: () => boolean;
  readonly #sender: Lazy<Awaited<ReturnType<Units['sender']>>, Sender>;
  /** Files of entries queued in this page, so sending needs no storage read (and survives a fallback to memory). */
  #blobs = new Map<string, Blob[]>();
  /** Entries written to the state but not yet to storage: never emitted before they are durable. */
  #unstored = new Set<string>();
  #loadFailures = 0;
  #reload: TimerHandle | null = null;
  #stopped = false;
  #paused = true;

  constructor(deps: OutboxDeps) {
    this.host = deps.host;
    this.#canSend = deps.canSend;
    this.#sender = new Lazy(
      deps.load,
      (m) => new m.Sender(this),
      (err) => {
        this.host.error({ code: 'network', message: `could not load the sending code: ${String(err)}` });
        this.#loadFailures++;
        this.#clearReload();
        if (this.#paused) return; // the next session's resume() tries again
        const wait = this.backoff(this.#loadFailures);
        this.#reload = this.host.env.setTimeout(() => {
          this.#reload = null;
          this.kick();
        }, wait);
      },
    );
  }

  /**
   * Queue a new entry: shown at once, stored once `ready` (storage open), then eligible for
   * sending. Resolves when stored.
   */
  async add(entry: OutboxEntry, blobs: Blob[] = [], ready: Promise<void> = Promise.resolve()): Promise<void> {
    this.#unstored.add(entry.clientId);
    if (blobs.length) this.#blobs.set(entry.clientId, blobs);
    this.host.store.dispatch({ type: 'outboxPut', entry });
    try {
      await ready;
      // Discarded (or the state reset) before storage opened: never store it.
      if (this.#stopped || !this.host.store.state.outbox[entry.clientId]) return;
      await this.host.local.putOutbox(entry, blobs);
      // Discarded while being stored: `discard` left the delete to us.
      if (!this.host.store.state.outbox[entry.clientId]) return void this.host.local.delOutbox(entry);
    } finally {
      // Even if storage failed outright (it falls back to memory rather than reject), send it.
      this.#unstored.delete(entry.clientId);
    }
    this.kick();
  }

  /** Entries stored by another tab or a previous page: take them into the state. */
  adopt(entries: OutboxEntry[]): void {
    for (const e of entries) this.host.store.dispatch({ type: 'outboxPut', entry: e });
    this.kick();
  }

  /** Begin (or resume) sending: called when this tab leads and the socket has a session. */
  resume(): void {
    this.#paused = false;
    const now = this.host.env.now();
    // A fresh connection is the best moment to retry: cut every pending wait short.
    for (const e of Object.values(this.host.store.state.outbox)) {
      if (!e.failed && e.nextAttemptAt > now) this.update({ ...e, nextAttemptAt: now });
    }
    this.kick();
  }

  pause(): void {
    this.#paused = true;
    this.#clearReload();
    this.#sender.current?.pause();
  }

  retry(clientId: string): boolean {
    const e = this.host.store.state.outbox[clientId];
    if (!e) return false;
    const now = this.host.env.now();
    this.update({ ...e, failed: false, error: null, attempts: 0, nextAttemptAt: now, queuedAt: now });
    this.kick();
    return true;
  }

  discard(clientId: string): boolean {
    const e = this.host.store.state.outbox[clientId];
    this.#sender.current?.abort(clientId);
    this.#blobs.delete(clientId);
    if (!e) return false;
    this.host.store.dispatch({ type: 'outboxRemove', clientId });
    // Not stored yet (storage may not even be open): `add` sees it gone and does not store it.
    if (!this.#unstored.has(clientId)) void this.host.local.delOutbox(e);
    return true;
  }

  /** Another tab owns this entry's fate now (it was acked or discarded there), or it was acked here: drop the page's copy of its files. */
  forget(clientId: string): void {
    this.#blobs.delete(clientId);
  }

  /** The message arrived by another path (echo from another tab, sync): forget the entry. */
  settled(clientId: string, files: OutboxFile[]): void {
    this.#sender.current?.keepSent(clientId, files);
    this.#blobs.delete(clientId);
    void this.host.local.delOutbox({ clientId, files });
  }

  /** The page's copy of a file it uploaded, by attachment id (kept by the sending code). */
  sentFile(attachmentId: string): Blob | undefined {
    return this.#sender.current?.sentFile(attachmentId);
  }

  /** The page's copy of a queued file, when it was queued in this page. */
  blob(clientId: string, index: number): Blob | undefined {
    return this.#blobs.get(clientId)?.[index];
  }

  /** Stored, so it may be emitted. */
  isStored(clientId: string): boolean {
    return !this.#unstored.has(clientId);
  }

  // What the sender needs of modules the initial code holds anyway: importing them itself would
  // make a bundler put them in a chunk shared by both (one more request, ~0.4 KiB gzip).

  /** Unsent entries per thread, in queue order. */
  queues(): Map<string, OutboxEntry[]> {
    return pendingByThread(this.host.store.state.outbox);
  }

  /** Wait before attempt `attempt` (1-based): capped exponential backoff with jitter. */
  backoff(attempt: number): number {
    return backoffDelay(attempt, this.host.options.policy, this.host.env.random());
  }

  /** A send that failed with this error is worth repeating (same clientId). */
  isTransient(error: ClientError): boolean {
    return error.code === 'timeout' || error.code === 'network' || isTransientError(error.code);
  }

  /** Write a changed entry to the state, and to storage unless it was removed meanwhile. */
  update(entry: OutboxEntry): void {
    this.host.store.dispatch({ type: 'outboxPut', entry });
    if (this.host.store.state.outbox[entry.clientId] === entry) void this.host.local.putOutbox(entry);
  }

  /** Send what is due, loading the sending code first when something waits for it. */
  kick(): void {
    if (this.#stopped || this.#paused || !this.#canSend()) return;
    const sender = this.#sender.current;
    if (sender) return sender.kick();
    if (!Object.values(this.host.store.state.outbox).some((e) => !e.failed && this.isStored(e.clientId))) return;
    void this.#sender.get().then((loaded) => {
      if (!loaded) return;
      this.#loadFailures = 0;
      this.#clearReload();
      this.kick();
    });
  }

  #clearReload(): void {
    if (this.#reload !== null) this.host.env.clearTimeout(this.#reload);
    this.#reload = null;
  }

  stop(): void {
    this.#stopped = true;
    this.#clearReload();
    this.#sender.stop();
  }
}
