import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { ServerError } from '../errors.js';

/** Where a limiter shares its counters with the other nodes. */
export interface SharedBudget {
  /** A client with its offline queue off, so a command fails at once while Redis is away. */
  redis: Redis;
  /** The limiter's own key prefix, e.g. `threadline:rl:sends`; counters are `<prefix>:<key>`. */
  keyPrefix: string;
}

/** What is left of a key's budget after a `take` that was allowed. */
export interface Budget {
  limit: number;
  remaining: number;
  /** Milliseconds until the window ends and the budget is whole again. */
  resetMs: number;
}

/**
 * A fixed-window limiter per key (rate-limiter-flexible). Without `shared` the counters live in
 * this process. With it they live in Redis, so a budget of N is N across every node, not N per
 * node; while Redis does not answer (down, or slower than the client's command timeout) each node
 * falls back to an in-memory limiter of the same size (the library's insurance limiter): budgets
 * are per node for that time, and nothing is refused because Redis is away.
 */
export class Limiter {
  readonly #limiter: RateLimiterAbstract;
  readonly #points: number;

  constructor(points: number, windowMs: number, private readonly what: string, shared?: SharedBudget | null) {
    const duration = Math.max(1, Math.ceil(windowMs / 1000));
    this.#points = points;
    const memory = new RateLimiterMemory({ points, duration });
    this.#limiter = shared
      ? new RateLimiterRedis({
          storeClient: shared.redis,
          keyPrefix: shared.keyPrefix,
          points,
          duration,
          // Not ready (connecting, reconnecting): straight to the insurance limiter, no waiting.
          rejectIfRedisNotReady: true,
          insuranceLimiter: memory,
        })
      : memory;
  }

  /** Takes `cost` from `key`'s budget; throws `rate_limited` with the time until the window frees up. */
  async take(key: string, cost = 1): Promise<Budget> {
    try {
      const res = await this.#limiter.consume(key, cost);
      return { limit: this.#points, remaining: res.remainingPoints, resetMs: res.msBeforeNext };
    } catch (err) {
      if (err instanceof RateLimiterRes) {
        throw new ServerError('rate_limited', `too many ${this.what}; retry in ${Math.ceil(err.msBeforeNext / 1000)} s`, err.msBeforeNext);
      }
      throw err;
    }
  }
}
