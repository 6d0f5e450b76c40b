import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { API_KEY, sleep, startServer, type Harness } from '../test/harness.js';
import { Statements } from '../test/statements.js';
import { SqlStore } from './sql-store.js';

let h: Harness;
let statements: Statements;

beforeAll(async () => {
  h = await startServer();
  statements = new Statements();
});
afterAll(() => h.close());
beforeEach(() => {
  statements.sql.length = 0;
});

const storeWith = (appCacheMs?: number) => new SqlStore(h.server.store.db.withPlugin(statements), appCacheMs === undefined ? {} : { appCacheMs });

describe('apps read by every handshake and REST call', () => {
  it('are read once by id and once by key, then answered from memory, and again after the time', async () => {
    const store = storeWith(300);
    for (let i = 0; i < 5; i++) {
      expect((await store.getApp('demo'))?.id).toBe('demo');
      expect((await store.appByApiKey(API_KEY))?.id).toBe('demo');
    }
    expect(statements.reads('apps')).toBe(2);
    await sleep(350);
    await store.getApp('demo');
    expect(statements.reads('apps')).toBe(3);
  });

  it('reads at once share one statement (a burst of handshakes after a restart)', async () => {
    const store = storeWith();
    const apps = await Promise.all(Array.from({ length: 20 }, () => store.getApp('demo')));
    expect(apps.every((a) => a?.id === 'demo')).toBe(true);
    expect(statements.reads('apps')).toBe(1);
  });

  it('keeps no miss: an unknown app or a wrong key is read every time, and an app created since is found', async () => {
    const store = storeWith();
    expect(await store.appByApiKey('tl_sk_wrong')).toBeUndefined();
    expect(await store.appByApiKey('tl_sk_wrong')).toBeUndefined();
    expect(await store.getApp('later')).toBeUndefined();
    expect(statements.reads('apps')).toBe(3);
    await store.createAppIfAbsent({ id: 'later', name: 'Later', apiKey: 'tl_sk_later_key_0123456789', secret: 's', allowedOrigins: [] });
    expect((await store.getApp('later'))?.name).toBe('Later');
    expect((await store.appByApiKey('tl_sk_later_key_0123456789'))?.id).toBe('later');
  });

  it('forgets them when this node changes an app: a replaced key stops working here at once', async () => {
    const store = storeWith();
    await store.createAppIfAbsent({ id: 'rotating', name: 'Rotating', apiKey: 'tl_sk_old_key_0123456789', secret: 's', allowedOrigins: ['https://a.example'] });
    expect((await store.appByApiKey('tl_sk_old_key_0123456789'))?.id).toBe('rotating');
    expect((await store.getApp('rotating'))?.allowedOrigins).toEqual(['https://a.example']);
    await store.updateApp('rotating', { apiKey: 'tl_sk_new_key_0123456789', allowedOrigins: ['https://b.example'] });
    expect(await store.appByApiKey('tl_sk_old_key_0123456789')).toBeUndefined();
    expect((await store.appByApiKey('tl_sk_new_key_0123456789'))?.id).toBe('rotating');
    expect((await store.getApp('rotating'))?.allowedOrigins).toEqual(['https://b.example']);
  });

  it('reads every time with appCacheMs 0', async () => {
    const store = storeWith(0);
    await store.getApp('demo');
    await store.getApp('demo');
    expect(statements.reads('apps')).toBe(2);
  });
});
