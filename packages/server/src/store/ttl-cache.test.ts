import { describe, expect, it } from 'vitest';
import { TtlCache } from './ttl-cache.js';

describe('TtlCache', () => {
  it('shares one read among the callers of a key at once, and answers from memory until it expires', async () => {
    let t = 0;
    const cache = new TtlCache<number>(5000, () => t);
    let reads = 0;
    let finish!: (n: number) => void;
    const read = () => {
      reads++;
      return new Promise<number>((r) => (finish = r));
    };
    const burst = Array.from({ length: 100 }, () => cache.get('app', read));
    expect(reads).toBe(1);
    finish(7);
    expect(await Promise.all(burst)).toEqual(Array(100).fill(7));
    t = 4999;
    expect(await cache.get('app', read)).toBe(7);
    expect(reads).toBe(1);
    t = 5000;
    const again = cache.get('app', read);
    expect(reads).toBe(2);
    finish(8);
    expect(await again).toBe(8);
  });

  it('keeps no value read before a change on this node, nor one `keep` refuses, nor a failed read', async () => {
    const cache = new TtlCache<string | undefined>(5000);
    let finish!: (v: string | undefined) => void;
    const slow = () => new Promise<string | undefined>((r) => (finish = r));
    const before = cache.get('app', slow);
    cache.set('app', 'new');
    finish('old');
    expect(await before).toBe('old'); // answered, not kept
    expect(await cache.get('app', slow)).toBe('new');
    expect(await cache.get('missing', async () => undefined, Boolean)).toBeUndefined();
    expect(await cache.get('missing', async () => 'created meanwhile', Boolean)).toBe('created meanwhile');
    await expect(cache.get('broken', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.get('broken', async () => 'back')).toBe('back');
    cache.forget('app');
    expect(await cache.get('app', async () => 'read again')).toBe('read again');
  });
});
