/**
 * Yielding to the page between slices of work: start-up is cut into steps that each end its task,
 * so that no step of ours forms a long task (≥ 50 ms on a phone, 4× slower than a desktop) and the
 * page's own input and rendering run in between.
 *
 * `scheduler.yield()` (Chrome/Edge 129+, Firefox 142+) continues ahead of other queued tasks of
 * the same priority, so a sliced start-up is not pushed back behind everything else on the page;
 * elsewhere a message on a fresh MessageChannel ends the task (a macrotask with no timer clamping,
 * unlike nested `setTimeout(0)`, which browsers stretch to 4 ms); `setTimeout(0)` is the last
 * resort where there is no MessageChannel.
 */

/** The globals `yieldToPage` looks for; `globalThis` by default (tests pass their own). */
export interface YieldGlobals {
  scheduler?: { yield?: () => Promise<unknown> } | undefined;
  MessageChannel?: (new () => MessageChannel) | undefined;
  setTimeout?: ((fn: () => void, ms: number) => unknown) | undefined;
}

/** Resolves in a later task: whatever called it resumes after the page has had its turn. */
export function yieldToPage(g: YieldGlobals = globalThis as YieldGlobals): Promise<void> {
  const scheduler = g.scheduler;
  if (typeof scheduler?.yield === 'function') {
    // Called as a method: it needs its `this`. A rejection (a detached frame's scheduler) falls back.
    return scheduler.yield().then(
      () => undefined,
      () => macrotask(g),
    );
  }
  return macrotask(g);
}

function macrotask(g: YieldGlobals): Promise<void> {
  return new Promise((resolve) => {
    const MC = g.MessageChannel;
    if (typeof MC === 'function') {
      const { port1, port2 } = new MC();
      port1.onmessage = () => {
        // Closed at once: an open port would keep a Node process (tests) alive, and pile up in a page.
        port1.close();
        resolve();
      };
      port2.postMessage(null);
      return;
    }
    (g.setTimeout ?? setTimeout)(resolve, 0);
  });
}

/**
 * Runs `steps` in order, each in a task of its own: `pause` (a yield) goes before every step, and
 * none runs once `stopped()` says so. Resolves when the last has run or the run was stopped. With
 * `pause` null every step runs now, synchronously (tests that draw at once, say).
 */
export function inSlices(steps: readonly (() => void)[], pause: (() => Promise<void>) | null = yieldToPage, stopped: () => boolean = () => false): Promise<void> {
  if (!pause) {
    for (const step of steps) if (!stopped()) step();
    return Promise.resolve();
  }
  return steps.reduce<Promise<void>>(
    (done, step) =>
      done.then(pause).then(() => {
        if (!stopped()) step();
      }),
    Promise.resolve(),
  );
}

/**
 * A loop's time budget: `due()` says whether the work done since the last yield has taken
 * `budgetMs` or more, `yield()` yields and starts a new slice. For loops over data of any size
 * (threads read from storage, messages from a sync), where a fixed step count would be too coarse
 * on a slow phone and needlessly slow on a fast one.
 */
export interface Slicer {
  due(): boolean;
  yield(): Promise<void>;
}

export function slicer(budgetMs: number, now: () => number = () => performance.now(), yieldFn: () => Promise<void> = yieldToPage): Slicer {
  let start = now();
  return {
    due: () => now() - start >= budgetMs,
    async yield() {
      await yieldFn();
      start = now();
    },
  };
}
