import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { Message } from '@threadline/protocol';
import { CHUNK_SIZE, LocalStore, chunkOf } from './local-store.js';
import { evictHistory } from './evict.js';
import { indexedDbStorage } from './indexeddb.js';
import { memoryStorage } from './memory.js';
import type { StorageAdapter } from './adapter.js';
import type { OutboxEntry } from '../state/state.js';

const msg = (threadId: string, seq: number): Message => ({
  id: `m${seq}`, clientId: null, threadId, seq, author: { kind: 'agent' }, text: `#${seq}`, attachments: [], kind: 'text', createdAt: new Date(seq).toISOString(),
});
const entry = (clientId: string, files = 0): OutboxEntry => ({
  clientId, threadId: 't', create: true, text: 'x', queuedAt: 1, attempts: 0, nextAttemptAt: 0, failed: false, error: null,
  files: Array.from({ length: files }, (_, index) => ({ index, name: `f${index}`, mime: 'image/png', size: 3, attachment: null })),
});

/** Counts reads and writes per key, to show what a chunked layout touches. */
function counting(inner: StorageAdapter) {
  const reads: string[] = [];
  const writes: string[] = [];
  const adapter: StorageAdapter = {
    ...inner,
    get: (k) => (reads.push(k), inner.get(k)),
    getMany: (ks) => (reads.push(...ks), inner.getMany(ks)),
    set: (k, v) => (writes.push(k), inner.set(k, v)),
    setMany: (es) => (writes.push(...es.map((e) => e[0])), inner.setMany(es)),
    update: (ks, fn) =>
      (reads.push(...ks),
      inner.update(ks, (values) => {
        const out = fn(values);
        writes.push(...out.map((e) => e[0]));
        return out;
      })),
  };
  return { adapter, reads, writes, reset: () => ((reads.length = 0), (writes.length = 0)) };
}

describe('chunked message storage', () => {
  it('appending one message rewrites only its chunk', async () => {
    const c = counting(memoryStorage());
    const store = new LocalStore(c.adapter);
    await store.putMessages('t', Array.from({ length: 120 }, (_, i) => msg('t', i + 1)));
    c.reset();
    await store.putMessages('t', [msg('t', 121)]);
    expect(c.writes).toEqual([`m:t:${chunkOf(121)}`]);
  });

  it('merges messages in one transaction on IndexedDB: two writers of one chunk lose nothing', async () => {
    // Two pages (two LocalStores, as two tabs would be) write the same chunk at once.
    const a = new LocalStore(indexedDbStorage('update-race'));
    const b = new LocalStore(indexedDbStorage('update-race'));
    await Promise.all([a.putMessages('t', [msg('t', 1), msg('t', 3)]), b.putMessages('t', [msg('t', 2), msg('t', 4)])]);
    expect((await a.readBefore('t', 5, 10)).map((m) => m.seq)).toEqual([1, 2, 3, 4]);
  });

  it('opens a 10,000-message thread by reading only its newest chunks', async () => {
    const c = counting(indexedDbStorage('chunks-10k'));
    const store = new LocalStore(c.adapter);
    const all = Array.from({ length: 10_000 }, (_, i) => msg('big', i + 1));
    for (let i = 0; i < all.length; i += 1000) await store.putMessages('big', all.slice(i, i + 1000));
    c.reset();
    const page = await store.readBefore('big', 10_001, 50);
    expect(page.map((m) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => 9951 + i));
    expect(c.reads.length).toBeLessThanOrEqual(2);
    expect(CHUNK_SIZE).toBe(50);
  });

  it('reads an older page across a chunk boundary and stops at a hole', async () => {
    const store = new LocalStore(memoryStorage());
    await store.putMessages('t', [...Array.from({ length: 70 }, (_, i) => msg('t', i + 31))]); // 31..100
    expect((await store.readBefore('t', 61, 20)).map((m) => m.seq)).toEqual(Array.from({ length: 20 }, (_, i) => 41 + i));
    expect((await store.readBefore('t', 40, 20)).map((m) => m.seq)).toEqual(Array.from({ length: 9 }, (_, i) => 31 + i));
  });

  it('merges concurrent writes of one thread without losing any', async () => {
    const store = new LocalStore(indexedDbStorage('chunks-concurrent'));
    await Promise.all(Array.from({ length: 30 }, (_, i) => store.putMessages('t', [msg('t', i + 1)])));
    expect((await store.readBefore('t', 31, 50)).length).toBe(30);
  });

  it('stores an outbox entry together with its blobs and deletes both', async () => {
    const store = new LocalStore(indexedDbStorage('outbox-blobs'));
    await store.putOutbox(entry('c1', 2), [new Blob(['abc']), new Blob(['def'])]);
    expect((await store.load()).outbox.map((e) => e.clientId)).toEqual(['c1']);
    const blob = await store.getBlob('c1', 1);
    expect(blob).toBeDefined();
    await store.delOutbox(entry('c1', 2));
    expect(await store.storage.keys()).toEqual([]);
  });

  it('evicts cached history under quota pressure but never the outbox or thread records', async () => {
    const store = new LocalStore(memoryStorage());
    await store.putMessages('a', Array.from({ length: 200 }, (_, i) => msg('a', i + 1)));
    await store.putMessages('b', Array.from({ length: 10 }, (_, i) => msg('b', i + 1)));
    await store.putOutbox(entry('c1', 1), [new Blob(['x'])]);
    await store.putThreads([{ thread: { id: 'a' } as never, heldSeq: 200 }]);
    expect(await evictHistory(store.storage, 1)).toBe(3);
    const keys = (await store.storage.keys()).sort();
    expect(keys).toEqual(['b:c1:0', 'm:a:3', 'm:b:0', 'o:c1', 't:a']);
    await evictHistory(store.storage, 2);
    expect((await store.storage.keys()).sort()).toEqual(['b:c1:0', 'o:c1', 't:a']);
  });
});
