import { describe, expect, it } from 'vitest';
import { IdGenerator } from './id-generator.js';

describe('IdGenerator', () => {
  it('hands out increasing, unique ids even past 4096 in one millisecond and when the clock steps back', () => {
    let now = 1_800_000_000_000;
    const gen = new IdGenerator(5, () => now);
    const ids: bigint[] = [];
    for (let i = 0; i < 10_000; i++) ids.push(BigInt(gen.next()));
    now -= 1000;
    for (let i = 0; i < 10; i++) ids.push(BigInt(gen.next()));
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true);
  });

  it('keeps two workers apart at the same instant', () => {
    const a = new IdGenerator(1, () => 1_800_000_000_000).next();
    const b = new IdGenerator(2, () => 1_800_000_000_000).next();
    expect(a).not.toBe(b);
    expect(BigInt(a) < 2n ** 63n).toBe(true);
  });

  it('refuses a worker id outside 0..1023', () => {
    expect(() => new IdGenerator(1024)).toThrow(RangeError);
  });
});
