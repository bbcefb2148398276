import { describe, expect, it, vi } from 'vitest';
import { GroupCommit } from './group-commit.js';

/** A write whose completion the test controls, recording the groups it was given. */
function controlledWrite() {
  const groups: number[][] = [];
  const pending: { resolve: () => void; reject: (e: Error) => void }[] = [];
  const write = (items: number[]) =>
    new Promise<void>((resolve, reject) => {
      groups.push(items);
      pending.push({ resolve, reject });
    });
  return { groups, pending, write };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('GroupCommit', () => {
  it('writes a lone item at once, and groups the items that arrive while a write is in flight', async () => {
    const w = controlledWrite();
    const gc = new GroupCommit(w.write);
    const first = gc.add(1);
    await tick();
    expect(w.groups).toEqual([[1]]);
    const later = [gc.add(2), gc.add(3), gc.add(4)];
    await tick();
    expect(w.groups).toEqual([[1]]); // waits for the write in flight
    w.pending[0]!.resolve();
    await first;
    await tick();
    expect(w.groups).toEqual([[1], [2, 3, 4]]);
    w.pending[1]!.resolve();
    await Promise.all(later);
  });

  it('fails only the items of the group whose write failed, and keeps going', async () => {
    const w = controlledWrite();
    const gc = new GroupCommit(w.write);
    const a = gc.add(1);
    await tick();
    const b = gc.add(2);
    w.pending[0]!.reject(new Error('disk full'));
    await expect(a).rejects.toThrow('disk full');
    await tick();
    expect(w.groups).toEqual([[1], [2]]);
    w.pending[1]!.resolve();
    await expect(b).resolves.toBeUndefined();
  });

  it('with lingerMs, lets the first item of an idle queue wait for others to join it', async () => {
    vi.useFakeTimers();
    try {
      const w = controlledWrite();
      const gc = new GroupCommit(w.write, { lingerMs: 50 });
      const all = [gc.add(1)];
      await vi.advanceTimersByTimeAsync(30);
      all.push(gc.add(2));
      expect(w.groups).toEqual([]);
      await vi.advanceTimersByTimeAsync(20);
      expect(w.groups).toEqual([[1, 2]]);
      // While that write runs, later items queue for the next one, which starts when it ends.
      all.push(gc.add(3));
      w.pending[0]!.resolve();
      await vi.advanceTimersByTimeAsync(0);
      expect(w.groups).toEqual([[1, 2], [3]]);
      w.pending[1]!.resolve();
      await Promise.all(all);
    } finally {
      vi.useRealTimers();
    }
  });

  it('splits a long queue into groups of at most maxGroup', async () => {
    const w = controlledWrite();
    const gc = new GroupCommit(w.write, { maxGroup: 2 });
    const all = [1, 2, 3, 4, 5].map((n) => gc.add(n));
    for (let i = 0; i < 3; i++) {
      await tick();
      w.pending[i]!.resolve();
    }
    await Promise.all(all);
    expect(w.groups).toEqual([[1], [2, 3], [4, 5]]);
  });
});
