/**
 * Runs work in groups: `run(item)` resolves with the item's answer from `flush(items)`, which
 * takes every item that arrived while the groups in flight ran. Nothing waits for a group to fill:
 * an item that finds fewer than `inFlight` groups running goes at once (alone when the node is
 * quiet), so a group costs no added latency; under load the groups grow by themselves, and what a
 * flush costs (a round trip, a commit) is paid once per group instead of once per item.
 *
 * `flush` answers item by item, in the order given (an `Error` for an item rejects that item
 * only); a flush that throws rejects every item of its group.
 */
interface Waiter<I, O> {
  item: I;
  resolve: (o: O) => void;
  reject: (err: unknown) => void;
}

export class GroupCommit<I, O> {
  readonly #waiting: Waiter<I, O>[] = [];
  #running = 0;

  constructor(
    private readonly flush: (items: I[]) => Promise<(O | Error)[]>,
    private readonly options: { inFlight: number; maxItems: number },
  ) {}

  run(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#waiting.push({ item, resolve, reject });
      this.#next();
    });
  }

  /** Items waiting for a group to take them. */
  get waiting(): number {
    return this.#waiting.length;
  }

  #next(): void {
    while (this.#running < this.options.inFlight && this.#waiting.length > 0) {
      const group = this.#waiting.splice(0, this.options.maxItems);
      this.#running += 1;
      void this.#flushGroup(group);
    }
  }

  async #flushGroup(group: Waiter<I, O>[]): Promise<void> {
    try {
      const answers = await this.flush(group.map((g) => g.item));
      group.forEach((g, i) => {
        const a = answers[i];
        if (a instanceof Error) g.reject(a);
        else if (a === undefined) g.reject(new Error('group commit: no answer for an item'));
        else g.resolve(a);
      });
    } catch (err) {
      for (const g of group) g.reject(err);
    } finally {
      this.#running -= 1;
      this.#next();
    }
  }
}
