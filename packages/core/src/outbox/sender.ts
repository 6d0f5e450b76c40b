/**
 * The outbox's sending loop, loaded on demand (see `units.ts`): takes the head of each thread's
 * queue once it is stored, uploads its files, sends it with its clientId, and on failure backs
 * off or fails it. The guarantees it keeps are listed in `outbox.ts`; in short: one entry in
 * flight per thread, queue order, same clientId on every retry, `failed` only after a permanent
 * error or the deadline.
 *
 * Its only runtime imports are its own (`upload.ts`): what it shares with the initial code it
 * gets from the outbox, so a split build keeps it in one chunk.
 */
import type { SendResult } from '@threadline/protocol';
import type { TimerHandle } from '../environment.js';
import type { Host } from '../host.js';
import type { OutboxEntry, OutboxFile } from '../state/state.js';
import type { ClientError } from '../types.js';
import type { Outbox } from './outbox.js';
import { upload, type UploadOutcome } from './upload.js';

/** Memory kept for files this page sent (see `keepSent`). */
const SENT_FILES_BYTES = 32 * 1024 * 1024;

export class Sender {
  readonly #outbox: Outbox;
  readonly #host: Host;
  #inFlight = new Map<string, string>(); // threadId → clientId
  #aborts = new Map<string, AbortController>();
  #timer: TimerHandle | null = null;
  #timerAt = Infinity;
  #stopped = false;
  /**
   * Files this page uploaded, by attachment id, kept after their message was acked so the
   * shopper's own photo shows from memory instead of being downloaded again (which may fail or
   * wait while the network is flaky). Oldest dropped beyond `SENT_FILES_BYTES`.
   */
  #sent = new Map<string, Blob>();
  #sentBytes = 0;

  constructor(outbox: Outbox) {
    this.#outbox = outbox;
    this.#host = outbox.host;
  }

  /** Start what is due (the outbox checked that this tab may send), and wake up for what is next. */
  kick(): void {
    if (this.#stopped) return;
    const { env } = this.#host;
    const now = env.now();
    let nextAt = Infinity;
    for (const [threadId, entries] of this.#outbox.queues()) {
      if (this.#inFlight.has(threadId)) continue;
      const head = entries.find((e) => !e.failed);
      if (!head || !this.#outbox.isStored(head.clientId)) continue;
      if (head.nextAttemptAt <= now) void this.#process(head);
      else nextAt = Math.min(nextAt, head.nextAttemptAt);
    }
    if (nextAt < Infinity && nextAt !== this.#timerAt) {
      this.pause();
      this.#timerAt = nextAt;
      this.#timer = env.setTimeout(() => {
        this.#timer = null;
        this.#timerAt = Infinity;
        this.#outbox.kick();
      }, Math.max(0, nextAt - now));
    }
  }

  /** The message was acked (or arrived by another path): keep the page's copies of its files under their attachment ids. */
  keepSent(clientId: string, files: OutboxFile[]): void {
    for (const f of files) {
      const blob = this.#outbox.blob(clientId, f.index);
      if (!blob || !f.attachment || this.#sent.has(f.attachment.id)) continue;
      this.#sent.set(f.attachment.id, blob);
      this.#sentBytes += blob.size;
    }
    for (const [id, blob] of this.#sent) {
      if (this.#sentBytes <= SENT_FILES_BYTES) break;
      this.#sent.delete(id);
      this.#sentBytes -= blob.size;
    }
  }

  sentFile(attachmentId: string): Blob | undefined {
    return this.#sent.get(attachmentId);
  }

  /** No more waking up until the next `kick` (the connection is gone). */
  pause(): void {
    if (this.#timer !== null) this.#host.env.clearTimeout(this.#timer);
    this.#timer = null;
    this.#timerAt = Infinity;
  }

  /** The entry was discarded: stop its upload. */
  abort(clientId: string): void {
    this.#aborts.get(clientId)?.abort();
  }

  stop(): void {
    this.#stopped = true;
    this.#sent.clear();
    this.pause();
    for (const a of this.#aborts.values()) a.abort();
    this.#aborts.clear();
  }

  #current(clientId: string): OutboxEntry | undefined {
    return this.#host.store.state.outbox[clientId];
  }

  async #process(start: OutboxEntry): Promise<void> {
    const { threadId, clientId } = start;
    this.#inFlight.set(threadId, clientId);
    try {
      const entry = await this.#uploadFiles(start);
      if (!entry || !this.#current(clientId) || this.#stopped) return;
      const ids = entry.files.map((f) => f.attachment!.id);
      const reply = await this.#host.transport()!.request('message.send', sendInput(entry, ids), this.#host.options.ackTimeoutMs);
      if (this.#stopped) return;
      if (reply.ok) {
        this.keepSent(clientId, entry.files);
        this.#outbox.forget(clientId);
        this.#acked(entry, reply);
        return;
      }
      const error: ClientError = { ...reply.error, clientId, threadId };
      if (this.#outbox.isTransient(error)) this.#later(entry, error);
      else this.#fail(entry, error);
    } catch (err) {
      this.#later(start, { code: 'internal_client', message: String(err), clientId, threadId });
    } finally {
      if (this.#inFlight.get(threadId) === clientId) this.#inFlight.delete(threadId);
      this.#outbox.kick();
    }
  }

  /** Upload what is not uploaded yet; resolves to the updated entry, or null when it must wait or failed. */
  async #uploadFiles(entry: OutboxEntry): Promise<OutboxEntry | null> {
    let current = entry;
    for (const file of entry.files) {
      if (file.attachment) continue;
      const blob = this.#outbox.blob(entry.clientId, file.index) ?? (await this.#host.local.getBlob(entry.clientId, file.index));
      if (!blob) {
        this.#fail(current, { code: 'upload_failed', message: `file ${file.name} is no longer stored`, clientId: entry.clientId, threadId: entry.threadId });
        return null;
      }
      const abort = new AbortController();
      this.#aborts.set(entry.clientId, abort);
      let outcome: UploadOutcome;
      try {
        outcome = await upload(this.#host, current, file, blob, abort.signal);
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
      this.#outbox.update(current);
    }
    this.#host.store.dispatch({ type: 'uploadDone', clientId: entry.clientId });
    return current;
  }

  /** The server acked: the message replaces the entry in the state, in storage, and is announced. */
  #acked(entry: OutboxEntry, result: SendResult): void {
    const { store, local } = this.#host;
    const heldBefore = store.state.threads[entry.threadId]?.heldSeq ?? 0;
    store.dispatch({ type: 'acked', clientId: entry.clientId, message: result.message, thread: result.thread });
    // Message first, then the outbox delete: a crash in between only causes a deduplicated resend.
    void local.putMessages(entry.threadId, [result.message], this.#host.record(entry.threadId)).then(() => local.delOutbox(entry));
    this.#host.announce(entry.threadId, heldBefore, [result.message]);
  }

  #later(entry: OutboxEntry, error: ClientError): void {
    const latest = this.#current(entry.clientId);
    if (!latest) return;
    const { env, options } = this.#host;
    const now = env.now();
    if (now - latest.queuedAt >= options.policy.deadlineMs) {
      this.#fail(latest, { ...error, code: error.code === 'network' ? 'timeout' : error.code });
      return;
    }
    const attempts = latest.attempts + 1;
    const wait = Math.max(this.#outbox.backoff(attempts), error.retryAfterMs ?? 0);
    this.#outbox.update({ ...latest, attempts, nextAttemptAt: now + wait, error });
  }

  #fail(entry: OutboxEntry, error: ClientError): void {
    const latest = this.#current(entry.clientId) ?? entry;
    this.#outbox.update({ ...latest, failed: true, error });
    this.#host.error(error);
  }
}

function sendInput(entry: OutboxEntry, attachmentIds: string[]) {
  return {
    threadId: entry.threadId,
    clientId: entry.clientId,
    text: entry.text,
    ...(entry.create ? { create: true } : {}),
    ...(attachmentIds.length ? { attachmentIds } : {}),
    ...(entry.proactiveId ? { proactiveId: entry.proactiveId } : {}),
    ...(entry.quickReply ? { quickReply: entry.quickReply } : {}),
    ...(entry.handoff ? { handoff: true as const } : {}),
    ...(entry.form ? { form: entry.form } : {}),
  };
}
