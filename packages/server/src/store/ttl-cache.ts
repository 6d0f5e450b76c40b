/**
 * Values read from the database and kept in memory for `ttlMs` (an app's settings, its
 * campaigns), with the reads of one key at once shared: when a value expires on a busy node, the
 * hundreds of handshakes or sends that want it in the next milliseconds wait for one statement,
 * not one each (which would queue behind each other for the pool and bring the node's backlog past
 * its shedding point). A value read before `forget`/`set`/`clear` is not kept: the change on this
 * node wins over a read that started before it.
 */
export class TtlCache<V> {
  readonly #found = new Map<string, { value: V; at: number }>();
  readonly #reading = new Map<string, Promise<V>>();
  #generation = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * The value of `key`: from memory while fresh, else from `read` (shared with every caller
   * waiting for the same key). `keep(value)` false: answered but not kept (e.g. an app not found).
   */
  get(key: string, read: () => Promise<V>, keep: (value: V) => boolean = () => true): Promise<V> {
    if (this.ttlMs <= 0) return read();
    const hit = this.#found.get(key);
    if (hit && this.now() - hit.at < this.ttlMs) return Promise.resolve(hit.value);
    const pending = this.#reading.get(key);
    if (pending) return pending;
    const generation = this.#generation;
    const reading = read().then((value) => {
      if (generation === this.#generation && keep(value)) this.#found.set(key, { value, at: this.now() });
      return value;
    });
    const shared = reading.finally(() => {
      if (this.#reading.get(key) === shared) this.#reading.delete(key);
    });
    this.#reading.set(key, shared);
    return shared;
  }

  /** `value` is the key's value from now on (written by this node). */
  set(key: string, value: V): void {
    this.#generation++;
    this.#reading.delete(key);
    if (this.ttlMs > 0) this.#found.set(key, { value, at: this.now() });
  }

  /** The key is read again next time (changed by this node). */
  forget(key: string): void {
    this.#generation++;
    this.#reading.delete(key);
    this.#found.delete(key);
  }

  clear(): void {
    this.#generation++;
    this.#reading.clear();
    this.#found.clear();
  }
}
