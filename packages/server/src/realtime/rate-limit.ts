import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { ServerError } from '../errors.js';

/**
 * A fixed-window limiter per key. In memory: with several server nodes each node limits on its own
 * (the Redis store of rate-limiter-flexible is the drop-in for a shared budget).
 */
export class Limiter {
  readonly #limiter: RateLimiterMemory;

  constructor(points: number, windowMs: number, private readonly what: string) {
    this.#limiter = new RateLimiterMemory({ points, duration: Math.max(1, Math.ceil(windowMs / 1000)) });
  }

  /** Throws `rate_limited` with the time until the window frees up. */
  async take(key: string, cost = 1): Promise<void> {
    try {
      await this.#limiter.consume(key, cost);
    } catch (err) {
      if (err instanceof RateLimiterRes) {
        throw new ServerError('rate_limited', `too many ${this.what}; retry in ${Math.ceil(err.msBeforeNext / 1000)} s`, err.msBeforeNext);
      }
      throw err;
    }
  }
}
