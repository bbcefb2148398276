/**
 * The Redis side of the cache (L2), as Lua so each step is atomic on the server.
 *
 * Keys of one cache entry:
 *   value  `<prefix><cache>:<key>`          the encoded value, or NEGATIVE_MARKER, with PX ttl
 *   lease  `{<prefix><cache>:<key>}#lease`  a random token: "I am loading this key" (SET NX PX)
 *
 * The scripts touch both keys at once, so in a Redis Cluster they must share a hash slot: the
 * lease key's hash tag is the whole value key, which hashes alike when it has no tag of its own;
 * when it has one (`{...}` in the key text), the lease key is the value key plus a suffix, which
 * keeps that tag. (A key text with an unmatched `}` and no tag still works on one Redis; in a
 * cluster its scripts fail with CROSSSLOT and its reads fall back to the loader, uncached.)
 *
 * The lease does two jobs (as memcache leases do at Facebook):
 *  - stampede protection: of all processes that miss, only the lease holder loads; the others
 *    poll the value until it appears or the lease lapses;
 *  - no stale fill: a write deletes the value AND the lease, so a load that started before the
 *    write cannot store what it read — its conditional write finds another (or no) token.
 */
import { LuaScript } from './lua.js';

/**
 * KEYS: value, lease. ARGV: token, leaseMs.
 * Returns {1, value} on a hit, {2} when this caller now holds the lease, {0, leasePttl} when
 * someone else is loading.
 */
export const READ_OR_LEASE = new LuaScript(
  'readOrLease',
  `local value = redis.call('GET', KEYS[1])
if value then
  return {1, value}
end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {2}
end
return {0, redis.call('PTTL', KEYS[2])}`,
);

/**
 * KEYS: value, lease. ARGV: token, encoded value, ttlMs.
 * Stores the value only while the caller still holds its lease; returns 1 if stored, else 0.
 */
export const WRITE_IF_LEASED = new LuaScript(
  'writeIfLeased',
  `if redis.call('GET', KEYS[2]) ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
redis.call('DEL', KEYS[2])
return 1`,
);

/** KEYS: lease. ARGV: token. Gives the lease back (after a failed load) if it is still ours. */
export const RELEASE_LEASE = new LuaScript(
  'releaseLease',
  `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`,
);

/** KEYS: value. ARGV: the undecodable text. Drops it unless someone replaced it meanwhile. */
export const DROP_IF_EQUALS = new LuaScript(
  'dropIfEquals',
  `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`,
);

/**
 * KEYS: value, lease. ARGV: channel, message.
 * Invalidation on write: drop the value, revoke any in-flight load's lease, tell every L1.
 */
export const EVICT = new LuaScript(
  'evict',
  `redis.call('DEL', KEYS[1], KEYS[2])
redis.call('PUBLISH', ARGV[1], ARGV[2])
return 1`,
);

/**
 * KEYS: value, lease. ARGV: encoded value, ttlMs, channel, message.
 * Write-through put: store, revoke any in-flight load's lease, tell every L1.
 */
export const PUT = new LuaScript(
  'put',
  `redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('DEL', KEYS[2])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1`,
);

export interface EntryKeys {
  value: string;
  lease: string;
}

/** Whether Redis Cluster would hash `key` by a `{tag}` inside it rather than the whole key. */
export function hasHashTag(key: string): boolean {
  const open = key.indexOf('{');
  if (open < 0) return false;
  const close = key.indexOf('}', open + 1);
  return close > open + 1;
}

/** Where a key's value lives; a read that finds it needs nothing else (see read-through.ts). */
export function valueKey(prefix: string, cache: string, key: string): string {
  return `${prefix}${cache}:${key}`;
}

/** The load lease beside a value key, in the value's hash slot. */
export function leaseKey(value: string): string {
  return hasHashTag(value) ? `${value}#lease` : `{${value}}#lease`;
}

export function entryKeys(prefix: string, cache: string, key: string): EntryKeys {
  const value = valueKey(prefix, cache, key);
  return { value, lease: leaseKey(value) };
}

/** One pub/sub channel per cache, carrying invalidation messages for its keys. */
export function invalidationChannel(prefix: string, cache: string): string {
  return `${prefix}${cache}#invalidate`;
}
