/**
 * The rare half of `migrate` (schema.ts): run the migration steps from an older schema, or drop
 * data with no migration path (too old, or written by a newer build) while keeping the outbox and
 * the visitor token, so no unsent message is lost. Loaded only when stored data is not current.
 */
import type { StorageAdapter } from './adapter.js';
import type { Meta, Migration, OpenOutcome } from './schema.js';
import { BLOB_PREFIX, META_KEY, OUTBOX_PREFIX } from './keys.js';

export async function upgrade(
  storage: StorageAdapter,
  meta: Meta | undefined,
  version: number,
  migrations: Readonly<Record<number, Migration>>,
): Promise<OpenOutcome> {
  if (!meta) {
    await dropKeepingOutbox(storage, await storage.keys(), undefined, version);
    return 'dropped';
  }
  if (typeof meta.schema === 'number' && meta.schema < version) {
    let v = meta.schema;
    try {
      for (; v < version; v++) {
        const step = migrations[v];
        if (!step) throw new Error(`no migration from schema ${v}`);
        await step(storage);
        await storage.set(META_KEY, { ...meta, schema: v + 1 });
      }
      return 'migrated';
    } catch {
      // No path (or a step failed half way): start clean but keep what cannot be fetched again.
    }
  }
  await dropKeepingOutbox(storage, await storage.keys(), meta, version);
  return 'dropped';
}

async function dropKeepingOutbox(storage: StorageAdapter, keys: string[], meta: Meta | undefined, version: number): Promise<void> {
  const outboxKeys = keys.filter((k) => k.startsWith(OUTBOX_PREFIX));
  const entries = await storage.getMany(outboxKeys);
  const keepIds = new Set<string>();
  outboxKeys.forEach((k, i) => {
    if (isOutboxEntryShape(entries[i])) keepIds.add(k.slice(OUTBOX_PREFIX.length));
  });
  const drop = keys.filter((k) => {
    if (k.startsWith(OUTBOX_PREFIX)) return !keepIds.has(k.slice(OUTBOX_PREFIX.length));
    if (k.startsWith(BLOB_PREFIX)) return !keepIds.has(k.slice(BLOB_PREFIX.length).split(':')[0]!);
    return true;
  });
  await storage.delMany(drop);
  const next: Meta = { schema: version };
  if (typeof meta?.token === 'string') next.token = meta.token;
  if (typeof meta?.visitorId === 'string') next.visitorId = meta.visitorId;
  await storage.set(META_KEY, next);
}

export function isOutboxEntryShape(v: unknown): boolean {
  const e = v as Record<string, unknown> | null;
  return (
    !!e &&
    typeof e.clientId === 'string' &&
    typeof e.threadId === 'string' &&
    typeof e.text === 'string' &&
    typeof e.queuedAt === 'number' &&
    Array.isArray(e.files)
  );
}
