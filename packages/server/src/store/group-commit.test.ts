import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.js';

/** A flush the test finishes by hand: each call's items, and how to answer it. */
function manual() {
  const calls: { items: number[]; answer: (a: (string | Error)[]) => void; fail: (err: Error) => void }[] = [];
  const flush = (items: number[]) => new Promise<(string | Error)[]>((answer, fail) => calls.push({ items, answer, fail }));
  return { calls, flush };
}

describe('GroupCommit', () => {
  it('sends an item at once while fewer groups than allowed run, and groups what arrives meanwhile', async () => {
    const { calls, flush } = manual();
    const g = new GroupCommit(flush, { inFlight: 1, maxItems: 10 });
    const a = g.run(1);
    expect(calls.map((c) => c.items)).toEqual([[1]]); // alone, with no wait
    const rest = [g.run(2), g.run(3), g.run(4)];
    expect(calls).toHaveLength(1);
    expect(g.waiting).toBe(3);
    calls[0]!.answer(['one']);
    expect(await a).toBe('one');
    expect(calls.map((c) => c.items)).toEqual([[1], [2, 3, 4]]);
    calls[1]!.answer(['two', 'three', 'four']);
    expect(await Promise.all(rest)).toEqual(['two', 'three', 'four']);
    expect(g.waiting).toBe(0);
  });

  it('runs up to `inFlight` groups at once and caps a group at `maxItems`', async () => {
    const { calls, flush } = manual();
    const g = new GroupCommit(flush, { inFlight: 2, maxItems: 2 });
    const all = [1, 2, 3, 4, 5, 6].map((n) => g.run(n));
    expect(calls.map((c) => c.items)).toEqual([[1], [2]]);
    calls[1]!.answer(['b']);
    await all[1];
    expect(calls.map((c) => c.items)).toEqual([[1], [2], [3, 4]]);
    calls[0]!.answer(['a']);
    await all[0];
    expect(calls.map((c) => c.items)).toEqual([[1], [2], [3, 4], [5, 6]]);
    calls[2]!.answer(['c', 'd']);
    calls[3]!.answer(['e', 'f']);
    expect(await Promise.all(all)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });

  it('rejects only the item answered with an error, every item of a flush that throws, and goes on with the next group', async () => {
    const { calls, flush } = manual();
    const g = new GroupCommit(flush, { inFlight: 1, maxItems: 10 });
    const first = g.run(1);
    const second = [g.run(2), g.run(3)];
    const third = [g.run(4), g.run(5)];
    calls[0]!.fail(new Error('connection lost'));
    await expect(first).rejects.toThrow('connection lost');
    expect(calls[1]!.items).toEqual([2, 3, 4, 5]);
    calls[1]!.answer(['two', new Error('no such thread'), 'four']);
    expect(await second[0]).toBe('two');
    await expect(second[1]).rejects.toThrow('no such thread');
    expect(await third[0]).toBe('four');
    // An answer missing for an item is that item's error, not a hang.
    await expect(third[1]).rejects.toThrow('no answer');
  });
});
