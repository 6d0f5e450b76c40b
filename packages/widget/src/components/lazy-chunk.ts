import { useEffect, useState } from 'preact/hooks';

/**
 * A hook giving an on-demand chunk's module once it is loaded (null until then, and if it cannot
 * load), fetched when a component first wants it and imported once per page. A chunk that fails
 * to load is fetched again by the next component that wants it (the import's promise is dropped):
 * meanwhile each caller shows what it has without the chunk.
 */
export function lazyChunk<M>(load: () => Promise<M>): (wanted?: boolean) => M | null {
  let loading: Promise<M> | undefined;
  return (wanted = true) => {
    const [loaded, setLoaded] = useState<M | null>(null);
    useEffect(() => {
      if (!wanted) return;
      let alive = true;
      loading ??= load().catch((e: unknown) => {
        loading = undefined;
        throw e;
      });
      loading.then(
        (m) => alive && setLoaded(m),
        () => {}, // deliberately ignored: the caller goes on without the chunk (see above)
      );
      return () => void (alive = false);
    }, [wanted]);
    return loaded;
  };
}
