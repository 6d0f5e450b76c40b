import { describe, expect, it } from 'vitest';
import { HOLDOUT, assign, audienceMiss, capsOf, globMatch } from './campaign-spec.js';
import { campaignStats, newcombe, wilson } from './campaign-stats.js';

describe('URL globs', () => {
  it('match the whole URL with * as any run of characters and everything else literal', () => {
    expect(globMatch('*/checkout*', 'https://shop.test/checkout?step=2')).toBe(true);
    expect(globMatch('*/checkout', 'https://shop.test/checkout?step=2')).toBe(false);
    expect(globMatch('https://shop.test/*/reviews', 'https://shop.test/p/42/reviews')).toBe(true);
    expect(globMatch('*.test/p/?', 'https://shop.test/p/1')).toBe(false); // `?` is literal
    expect(globMatch('*', '')).toBe(true);
    expect(globMatch('(a+)+$', `${'a'.repeat(10_000)}!`)).toBe(false);
    expect(globMatch('*a*a*a*a*a*b', 'a'.repeat(2000))).toBe(false);
  });
});

describe('assignment', () => {
  const campaign = { id: 'checkout', experiment: { holdoutShare: 10, variants: [{ id: 'a', share: 60 }, { id: 'b', share: 30 }] } };

  it('splits 1,000 subjects by the shares within 4 points, the same way every time', () => {
    const tally: Record<string, number> = { a: 0, b: 0, [HOLDOUT]: 0 };
    for (let i = 0; i < 1000; i++) tally[assign(campaign, `v:visitor-${i}`)]! += 1;
    expect(Math.abs(tally.a! / 10 - 60)).toBeLessThanOrEqual(4);
    expect(Math.abs(tally.b! / 10 - 30)).toBeLessThanOrEqual(4);
    expect(Math.abs(tally[HOLDOUT]! / 10 - 10)).toBeLessThanOrEqual(4);
    for (let i = 0; i < 50; i++) expect(assign(campaign, `u:user-${i}`)).toBe(assign(campaign, `u:user-${i}`));
  });

  it('depends on the campaign: one person is not in every campaign’s holdout', () => {
    const arms = new Set(Array.from({ length: 40 }, (_, i) => assign({ ...campaign, id: `campaign-${i}` }, 'u:alice')));
    expect(arms.size).toBeGreaterThan(1);
  });

  it('puts everyone in `default` without an experiment', () => {
    expect(assign({ id: 'x' }, 'v:1')).toBe('default');
  });
});

describe('audience and caps', () => {
  const who = { userId: null, context: { locale: 'en-GB', page: { url: 'https://shop.test/checkout' }, attributes: { plan: 'pro', orders: 3 } }, createdAt: 0 };

  it('names the first test a visitor fails', () => {
    const now = 60 * 60 * 1000;
    expect(audienceMiss({}, who, now)).toBeNull();
    expect(audienceMiss({ identified: true }, who, now)).toBe('identified');
    expect(audienceMiss({ locales: ['en'] }, who, now)).toBeNull();
    expect(audienceMiss({ locales: ['fr', 'zh'] }, who, now)).toBe('locales');
    expect(audienceMiss({ urlPattern: '*/cart' }, who, now)).toBe('urlPattern');
    expect(audienceMiss({ returning: true }, who, now)).toBeNull();
    expect(audienceMiss({ returning: true }, who, 60_000)).toBe('returning');
    expect(audienceMiss({ attributes: [{ key: 'orders', op: 'gte', value: 3 }, { key: 'plan', op: 'eq', value: 'pro' }] }, who, now)).toBeNull();
    expect(audienceMiss({ attributes: [{ key: 'orders', op: 'gt', value: 3 }] }, who, now)).toBe('attributes');
  });

  it('turns caps into counts since a time', () => {
    expect(capsOf({ caps: { perVisitor: { count: 2 } } }, 10_000)).toEqual([{ count: 2, since: 0 }]);
    expect(capsOf({ caps: { perVisitor: { count: 2, perMs: 1000 }, cooldownMs: 500 } }, 10_000)).toEqual([
      { count: 2, since: 9000 },
      { count: 1, since: 9500 },
    ]);
  });
});

describe('statistics', () => {
  it('gives Newcombe’s published intervals for the difference of two rates (1998, table II)', () => {
    const b = newcombe(9, 10, 3, 10)!;
    expect(b.difference).toBeCloseTo(0.6, 10);
    expect(b.low).toBeCloseTo(0.1705, 4);
    expect(b.high).toBeCloseTo(0.809, 4);
    const f = newcombe(0, 10, 0, 20)!;
    expect(f.low).toBeCloseTo(-0.1611, 4);
    expect(f.high).toBeCloseTo(0.2775, 4);
    expect(newcombe(1, 10, 0, 0)).toBeNull();
  });

  it('gives the Wilson interval inside [0, 1]', () => {
    const w = wilson(0, 10)!;
    expect(w.low).toBe(0);
    expect(w.high).toBeCloseTo(0.2775, 4);
    expect(wilson(0, 0)).toBeNull();
  });

  it('lists every arm, empty ones too, with rates over the eligible and no lift without a holdout', () => {
    const stats = campaignStats({ id: 'c', experiment: { holdoutShare: 0, variants: [{ id: 'a', share: 50 }, { id: 'b', share: 50 }] } }, [
      { variant: 'a', eligible: 4, shown: 3, opened: 2, replied: 1, dismissed: 1, converted: 1 },
    ]);
    expect(stats.arms.map((a) => a.variant)).toEqual(['a', 'b']);
    expect(stats.arms[0]!.rates).toEqual({ shown: 0.75, opened: 0.5, replied: 0.25, dismissed: 0.25, converted: 0.25 });
    expect(stats.arms[1]!.rates.converted).toBeNull();
    expect(stats.arms[0]!.lift).toBeNull();
  });
});
