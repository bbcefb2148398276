/**
 * TTL with jitter: keys written together (a warm-up, a deploy) would otherwise expire together
 * and reload together. Each write draws its TTL uniformly from [ttl·(1−j), ttl·(1+j)].
 */
import type { RandomSource } from './clock.js';

export function jitteredTtl(baseMs: number, jitter: number, random: RandomSource = Math.random): number {
  if (jitter <= 0) return Math.max(1, Math.round(baseMs));
  const factor = 1 - jitter + 2 * jitter * random();
  // Redis PX needs a positive integer; a TTL of 0 would mean "delete now".
  return Math.max(1, Math.round(baseMs * factor));
}
