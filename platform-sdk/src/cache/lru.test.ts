import { describe, expect, it } from 'vitest';
import { FakeClock } from './fake-clock.js';
import { LruCache } from './lru.js';

describe('LruCache', () => {
  it('evicts the least recently used entry when full, and reports it', () => {
    const evicted: string[] = [];
    const lru = new LruCache<string, number>(2, new FakeClock(), (k) => evicted.push(k));
    lru.set('a', 1, 1000);
    lru.set('b', 2, 1000);
    expect(lru.get('a')).toBe(1); // a is now most recent
    lru.set('c', 3, 1000);
    expect(evicted).toEqual(['b']);
    expect(lru.keys()).toEqual(['a', 'c']);
    expect(lru.get('b')).toBeUndefined();
  });

  it('a hit gives its entry a second chance: unread entries go first, in insertion order', () => {
    const evicted: string[] = [];
    const lru = new LruCache<string, number>(3, new FakeClock(), (k) => evicted.push(k));
    lru.set('a', 1, 1000);
    lru.set('b', 2, 1000);
    lru.set('c', 3, 1000);
    lru.get('a');
    lru.get('c');
    lru.set('d', 4, 1000); // a was read: it moves young, unflagged; b goes → c, a, d
    lru.set('e', 5, 1000); // c was read: it moves young, unflagged; a was not read again: it goes
    expect(evicted).toEqual(['b', 'a']);
    expect(lru.keys()).toEqual(['d', 'c', 'e']);
  });

  it('expires entries by the injected clock', async () => {
    const clock = new FakeClock();
    const lru = new LruCache<string, number>(10, clock);
    lru.set('a', 1, 100);
    await clock.advance(99);
    expect(lru.get('a')).toBe(1);
    await clock.advance(1);
    expect(lru.get('a')).toBeUndefined();
    expect(lru.size).toBe(0);
  });

  it('re-setting a key refreshes its value, expiry and recency without evicting', () => {
    const evicted: string[] = [];
    const lru = new LruCache<string, number>(2, new FakeClock(), (k) => evicted.push(k));
    lru.set('a', 1, 10);
    lru.set('b', 2, 10);
    lru.set('a', 3, 10);
    expect(evicted).toEqual([]);
    expect(lru.keys()).toEqual(['b', 'a']);
    expect(lru.get('a')).toBe(3);
  });

  it('delete and clear drop entries without counting evictions', () => {
    const evicted: string[] = [];
    const lru = new LruCache<string, number>(3, new FakeClock(), (k) => evicted.push(k));
    lru.set('a', 1, 10);
    lru.set('b', 2, 10);
    expect(lru.delete('a')).toBe(true);
    lru.clear();
    expect(lru.size).toBe(0);
    expect(evicted).toEqual([]);
  });

  it('rejects a capacity below one', () => {
    expect(() => new LruCache(0, new FakeClock())).toThrow(RangeError);
  });
});
