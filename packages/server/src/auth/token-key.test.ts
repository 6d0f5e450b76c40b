import fs from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../db/migrate.js';
import { openDatabase } from '../db/open.js';
import type { Database } from '../db/schema.js';
import { SettingsStore } from '../store/settings-store.js';
import { TEST_ENGINE, connect, newId, send, startServer, tempDir, testDatabase, type Harness } from '../test/harness.js';
import type { TestDatabase } from '../test/postgres.js';
import { TOKEN_KEY_SETTING, loadTokenKey } from './tokens.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A migrated database of the test engine, and the data dir it lives in on SQLite. */
async function freshDatabase(): Promise<{ db: Kysely<Database>; dataDir: string; url: string | undefined }> {
  const database: TestDatabase | null = await testDatabase();
  const dataDir = tempDir();
  const db = await openDatabase({ databaseUrl: database?.url, dataDir });
  cleanups.push(async () => {
    await db.destroy();
    await database?.drop();
  });
  await migrateToLatest(db);
  return { db, dataDir, url: database?.url };
}

function recordingLog() {
  const lines: { level: string; obj: object; msg: string }[] = [];
  return {
    lines,
    info: (obj: object, msg: string) => lines.push({ level: 'info', obj, msg }),
    warn: (obj: object, msg: string) => lines.push({ level: 'warn', obj, msg }),
  };
}

describe('the visitor-token key', () => {
  it('is THREADLINE_TOKEN_KEY when set, and then nothing is stored', async () => {
    const { db, dataDir } = await freshDatabase();
    const settings = new SettingsStore(db);
    expect(await loadTokenKey({ tokenKey: 'from-the-environment', dataDir }, settings, recordingLog())).toBe('from-the-environment');
    expect(await settings.get(TOKEN_KEY_SETTING)).toBeNull();
  });

  it('is made once and stored: every later load, and loads racing each other, get the same key', async () => {
    const { db, dataDir } = await freshDatabase();
    const settings = new SettingsStore(db);
    const keys = await Promise.all(Array.from({ length: 5 }, () => loadTokenKey({ dataDir }, settings, recordingLog())));
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^[\w-]{43}$/); // 32 random bytes, base64url
    expect(await settings.get(TOKEN_KEY_SETTING)).toBe(keys[0]);
    expect(await loadTokenKey({ dataDir: tempDir() }, settings, recordingLog())).toBe(keys[0]);
    expect(fs.existsSync(path.join(dataDir, 'token.key'))).toBe(false);
  });

  it("imports an earlier version's token.key from the data dir into a database that has no key", async () => {
    const { db, dataDir } = await freshDatabase();
    fs.writeFileSync(path.join(dataDir, 'token.key'), 'the-old-key\n', { mode: 0o600 });
    const log = recordingLog();
    expect(await loadTokenKey({ dataDir }, new SettingsStore(db), log)).toBe('the-old-key');
    expect(await new SettingsStore(db).get(TOKEN_KEY_SETTING)).toBe('the-old-key');
    expect(log.lines.map((l) => l.level)).toEqual(['info']);
    expect(JSON.stringify(log.lines)).not.toContain('the-old-key');
  });

  it("keeps the database's key over a different token.key, and warns without saying either", async () => {
    const { db, dataDir } = await freshDatabase();
    const settings = new SettingsStore(db);
    await settings.putIfAbsent(TOKEN_KEY_SETTING, 'the-shared-key');
    fs.writeFileSync(path.join(dataDir, 'token.key'), 'a-node-s-own-key');
    const log = recordingLog();
    expect(await loadTokenKey({ dataDir }, settings, log)).toBe('the-shared-key');
    expect(log.lines.map((l) => l.level)).toEqual(['warn']);
    expect(JSON.stringify(log.lines)).not.toMatch(/the-shared-key|a-node-s-own-key/);
  });
});

describe('upgrading a server whose token key was a file in the data dir', () => {
  it('keeps visitors: a token signed with the old token.key resumes the same visitor and threads, also once the file is gone', async () => {
    // One database across the runs: on SQLite the data dir's, on PostgreSQL one made here.
    const database = TEST_ENGINE === 'postgres' ? await testDatabase() : null;
    cleanups.push(async () => void (await database?.drop()));
    const dataDir = tempDir();
    const oldKey = 'key-written-by-an-earlier-version';
    fs.writeFileSync(path.join(dataDir, 'token.key'), oldKey, { mode: 0o600 });
    const start = async (overrides: object = {}): Promise<Harness> => {
      const h = await startServer({ dataDir, ...(database ? { databaseUrl: database.url } : {}), ...overrides });
      cleanups.push(() => h.close());
      return h;
    };

    // The earlier version signed with the file's key and stored no key in the database: the same
    // as the key given explicitly (the environment's key is never stored).
    const before = await start({ tokenKey: oldKey });
    const v = await connect(before.url);
    const threadId = newId();
    expect((await send(v, threadId, 'before the upgrade', { create: true })).ok).toBe(true);
    v.close();
    expect(await new SettingsStore(before.server.store.db).get(TOKEN_KEY_SETTING)).toBeNull();
    await before.server.close();

    const after = await start();
    expect(await new SettingsStore(after.server.store.db).get(TOKEN_KEY_SETTING)).toBe(oldKey);
    const back = await connect(after.url, { token: v.session.token });
    expect(back.session.visitorId).toBe(v.session.visitorId);
    const sync = await back.call('sync', { cursors: {} });
    expect(sync.threads.map((t: any) => t.id)).toEqual([threadId]);
    back.close();
    await after.server.close();

    fs.rmSync(path.join(dataDir, 'token.key'));
    const later = await start();
    const again = await connect(later.url, { token: back.session.token });
    expect(again.session.visitorId).toBe(v.session.visitorId);
    again.close();
  });
});
