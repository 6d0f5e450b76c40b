/**
 * Time as the server's timers see it: injected so tests can run a schedule without waiting for it.
 * Handles are opaque; `clearTimeout` takes only what this clock's `setTimeout` returned.
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Real time. Its timers are unref'd: a pending one never keeps the process alive. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
