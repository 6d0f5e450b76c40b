/** A typed event emitter whose handlers can never throw into the caller. */
export interface Emitter<M> {
  on<K extends keyof M>(event: K, handler: (payload: M[K]) => void): () => void;
  off<K extends keyof M>(event: K, handler: (payload: M[K]) => void): void;
  emit<K extends keyof M>(event: K, payload: M[K]): void;
  clear(): void;
}

export function createEmitter<M>(onHandlerError: (event: keyof M, error: unknown) => void): Emitter<M> {
  const handlers = new Map<keyof M, Set<(payload: never) => void>>();
  const api: Emitter<M> = {
    on(event, handler) {
      let set = handlers.get(event);
      if (!set) handlers.set(event, (set = new Set()));
      set.add(handler as (payload: never) => void);
      return () => api.off(event, handler);
    },
    off(event, handler) {
      handlers.get(event)?.delete(handler as (payload: never) => void);
    },
    emit(event, payload) {
      for (const h of [...(handlers.get(event) ?? [])]) {
        try {
          (h as (p: M[typeof event]) => void)(payload);
        } catch (error) {
          // An integrator's handler failed: tell them, keep the widget running.
          onHandlerError(event, error);
        }
      }
    },
    clear: () => handlers.clear(),
  };
  return api;
}
