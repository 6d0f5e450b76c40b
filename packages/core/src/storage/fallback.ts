/**
 * When storage fails for good and the page goes on in memory (`ResilientStorage`): what the memory
 * store must hold so the page loses nothing, and the error the integrator is told about.
 */
import type { State } from '../state/state.js';
import type { ClientError, StorageFallbackReason } from '../types.js';
import type { StorageAdapter } from './adapter.js';
import type { Meta } from './schema.js';
import { META_KEY, outboxKey, threadKey } from './keys.js';

/** The stored outbox of the broken store is out of reach, but entries already in the state are kept and still sent. */
export function seedMemory(memory: StorageAdapter, state: State, meta: Meta): void {
  const writes: [string, unknown][] = [[META_KEY, { ...meta, schema: meta.schema || 1 }]];
  for (const e of Object.values(state.outbox)) writes.push([outboxKey(e.clientId), e]);
  for (const t of Object.values(state.threads)) if (!t.local) writes.push([threadKey(t.thread.id), { thread: t.thread, heldSeq: t.heldSeq }]);
  void memory.setMany(writes);
}

export function fallbackError(reason: StorageFallbackReason, error: unknown): ClientError {
  return {
    code: reason === 'quota_exceeded' ? 'quota_exceeded' : 'storage_failed',
    message: `local storage ${reason}; keeping threads in memory for this page (${String((error as Error)?.message ?? error)})`,
  };
}
