import { describe, expect, it, vi } from 'vitest';
import { cachedOriginCheck, isOriginAllowed } from './origins.js';

describe('origins', () => {
  it('allows requests without an Origin, `*`, and listed origins with or without a trailing slash', () => {
    expect(isOriginAllowed(['http://shop.test'], undefined)).toBe(true);
    expect(isOriginAllowed(['*'], 'http://evil.test')).toBe(true);
    expect(isOriginAllowed(['http://shop.test'], 'http://shop.test/')).toBe(true);
    expect(isOriginAllowed(['http://shop.test'], 'http://evil.test')).toBe(false);
  });

  it('reads the allow-lists once per period however many requests ask at once, and again after it', async () => {
    vi.useFakeTimers();
    try {
      const load = vi.fn(async () => ['http://shop.test']);
      const allowed = cachedOriginCheck(load, 5000);
      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => allowed(i % 2 ? 'http://shop.test' : 'http://evil.test')));
      expect(answers).toEqual(Array.from({ length: 10 }, (_, i) => i % 2 === 1));
      await allowed('http://shop.test');
      expect(load).toHaveBeenCalledTimes(1);
      vi.advanceTimersByTime(5000);
      await allowed('http://shop.test');
      expect(load).toHaveBeenCalledTimes(2);
      expect(await allowed(undefined)).toBe(true);
      expect(load).toHaveBeenCalledTimes(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('tries again after a failed read instead of caching the failure', async () => {
    const load = vi.fn<() => Promise<string[]>>().mockRejectedValueOnce(new Error('db down')).mockResolvedValue(['http://shop.test']);
    const allowed = cachedOriginCheck(load, 5000);
    await expect(allowed('http://shop.test')).rejects.toThrow('db down');
    expect(await allowed('http://shop.test')).toBe(true);
  });

  it('reads the allow-lists again after an invalidation, within the period', async () => {
    const lists = [['http://shop.test'], ['http://shop.test', 'http://new.test']];
    const load = vi.fn(async () => lists.shift()!);
    const allowed = cachedOriginCheck(load, 60_000);
    expect(await allowed('http://new.test')).toBe(false);
    allowed.invalidate();
    expect(await allowed('http://new.test')).toBe(true);
    expect(load).toHaveBeenCalledTimes(2);
  });
});
