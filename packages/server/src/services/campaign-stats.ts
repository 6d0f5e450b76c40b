import type { VariantCounts } from '../store/campaign-store.js';
import { DEFAULT_VARIANT, HOLDOUT, type Campaign } from './campaign-spec.js';

/** z for a two-sided 95 % interval. */
const Z95 = 1.959963984540054;

export const STATS_METHOD = 'Newcombe hybrid score interval (Wilson score intervals of each rate, combined), 95 %';

/**
 * The Wilson score interval of `x` successes in `n` trials (null for n = 0). Unlike the Wald
 * interval it stays inside [0, 1] and keeps its coverage for small counts and rates near 0.
 */
export function wilson(x: number, n: number, z = Z95): { low: number; high: number } | null {
  if (n <= 0) return null;
  const p = x / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/**
 * The difference of two independent rates x1/n1 − x2/n2 with its 95 % interval by Newcombe's
 * hybrid score method (Newcombe 1998, method 10): from the Wilson intervals (l, u) of each rate,
 * low = d − √((p1 − l1)² + (u2 − p2)²), high = d + √((u1 − p1)² + (p2 − l2)²). Null when either
 * group is empty.
 */
export function newcombe(x1: number, n1: number, x2: number, n2: number): { difference: number; low: number; high: number } | null {
  const a = wilson(x1, n1);
  const b = wilson(x2, n2);
  if (!a || !b) return null;
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const d = p1 - p2;
  return {
    difference: d,
    low: d - Math.sqrt((p1 - a.low) ** 2 + (b.high - p2) ** 2),
    high: d + Math.sqrt((a.high - p1) ** 2 + (p2 - b.low) ** 2),
  };
}

export interface ArmStats extends VariantCounts {
  /** Each count over `eligible` (null when nobody is). */
  rates: Record<'shown' | 'opened' | 'replied' | 'dismissed' | 'converted', number | null>;
  /** Conversion rate minus the holdout's, with its 95 % interval; null for the holdout, without one, or with an empty arm. */
  lift: { difference: number; low: number; high: number } | null;
}

/** Every arm of the campaign (those with nobody yet too, and any arm a change of the experiment removed), with rates and lift. */
export function campaignStats(campaign: Pick<Campaign, 'id' | 'goal' | 'experiment'>, counts: VariantCounts[]) {
  const names = campaign.experiment ? [...campaign.experiment.variants.map((v) => v.id), ...(campaign.experiment.holdoutShare > 0 ? [HOLDOUT] : [])] : [DEFAULT_VARIANT];
  for (const c of counts) if (!names.includes(c.variant)) names.push(c.variant);
  const empty = (variant: string): VariantCounts => ({ variant, eligible: 0, shown: 0, opened: 0, replied: 0, dismissed: 0, converted: 0 });
  const byName = new Map(counts.map((c) => [c.variant, c]));
  const holdout = byName.get(HOLDOUT);
  const rate = (x: number, n: number) => (n > 0 ? x / n : null);
  const arms: ArmStats[] = names.map((name) => {
    const c = byName.get(name) ?? empty(name);
    return {
      ...c,
      rates: {
        shown: rate(c.shown, c.eligible),
        opened: rate(c.opened, c.eligible),
        replied: rate(c.replied, c.eligible),
        dismissed: rate(c.dismissed, c.eligible),
        converted: rate(c.converted, c.eligible),
      },
      lift: name === HOLDOUT || !holdout ? null : newcombe(c.converted, c.eligible, holdout.converted, holdout.eligible),
    };
  });
  return { campaign: campaign.id, goal: campaign.goal ?? null, method: STATS_METHOD, arms };
}
