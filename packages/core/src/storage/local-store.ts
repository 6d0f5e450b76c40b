/**
 * The on-device layout, in one idb-keyval store:
 *
 *   meta                      { schema, token, visitorId, userId }
 *   t:<threadId>              { thread, heldSeq }            one small record per thread
 *   m:<threadId>:<chunk>      Message[]                       chunk = floor((seq-1) / CHUNK_SIZE)
 *   o:<clientId>              OutboxEntry                     one per unsent message
 *   b:<clientId>:<index>      Blob                            a file waiting to upload
 *   p                         ProactiveRecord
 *
 * Chunks are fixed by seq, so appending a message rewrites at most one chunk of CHUNK_SIZE
 * messages, and opening a 10,000-message thread reads only its newest chunk or two. There is no
 * index record: listing threads and the outbox is a `keys()` scan, so two tabs adding records
 * at once cannot overwrite each other's index.
 */
import type { Message, Thread } from '@threadline/protocol';
import type { OutboxEntry } from '../state/state.js';
import type { ProactivePrompt } from '../types.js';
import type { StorageAdapter } from './adapter.js';
import type { Meta } from './schema.js';
import { META_KEY, OUTBOX_PREFIX, PROACTIVE_KEY, THREAD_PREFIX, blobKey, chunkKey, outboxKey, threadKey } from './keys.js';
import { mergeBySeq } from '../state/reducer.js';

export const CHUNK_SIZE = 50;

export interface StoredThread {
  thread: Thread;
  heldSeq: number;
}

export interface ProactiveRecord {
  prompts: ProactivePrompt[];
  /** Prompt id → ms when shown / dismissed / replied (never offered again). */
  done: Record<string, number>;
  /** Campaign → ms of each showing, for the frequency cap. */
  campaigns: Record<string, number[]>;
}

export const emptyProactive = (): ProactiveRecord => ({ prompts: [], done: {}, campaigns: {} });

export const chunkOf = (seq: number) => Math.floor((seq - 1) / CHUNK_SIZE);

export interface LoadedState {
  meta: Meta;
  threads: StoredThread[];
  outbox: OutboxEntry[];
  proactive: ProactiveRecord;
}

export class LocalStore {
  readonly storage: StorageAdapter;
  /** Per-thread write chains: chunk read-modify-writes of one thread never interleave. */
  #chains = new Map<string, Promise<unknown>>();

  constructor(storage: StorageAdapter) {
    this.storage = storage;
  }

  #serial<T>(key: string, job: () => Promise<T>): Promise<T> {
    const prev = this.#chains.get(key) ?? Promise.resolve();
    const next = prev.then(job, job);
    const settled = next.catch(() => undefined);
    this.#chains.set(key, settled);
    void settled.then(() => {
      if (this.#chains.get(key) === settled) this.#chains.delete(key);
    });
    return next;
  }

  /** Wait for every pending write. */
  async flush(): Promise<void> {
    await Promise.all([...this.#chains.values()]);
  }

  async load(): Promise<LoadedState> {
    const keys = await this.storage.keys();
    const tKeys = keys.filter((k) => k.startsWith(THREAD_PREFIX));
    const oKeys = keys.filter((k) => k.startsWith(OUTBOX_PREFIX));
    const [meta, threads, outbox, proactive] = await Promise.all([
      this.storage.get<Meta>(META_KEY),
      this.storage.getMany<StoredThread>(tKeys),
      this.storage.getMany<OutboxEntry>(oKeys),
      this.storage.get<ProactiveRecord>(PROACTIVE_KEY),
    ]);
    return {
      meta: meta ?? { schema: 0 },
      threads: threads.filter((t): t is StoredThread => !!t?.thread),
      outbox: outbox.filter((e): e is OutboxEntry => !!e),
      proactive: proactive ?? emptyProactive(),
    };
  }

  async putMeta(patch: Partial<Meta>): Promise<void> {
    await this.#serial(META_KEY, async () => {
      const meta = (await this.storage.get<Meta>(META_KEY)) ?? { schema: 0 };
      await this.storage.set(META_KEY, { ...meta, ...patch });
    });
  }

  /** Thread records, each queued behind its thread's pending message writes. */
  putThreads(records: StoredThread[]): Promise<void> {
    return Promise.all(records.map((r) => this.#serial(r.thread.id, () => this.storage.set(threadKey(r.thread.id), r)))).then(() => undefined);
  }

  /**
   * Append (or merge) messages of one thread into their chunks, and write the thread's record,
   * in one atomic `update` (read and write in one transaction): a stored `heldSeq` is never ahead
   * of the stored messages, even if the tab dies half way (otherwise the resume cursor would skip
   * messages never stored), and no other writer's messages are lost between the read and the write.
   */
  putMessages(threadId: string, messages: readonly Message[], record?: StoredThread): Promise<void> {
    if (messages.length === 0) return record ? this.putThreads([record]) : Promise.resolve();
    return this.#serial(threadId, () => {
      const byChunk = new Map<number, Message[]>();
      for (const m of messages) {
        const c = chunkOf(m.seq);
        const list = byChunk.get(c);
        if (list) list.push(m);
        else byChunk.set(c, [m]);
      }
      const chunks = [...byChunk.keys()];
      return this.storage.update(
        chunks.map((c) => chunkKey(threadId, c)),
        (existing) => {
          const writes: [string, unknown][] = [];
          chunks.forEach((c, i) => {
            const before = (existing[i] as Message[] | undefined) ?? [];
            const merged = mergeBySeq(before, byChunk.get(c)!.sort((a, b) => a.seq - b.seq));
            if (merged !== before) writes.push([chunkKey(threadId, c), merged]);
          });
          if (record) writes.push([threadKey(threadId), record]);
          return writes;
        },
      );
    });
  }

  /**
   * Up to `limit` messages with seq < `before`, ascending, contiguous down from `before - 1`
   * (stops at the first missing seq: the caller fetches the rest from the network).
   */
  async readBefore(threadId: string, before: number, limit: number): Promise<Message[]> {
    const out: Message[] = [];
    let want = before - 1;
    for (let c = chunkOf(want); c >= 0 && want >= 1 && out.length < limit; c--) {
      const chunk = await this.storage.get<Message[]>(chunkKey(threadId, c));
      if (!chunk) break;
      for (let i = chunk.length - 1; i >= 0 && out.length < limit; i--) {
        const m = chunk[i]!;
        if (m.seq > want) continue;
        if (m.seq !== want) return out.reverse();
        out.push(m);
        want--;
      }
      if (chunkOf(want) === c) break; // a hole inside the chunk
    }
    return out.reverse();
  }

  putOutbox(entry: OutboxEntry, blobs?: ReadonlyArray<Blob>): Promise<void> {
    const writes: [string, unknown][] = [[outboxKey(entry.clientId), entry]];
    blobs?.forEach((b, i) => writes.push([blobKey(entry.clientId, i), b]));
    // Blobs first in the same setMany: one IndexedDB transaction, so an entry is never stored without its files.
    return this.storage.setMany(writes.reverse());
  }

  getOutbox(clientId: string): Promise<OutboxEntry | undefined> {
    return this.storage.get<OutboxEntry>(outboxKey(clientId));
  }

  getBlob(clientId: string, index: number): Promise<Blob | undefined> {
    return this.storage.get<Blob>(blobKey(clientId, index));
  }

  delOutbox(entry: Pick<OutboxEntry, 'clientId' | 'files'>): Promise<void> {
    return this.storage.delMany([outboxKey(entry.clientId), ...entry.files.map((f) => blobKey(entry.clientId, f.index))]);
  }

  putProactive(record: ProactiveRecord): Promise<void> {
    return this.storage.set(PROACTIVE_KEY, record);
  }

  /** Erase every record of this app (logout). */
  clear(): Promise<void> {
    return this.storage.clear();
  }
}
