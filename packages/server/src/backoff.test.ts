import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';

const policy = { baseMs: 1000, maxMs: 60 * 60 * 1000 };

describe('backoffDelay', () => {
  it('doubles from the base after each failure', () => {
    expect([1, 2, 3, 4, 9].map((n) => backoffDelay(n, policy, 0))).toEqual([1000, 2000, 4000, 8000, 256_000]);
  });

  it('never waits longer than the cap, however many attempts failed', () => {
    expect(backoffDelay(13, policy, 0)).toBe(60 * 60 * 1000);
    expect(backoffDelay(10_000, policy, 0)).toBe(60 * 60 * 1000);
  });

  it('adds at most the jitter fraction of the wait, at random', () => {
    const jittered = { ...policy, jitter: 0.2 };
    expect(backoffDelay(2, jittered, 0)).toBe(2000);
    expect(backoffDelay(2, jittered, 0.5)).toBe(2200);
    expect(backoffDelay(2, jittered, 0.999)).toBeLessThan(2400);
  });

  it('waits whole milliseconds, whatever the jitter drew', () => {
    expect(backoffDelay(3, { ...policy, jitter: 0.2 }, 0.123_456_7)).toBe(4098);
  });
});
