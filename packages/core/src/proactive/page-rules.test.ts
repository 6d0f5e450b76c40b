import { describe, expect, it } from 'vitest';
import { FAST_UP_MS, conditionHolds, fastScrollUp, globMatch, leftThroughTop, scrolledPercent, type ScrollSamples } from './page-rules.js';

describe('page rules', () => {
  it('matches URL globs like the server: `*` is any run, everything else literal, the whole URL', () => {
    expect(globMatch('*/checkout*', 'https://shop.test/checkout?step=2')).toBe(true);
    expect(globMatch('*/checkout*', 'https://shop.test/cart')).toBe(false);
    expect(globMatch('/checkout', 'https://shop.test/checkout')).toBe(false);
    expect(globMatch('*.test/(a+)+$', 'https://shop.test/(a+)+$')).toBe(true);
    expect(globMatch('*.test/(a+)+$', 'https://shop.test/aaaa')).toBe(false);
  });

  it('holds conditions on event properties as the server does: a missing key only for neq', () => {
    const props = { plan: 'pro', total: 64.5, gift: true };
    expect(conditionHolds({ key: 'plan', op: 'eq', value: 'pro' }, props)).toBe(true);
    expect(conditionHolds({ key: 'total', op: 'gte', value: 50 }, props)).toBe(true);
    expect(conditionHolds({ key: 'total', op: 'lt', value: 50 }, props)).toBe(false);
    expect(conditionHolds({ key: 'plan', op: 'contains', value: 'pr' }, props)).toBe(true);
    expect(conditionHolds({ key: 'gift', op: 'exists' }, props)).toBe(true);
    expect(conditionHolds({ key: 'coupon', op: 'exists' }, props)).toBe(false);
    expect(conditionHolds({ key: 'coupon', op: 'neq', value: 'X' }, props)).toBe(true);
    expect(conditionHolds({ key: 'coupon', op: 'eq', value: 'X' }, props)).toBe(false);
    expect(conditionHolds({ key: 'plan', op: 'gt', value: 1 }, props)).toBe(false);
  });

  it('measures scroll depth by the bottom of the viewport; a page that fits its viewport is fully seen', () => {
    expect(scrolledPercent(0, 800, 4000)).toBe(20);
    expect(scrolledPercent(1200, 800, 4000)).toBe(50);
    expect(scrolledPercent(3200, 800, 4000)).toBe(100);
    expect(scrolledPercent(0, 800, 600)).toBe(100);
  });

  it('tells a fast scroll up (a quarter of the viewport within FAST_UP_MS) from a slow one and from scrolling down', () => {
    const feed = (points: [number, number][]) => {
      let samples: ScrollSamples = [];
      return points.map(([t, y]) => {
        const r = fastScrollUp(samples, t, y, 800);
        samples = r.samples;
        return r.up;
      });
    };
    expect(feed([[0, 2000], [100, 1900], [200, 1750]])).toEqual([false, false, true]);
    // The same distance, too slowly.
    expect(feed([[0, 2000], [FAST_UP_MS + 1, 1900], [2 * FAST_UP_MS + 2, 1750]])).toEqual([false, false, false]);
    expect(feed([[0, 0], [100, 600], [200, 1200]])).toEqual([false, false, false]);
  });

  it('counts the pointer leaving through the top edge toward the tab bar only', () => {
    expect(leftThroughTop({ clientY: -2, relatedTarget: null })).toBe(true);
    expect(leftThroughTop({ clientY: 0, relatedTarget: null })).toBe(true);
    expect(leftThroughTop({ clientY: 400, relatedTarget: null })).toBe(false);
    expect(leftThroughTop({ clientY: -2, relatedTarget: {} })).toBe(false);
  });
});
