import { useEffect, useReducer, useRef } from 'preact/hooks';

export interface Subscribable<S> {
  subscribe(listener: () => void): () => void;
  getSnapshot(): S;
}

/**
 * A `useSyncExternalStore` for Preact without preact/compat: re-renders only when the selected
 * slice changes (by Object.is), so a typing indicator does not re-render the inbox.
 */
export function useStore<S, T = S>(store: Subscribable<S>, select?: (state: S) => T): T {
  const selectRef = useRef(select);
  selectRef.current = select;
  const pick = (): T => {
    const state = store.getSnapshot();
    return selectRef.current ? selectRef.current(state) : (state as unknown as T);
  };
  const value = pick();
  const last = useRef(value);
  last.current = value;
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  useEffect(() => {
    const check = () => {
      if (!Object.is(pick(), last.current)) rerender(0);
    };
    // The store may have changed between render and subscribe.
    check();
    return store.subscribe(check);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [store]);
  return value;
}
