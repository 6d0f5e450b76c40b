import { describe, expect, it } from 'vitest';
import { Lazy } from './lazy.js';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

class Thing {
  stopped = false;
  stop() {
    this.stopped = true;
  }
}

describe('lazy unit', () => {
  it('loads once for concurrent callers and creates one unit', async () => {
    let loads = 0;
    const gate = deferred<{ Thing: typeof Thing }>();
    const lazy = new Lazy(() => (loads++, gate.promise), (m) => new m.Thing(), () => {});
    expect(lazy.current).toBeNull();
    const a = lazy.get();
    const b = lazy.get();
    gate.resolve({ Thing });
    const [ua, ub] = await Promise.all([a, b]);
    expect(loads).toBe(1);
    expect(ua).toBeInstanceOf(Thing);
    expect(ub).toBe(ua);
    expect(lazy.current).toBe(ua);
    expect(await lazy.get()).toBe(ua);
  });

  it('reports a failed load and tries again on the next use', async () => {
    const failures: unknown[] = [];
    let attempt = 0;
    const lazy = new Lazy(
      () => (++attempt === 1 ? Promise.reject(new TypeError('Failed to fetch dynamically imported module')) : Promise.resolve({ Thing })),
      (m) => new m.Thing(),
      (err) => failures.push(err),
    );
    expect(await lazy.get()).toBeNull();
    expect(failures).toHaveLength(1);
    expect(await lazy.get()).toBeInstanceOf(Thing);
    expect(attempt).toBe(2);
  });

  it('reports a loader that throws instead of rejecting', async () => {
    const failures: unknown[] = [];
    const lazy = new Lazy<{ Thing: typeof Thing }, Thing>(
      () => {
        throw new Error('no loader');
      },
      (m) => new m.Thing(),
      (err) => failures.push(err),
    );
    expect(await lazy.get()).toBeNull();
    expect(failures).toHaveLength(1);
  });

  it('creates nothing when the load completes after stop, and reports nothing', async () => {
    let created = 0;
    const failures: unknown[] = [];
    const gate = deferred<{ Thing: typeof Thing }>();
    const lazy = new Lazy(() => gate.promise, (m) => (created++, new m.Thing()), (err) => failures.push(err));
    const pending = lazy.get();
    lazy.stop();
    gate.resolve({ Thing });
    expect(await pending).toBeNull();
    expect(await lazy.get()).toBeNull();
    expect(created).toBe(0);
    expect(failures).toEqual([]);
  });

  it('stops the loaded unit on stop', async () => {
    const lazy = new Lazy(() => Promise.resolve({ Thing }), (m) => new m.Thing(), () => {});
    const unit = (await lazy.get())!;
    lazy.stop();
    expect(unit.stopped).toBe(true);
    expect(lazy.current).toBeNull();
  });
});
