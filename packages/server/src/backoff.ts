/**
 * Capped exponential backoff, as a pure function: the server's one retry schedule (webhook
 * deliveries use it). Attempt n waits min(maxMs, baseMs·2^(n-1)), plus up to `jitter` of that at
 * random, so deliveries that failed together do not all come back at the same instant.
 */
export interface BackoffPolicy {
  /** Wait after the first failure. */
  baseMs: number;
  /** No wait is longer than this (before jitter). */
  maxMs: number;
  /**
   * Fraction of the wait added at random.
   * @default 0
   * @example 0.2
   */
  jitter?: number;
}

/**
 * Whole milliseconds to wait after the `attempt`-th failure (1-based); `random` is in [0, 1).
 * Whole, because the time it leads to is stored in a bigint column, which PostgreSQL refuses a
 * fraction for (SQLite silently stored a real).
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: number): number {
  const exp = policy.baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 30));
  const capped = Math.min(exp, policy.maxMs);
  return Math.floor(capped + capped * (policy.jitter ?? 0) * random);
}
