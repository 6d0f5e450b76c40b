/**
 * Schema version of the stored data and its migrations. Version 1 is the first layout (see
 * `local-store.ts`). To change the layout: bump `SCHEMA_VERSION` and add `MIGRATIONS[old]`, a
 * step from `old` to `old + 1`. Data with no migration path (too old, or written by a newer
 * build) is dropped cleanly — except the outbox and the visitor token, which are kept when they
 * still have the expected shape, so no unsent message is lost.
 */
import type { StorageAdapter } from './adapter.js';
import { META_KEY } from './keys.js';

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


export type OpenOutcome = 'fresh' | 'current' | 'migrated' | 'dropped';

/**
 * Bring stored data to `version`, migrating or dropping; returns what happened. The usual cases
 * (fresh store, current schema) need no more than this; upgrading or dropping old data loads
 * `schema-upgrade.ts`, which most page views never need.
 */
export async function migrate(
  storage: StorageAdapter,
  version: number = SCHEMA_VERSION,
  migrations: Readonly<Record<number, Migration>> = MIGRATIONS,
): Promise<OpenOutcome> {
  const meta = await storage.get<Meta>(META_KEY);
  if (meta && meta.schema === version) return 'current';
  if (!meta && (await storage.keys()).length === 0) {
    await storage.set(META_KEY, { schema: version } satisfies Meta);
    return 'fresh';
  }
  const { upgrade } = await import('./schema-upgrade.js');
  return upgrade(storage, meta, version, migrations);
}
