import { describe, expect, it } from 'vitest';
import { memoryStorage } from './memory.js';
import { migrate, type Meta } from './schema.js';

const outbox = { clientId: 'c1', threadId: 't', text: 'hi', queuedAt: 1, files: [{ index: 0 }] };

describe('schema versions', () => {
  it('stamps an empty store with the current version', async () => {
    const s = memoryStorage();
    expect(await migrate(s, 3)).toBe('fresh');
    expect(await s.get<Meta>('meta')).toEqual({ schema: 3 });
    expect(await migrate(s, 3)).toBe('current');
  });

  it('runs each migration step from an old version', async () => {
    const s = memoryStorage();
    await s.set('meta', { schema: 1, token: 'tok' });
    await s.set('legacy', 'x');
    const ran: number[] = [];
    const outcome = await migrate(s, 3, {
      1: async (st) => (ran.push(1), st.set('renamed', await st.get('legacy'))),
      2: async (st) => (ran.push(2), st.delMany(['legacy'])),
    });
    expect(outcome).toBe('migrated');
    expect(ran).toEqual([1, 2]);
    expect(await s.get('renamed')).toBe('x');
    expect(await s.get<Meta>('meta')).toEqual({ schema: 3, token: 'tok' });
  });

  it('drops data without a migration path but keeps the outbox, its files and the token', async () => {
    const s = memoryStorage();
    await s.setMany([
      ['meta', { schema: 1, token: 'tok', visitorId: 'v', userId: 'u' }],
      ['t:x', { old: true }],
      ['m:x:0', []],
      ['o:c1', outbox],
      ['b:c1:0', new Blob(['x'])],
      ['o:bad', { nonsense: true }],
      ['b:bad:0', new Blob(['y'])],
    ]);
    expect(await migrate(s, 2, {})).toBe('dropped');
    expect((await s.keys()).sort()).toEqual(['b:c1:0', 'meta', 'o:c1']);
    expect(await s.get<Meta>('meta')).toEqual({ schema: 2, token: 'tok', visitorId: 'v' });
  });

  it('drops data written by a newer build', async () => {
    const s = memoryStorage();
    await s.setMany([['meta', { schema: 9 }], ['t:x', {}]]);
    expect(await migrate(s, 1)).toBe('dropped');
    expect(await s.keys()).toEqual(['meta']);
  });

  it('drops a store that has data but no meta record', async () => {
    const s = memoryStorage();
    await s.set('junk', 1);
    expect(await migrate(s, 1)).toBe('dropped');
  });

  it('keeps the outbox when a migration step fails half way', async () => {
    const s = memoryStorage();
    await s.setMany([['meta', { schema: 1 }], ['o:c1', outbox], ['t:x', {}]]);
    const outcome = await migrate(s, 2, { 1: async () => Promise.reject(new Error('boom')) });
    expect(outcome).toBe('dropped');
    expect((await s.keys()).sort()).toEqual(['meta', 'o:c1']);
  });
});
