/**
 * The Redis layout and Lua of RLock, written to match Redisson 4.7.0 (org.redisson.RedissonLock,
 * RedissonBaseLock, pubsub.LockPubSub, renewal.LockTask) so a Java RLock and a Silk RLock on the
 * same name exclude each other:
 *
 *   lock key        `<name>`, a hash: field `<client UUID>:<threadId>` → re-entry count,
 *                   PEXPIREd to the lease (leaseTime, or lockWatchdogTimeout = 30 s by default)
 *   unlock channel  `redisson_lock__channel:{<name>}` (`redisson_lock__channel:<name>` when the
 *                   name already has a `{hash tag}`); on full release the holder PUBLISHes "0"
 *                   (LockPubSub.UNLOCK_MESSAGE, a Long written by LongCodec as decimal text)
 *   fencing counter `silk_lock__fencing:{<name>}` (Silk only; Java holders do not bump it)
 *
 * Redisson also writes an unlock "latch" key per unlock request so a retried unlock is
 * idempotent; Silk does not retry unlocks, so it neither writes nor needs it.
 */
import { LuaScript } from './lua.js';

/** Redisson's RedissonObject.prefixName. */
export function prefixName(prefix: string, name: string): string {
  return name.includes('{') ? `${prefix}:${name}` : `${prefix}:{${name}}`;
}

export const lockChannelName = (name: string): string => prefixName('redisson_lock__channel', name);
export const fencingKeyName = (name: string): string => prefixName('silk_lock__fencing', name);

/** Redisson's getLockName(threadId): the hash field that says who holds the lock. */
export const lockField = (clientId: string, threadId: number): string => `${clientId}:${threadId}`;

/** LockPubSub.UNLOCK_MESSAGE as LongCodec writes it. */
export const UNLOCK_MESSAGE = '0';

/**
 * KEYS: lock, fencing counter. ARGV: leaseMs, field, fence ("1" to bump the counter).
 * Free, or already ours: count+1, lease renewed → {1, count, token (0 if unfenced)}.
 * Held by another → {0, pttl of the lock}.
 */
export const TRY_LOCK = new LuaScript(
  'tryLock',
  `if redis.call('EXISTS', KEYS[1]) == 1 and redis.call('HEXISTS', KEYS[1], ARGV[2]) == 0 then
  return {0, redis.call('PTTL', KEYS[1])}
end
local count = redis.call('HINCRBY', KEYS[1], ARGV[2], 1)
redis.call('PEXPIRE', KEYS[1], ARGV[1])
local token = 0
if ARGV[3] == '1' then
  if count == 1 then
    token = redis.call('INCR', KEYS[2])
  else
    token = tonumber(redis.call('GET', KEYS[2]) or '0')
  end
end
return {1, count, token}`,
);

/**
 * KEYS: lock, unlock channel. ARGV: message, leaseMs, field.
 * Not ours → -1. Still re-entered → lease renewed, 0. Last release → deleted, published, 1.
 */
export const UNLOCK = new LuaScript(
  'unlock',
  `if redis.call('HEXISTS', KEYS[1], ARGV[3]) == 0 then
  return -1
end
if redis.call('HINCRBY', KEYS[1], ARGV[3], -1) > 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 0
end
redis.call('DEL', KEYS[1])
redis.call('PUBLISH', KEYS[2], ARGV[1])
return 1`,
);

/** KEYS: lock, unlock channel. ARGV: message. Deletes whoever holds it; 1 if there was a holder. */
export const FORCE_UNLOCK = new LuaScript(
  'forceUnlock',
  `if redis.call('DEL', KEYS[1]) == 1 then
  redis.call('PUBLISH', KEYS[2], ARGV[1])
  return 1
end
return 0`,
);

/**
 * KEYS: lock names. ARGV: leaseMs, then one field per key.
 * The watchdog's batch renewal: each lock still held by its field gets its lease back → 1, else 0.
 */
export const RENEW = new LuaScript(
  'renew',
  `local result = {}
for i = 1, #KEYS do
  if redis.call('HEXISTS', KEYS[i], ARGV[i + 1]) == 1 then
    redis.call('PEXPIRE', KEYS[i], ARGV[1])
    result[i] = 1
  else
    result[i] = 0
  end
end
return result`,
);
