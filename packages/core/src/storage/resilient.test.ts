import { describe, expect, it, vi } from 'vitest';
import { ResilientStorage, type ResilientHooks } from './resilient.js';
import { memoryStorage } from './memory.js';
import type { StorageAdapter } from './adapter.js';

const quota = () => Object.assign(new Error('full'), { name: 'QuotaExceededError' });

function hooks(over: Partial<ResilientHooks> = {}): ResilientHooks & { fallbacks: unknown[] } {
  const fallbacks: unknown[] = [];
  return {
    evict: async () => false,
    fallback: (reason) => fallbacks.push(reason),
    probeTimeoutMs: 50,
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (h) => clearTimeout(h as never),
    fallbacks,
    ...over,
  };
}

describe('resilient storage', () => {
  it('evicts history and retries a write that hit the quota', async () => {
    const inner = memoryStorage();
    let full = true;
    const primary: StorageAdapter = { ...inner, set: async (k, v) => (full ? Promise.reject(quota()) : inner.set(k, v)) };
    const h = hooks({ evict: vi.fn(async () => ((full = false), true)) });
    const s = new ResilientStorage(primary, h);
    await s.set('o:1', 'entry');
    expect(h.evict).toHaveBeenCalledOnce();
    expect(await inner.get('o:1')).toBe('entry');
    expect(h.fallbacks).toEqual([]);
  });

  it('falls back to memory when eviction does not free enough, reporting once', async () => {
    const primary: StorageAdapter = { ...memoryStorage(), set: async () => Promise.reject(quota()), setMany: async () => Promise.reject(quota()) };
    const h = hooks({ evict: async () => true });
    const s = new ResilientStorage(primary, h);
    await s.set('o:1', 'entry');
    await s.setMany([['o:2', 'x']]);
    expect(s.fellBack).toBe(true);
    expect(h.fallbacks).toEqual(['quota_exceeded']);
    expect(await s.get('o:2')).toBe('x');
  });

  it('falls back when the database fails, and when it never answers', async () => {
    const broken: StorageAdapter = { ...memoryStorage(), keys: async () => Promise.reject(new Error('InvalidStateError')) };
    const a = new ResilientStorage(broken, hooks());
    expect(await a.keys()).toEqual([]);
    expect(a.fellBack).toBe(true);

    const hanging: StorageAdapter = { ...memoryStorage(), get: () => new Promise(() => {}) };
    const h = hooks();
    const b = new ResilientStorage(hanging, h);
    expect(await b.get('meta')).toBeUndefined();
    expect(h.fallbacks).toEqual(['blocked']);
  });
});
