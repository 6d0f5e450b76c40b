/** Typed events for integrators. Listeners run through `safeCall`: a throwing listener cannot break the client. */
import { safeCall } from './store.js';

export class Emitter<M extends object> {
  #listeners = new Map<keyof M, Set<(payload: never) => void>>();

  on<K extends keyof M>(event: K, listener: (payload: M[K]) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener as (payload: never) => void);
    return () => set.delete(listener as (payload: never) => void);
  }

  emit<K extends keyof M>(event: K, payload: M[K]): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const l of [...set]) safeCall(l as (payload: M[K]) => void, payload);
  }

  clear(): void {
    this.#listeners.clear();
  }
}
