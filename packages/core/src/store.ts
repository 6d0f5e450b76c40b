/**
 * A tiny external store (zustand/vanilla-sized): dispatch runs the pure reducer, listeners hear
 * about changes, `getSnapshot` returns the same object until something changed — the contract
 * `useSyncExternalStore` expects.
 */
import { reduce } from './state/reducer.js';
import { SnapshotDeriver } from './state/snapshot.js';
import { initialState, type Action, type State } from './state/state.js';
import type { Snapshot } from './types.js';

export class Store {
  #state: State = initialState;
  #listeners = new Set<() => void>();
  #deriver = new SnapshotDeriver();
  /** Hears every applied action (for mirroring to other tabs). */
  onAction: ((action: Action) => void) | null = null;

  get state(): State {
    return this.#state;
  }

  dispatch(action: Action): void {
    const next = reduce(this.#state, action);
    this.onAction?.(action);
    if (next === this.#state) return;
    this.#state = next;
    for (const l of [...this.#listeners]) safeCall(l);
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  getSnapshot = (): Snapshot => this.#deriver.derive(this.#state);

  clearListeners(): void {
    this.#listeners.clear();
  }
}

/**
 * Run an integrator's callback without letting its exception break our loop; the exception is
 * reported to the page (window `error` event via `reportError`) rather than swallowed.
 */
export function safeCall<A extends unknown[]>(fn: (...args: A) => void, ...args: A): void {
  try {
    fn(...args);
  } catch (err) {
    const report = (globalThis as { reportError?: (e: unknown) => void }).reportError;
    if (report) report(err);
    else setTimeout(() => {
      throw err;
    }, 0);
  }
}
