/**
 * A unit whose code is loaded on first use: `load` is a dynamic `import()`, so a split build ships
 * the unit as a chunk the page fetches only when it is needed. Concurrent callers share one load.
 *
 * A failed load (the chunk could not be fetched: offline, a deploy replaced it, a CSP refusal) is
 * reported through `failed` and forgotten, so the next use tries again. After `stop()` the unit is
 * stopped, and a load that completes later creates nothing.
 */
export interface Unit {
  /** Release every timer, request and listener the unit holds. */
  stop(): void;
}

export class Lazy<M, T extends Unit> {
  readonly #load: () => Promise<M>;
  readonly #create: (module: M) => T;
  readonly #failed: (err: unknown) => void;
  #unit: T | null = null;
  #loading: Promise<T | null> | null = null;
  #stopped = false;

  constructor(load: () => Promise<M>, create: (module: M) => T, failed: (err: unknown) => void) {
    this.#load = load;
    this.#create = create;
    this.#failed = failed;
  }

  /** The unit when loaded, else null; never starts a load. */
  get current(): T | null {
    return this.#unit;
  }

  /** The unit, loading its code first when needed; null after a failed load (reported) or `stop()`. */
  get(): Promise<T | null> {
    if (this.#unit || this.#stopped) return Promise.resolve(this.#unit);
    this.#loading ??= Promise.resolve()
      .then(this.#load)
      .then((module) => {
        if (this.#stopped) return null;
        return (this.#unit = this.#create(module));
      })
      .catch((err: unknown) => {
        if (!this.#stopped) this.#failed(err);
        return null;
      })
      .finally(() => (this.#loading = null));
    return this.#loading;
  }

  stop(): void {
    this.#stopped = true;
    this.#unit?.stop();
    this.#unit = null;
  }
}
