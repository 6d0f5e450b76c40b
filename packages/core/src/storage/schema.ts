/**
 * Schema version of the stored data and its migrations. Version 1 is the first layout (see
 * `local-store.ts`). To change the layout: bump `SCHEMA_VERSION` and add `MIGRATIONS[old]`, a
 * step from `old` to `old + 1`. Data with no migration path (too old, or written by a newer
 * build) is dropped cleanly — except the outbox and the visitor token, which are kept when they
 * still have the expected shape, so no unsent message is lost.
 */
import type { StorageAdapter } from './adapter.js';

export const SCHEMA_VERSION = 1;

export type Migration = (storage: StorageAdapter) => Promise<void>;

/** `MIGRATIONS[n]` upgrades version n to n + 1. */
export const MIGRATIONS: Readonly<Record<number, Migration>> = {};

export interface Meta {
  schema: number;
  /** Signed visitor token from the last `session`. */
  token?: string;
  visitorId?: string;
  userId?: string | null;
}

export const META_KEY = 'meta';
export const OUTBOX_PREFIX = 'o:';
export const BLOB_PREFIX = 'b:';

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

export type OpenOutcome = 'fresh' | 'current' | 'migrated' | 'dropped';

/** Bring stored data to `version`, migrating or dropping; returns what happened. */
export async function migrate(
  storage: StorageAdapter,
  version: number = SCHEMA_VERSION,
  migrations: Readonly<Record<number, Migration>> = MIGRATIONS,
): Promise<OpenOutcome> {
  const meta = await storage.get<Meta>(META_KEY);
  if (meta && meta.schema === version) return 'current';
  if (!meta) {
    const keys = await storage.keys();
    if (keys.length === 0) {
      await storage.set(META_KEY, { schema: version } satisfies Meta);
      return 'fresh';
    }
    await dropKeepingOutbox(storage, keys, undefined, version);
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
