import { describe, expect, it, vi } from 'vitest';
import { inSlices, slicer, yieldToPage, type YieldGlobals } from './yield.js';

/** Drains the microtask queue a good many times over (no task runs meanwhile). */
async function microtasks(n = 200): Promise<void> {
  for (let i = 0; i < n; i++) await Promise.resolve();
}

describe('yieldToPage', () => {
  it('resumes in a later task: every microtask queued before it runs first', async () => {
    const order: string[] = [];
    const yielded = yieldToPage().then(() => order.push('resumed'));
    let chain = Promise.resolve();
    for (let i = 0; i < 50; i++) chain = chain.then(() => void order.push('microtask'));
    await microtasks();
    expect(order).toEqual(Array(50).fill('microtask'));
    await yielded;
    expect(order.at(-1)).toBe('resumed');
  });

  it('uses scheduler.yield where the page has it, called on the scheduler', async () => {
    const scheduler = {
      calls: 0,
      yield(this: { calls: number }) {
        this.calls++;
        return Promise.resolve();
      },
    };
    const MessageChannel = vi.fn();
    await yieldToPage({ scheduler, MessageChannel: MessageChannel as unknown as YieldGlobals['MessageChannel'] });
    expect(scheduler.calls).toBe(1);
    expect(MessageChannel).not.toHaveBeenCalled();
  });

  it('falls back to a message on a MessageChannel without scheduler.yield, and closes the channel', async () => {
    const made: MessageChannel[] = [];
    class Counted extends MessageChannel {
      constructor() {
        super();
        made.push(this);
      }
    }
    const close = vi.spyOn(MessagePort.prototype, 'close');
    const order: string[] = [];
    const yielded = yieldToPage({ scheduler: {}, MessageChannel: Counted }).then(() => order.push('resumed'));
    await microtasks();
    expect(order).toEqual([]);
    await yielded;
    expect(made).toHaveLength(1);
    expect(close).toHaveBeenCalled();
    close.mockRestore();
  });

  it('falls back to setTimeout(0) with neither', async () => {
    const timeout = vi.fn((fn: () => void, ms: number) => setTimeout(fn, ms));
    await yieldToPage({ setTimeout: timeout });
    expect(timeout).toHaveBeenCalledOnce();
    expect(timeout.mock.calls[0]![1]).toBe(0);
  });

  it('falls back to a macrotask when scheduler.yield rejects', async () => {
    const timeout = vi.fn((fn: () => void, ms: number) => setTimeout(fn, ms));
    await yieldToPage({ scheduler: { yield: () => Promise.reject(new Error('detached')) }, setTimeout: timeout });
    expect(timeout).toHaveBeenCalledOnce();
  });
});

describe('inSlices', () => {
  it('runs the steps in order, each after a pause', async () => {
    const order: string[] = [];
    const pause = async () => void order.push('pause');
    await inSlices([() => order.push('a'), () => order.push('b'), () => order.push('c')], pause);
    expect(order).toEqual(['pause', 'a', 'pause', 'b', 'pause', 'c']);
  });

  it('runs no step before its pause has resumed, and one step per pause', async () => {
    const order: string[] = [];
    const resumes: (() => void)[] = [];
    const pause = () => new Promise<void>((resolve) => resumes.push(resolve));
    const done = inSlices([() => order.push('a'), () => order.push('b')], pause);
    await microtasks();
    expect(order).toEqual([]);
    expect(resumes).toHaveLength(1);
    resumes[0]!();
    await microtasks();
    expect(order).toEqual(['a']);
    expect(resumes).toHaveLength(2);
    resumes[1]!();
    await done;
    expect(order).toEqual(['a', 'b']);
  });

  it('with the default pause, runs nothing in the caller’s task', async () => {
    const order: string[] = [];
    const done = inSlices([() => order.push('a')]);
    await microtasks();
    expect(order).toEqual([]);
    await done;
    expect(order).toEqual(['a']);
  });

  it('runs no step once stopped', async () => {
    const order: string[] = [];
    let stopped = false;
    await inSlices(
      [
        () => order.push('a'),
        () => {
          order.push('b');
          stopped = true;
        },
        () => order.push('c'),
      ],
      yieldToPage,
      () => stopped,
    );
    expect(order).toEqual(['a', 'b']);
  });

  it('runs every step at once without a pause', () => {
    const order: string[] = [];
    void inSlices([() => order.push('a'), () => order.push('b')], null);
    expect(order).toEqual(['a', 'b']);
  });

  it('rejects with a step’s error and runs none after it', async () => {
    const order: string[] = [];
    const run = inSlices(
      [
        () => {
          throw new Error('boom');
        },
        () => order.push('b'),
      ],
      async () => {},
    );
    await expect(run).rejects.toThrow('boom');
    expect(order).toEqual([]);
  });
});

describe('slicer', () => {
  it('is due once the budget is spent, and starts a new slice after yielding', async () => {
    let now = 0;
    const yields: number[] = [];
    const slice = slicer(8, () => now, async () => void yields.push(now));
    now = 7;
    expect(slice.due()).toBe(false);
    now = 8;
    expect(slice.due()).toBe(true);
    await slice.yield();
    expect(yields).toEqual([8]);
    expect(slice.due()).toBe(false);
    now = 16;
    expect(slice.due()).toBe(true);
  });
});
