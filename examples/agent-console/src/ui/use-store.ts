import { useEffect, useState } from 'preact/hooks';
import type { Store } from '../inbox/store.js';

/** The Preact binding of a store: re-renders when the snapshot changes. */
export function useStore<S>(store: Pick<Store<S, unknown>, 'getSnapshot' | 'subscribe'>): S {
  const [state, setState] = useState(store.getSnapshot);
  useEffect(() => {
    setState(store.getSnapshot());
    return store.subscribe(() => setState(store.getSnapshot()));
  }, [store]);
  return state;
}
