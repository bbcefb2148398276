import { describe, expect, it } from 'vitest';
import { UNLOCK_MESSAGE, fencingKeyName, lockChannelName, lockField, prefixName } from './lock-scripts.js';

// Names as Redisson 4.7.0 builds them (RedissonObject.prefixName, RedissonLock.getChannelName,
// RedissonBaseLock.getLockName, LockPubSub.UNLOCK_MESSAGE).
describe('Redisson lock naming', () => {
  it('puts the lock name in a hash tag for the unlock channel', () => {
    expect(lockChannelName('orders:42')).toBe('redisson_lock__channel:{orders:42}');
  });

  it('keeps a name that already has a hash tag as is', () => {
    expect(lockChannelName('{orders}:42')).toBe('redisson_lock__channel:{orders}:42');
    expect(prefixName('p', 'a{b}')).toBe('p:a{b}');
  });

  it('names the holder <client uuid>:<thread id>', () => {
    expect(lockField('5f0c2b1e-0000-4000-8000-000000000001', 17)).toBe(
      '5f0c2b1e-0000-4000-8000-000000000001:17',
    );
  });

  it('publishes the Long 0 as decimal text on release', () => {
    expect(UNLOCK_MESSAGE).toBe('0');
  });

  it('keeps the fencing counter in the lock name hash slot', () => {
    expect(fencingKeyName('orders:42')).toBe('silk_lock__fencing:{orders:42}');
  });
});
