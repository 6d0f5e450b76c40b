/**
 * Capped exponential backoff with "equal jitter", as a pure function: attempt n waits between
 * half and all of min(maxMs, baseMs·2^(n-1)). The random half keeps many clients that lost the
 * same server from retrying in lockstep when it comes back.
 */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

export function backoffDelay(attempt: number, policy: BackoffPolicy, random: number): number {
  const exp = policy.baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 30));
  const capped = Math.min(exp, policy.maxMs);
  return Math.round(capped / 2 + (capped / 2) * random);
}
